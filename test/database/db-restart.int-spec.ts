import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { hashPassword } from 'src/auth/password.util';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { startPrivatePostgres, type PrivatePostgres } from 'test/helpers/private-postgres';
import { freePort } from 'test/helpers/process';
import { replicaLink, runResults, waitForRun } from 'test/runs/run-fixtures';
import { FAST_RECOVERY_ENV, startService, waitFor, type ServiceProcess } from 'test/runs/worker-process';

const ENV = { ...FAST_RECOVERY_ENV, SIS_CERTIFY_ROLE: 'all', RUN_JOB_RETRY_LIMIT: '50' };

/**
 * Issue 12, hole 3, against a real server fault: the service's own store is a private PostgreSQL. Its
 * extraction connections are terminated in the middle of a run, and the server is restarted in the middle of
 * another. The service process stays up, /health reports the outage and recovers, and both runs end `done`
 * with the results of an uninterrupted run of the same district.
 */
describe('the service survives its database failing', () => {
  let pg: PrivatePostgres | undefined;
  let replica: TestDatabase | undefined;
  let service: ServiceProcess | undefined;
  let pool: Pool | undefined;
  let base = '';
  let token = '';

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE sis_certify');
    await admin.end();
    replica = await createTestDatabase({ scratch: true });
    await generateDistrict(replica.url, {
      sis: 'aeries',
      students: 500,
      seed: 'db-restart',
      schoolYear: 2026,
      asOf: '2026-11-01',
      defects: 'all',
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = startService(pg.url('sis_certify'), { ...ENV, PORT: String(port) });
    await waitFor(
      'the service answering /health',
      async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200,
      300_000,
      200,
    );
    pool = new Pool({ connectionString: pg.url('sis_certify'), max: 3 });
    // The test's own pool loses its connections in the restart too.
    pool.on('error', () => undefined);
    token = await supportToken(pool);
  }, 600_000);

  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await pg?.remove();
    await replica?.drop();
  });

  const supportToken = async (p: Pool): Promise<string> => {
    const email = `support.${randomBytes(3).toString('hex')}@test.k12.us`;
    const password = 'correct horse battery staple';
    await p.query(
      `INSERT INTO users (email, display_name, role, district_id, password_hash) VALUES ($1, $1, 'support', NULL, $2)`,
      [email, await hashPassword(password)],
    );
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const res = await fetch(`${base}/api/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, origin: base },
      body: JSON.stringify({ name: 'test' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };

  const startRun = async (districtId: string): Promise<string> => {
    const res = await fetch(`${base}/api/districts/${districtId}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ asOf: '2026-11-01' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  const health = async (): Promise<{ status: number; body: string } | null> => {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(30_000) }).catch(() => null);
    return res ? { status: res.status, body: await res.text() } : null;
  };

  /** Starts a run with the SIS's program table locked and returns once the run is held at that entity. */
  const heldRun = async (districtId: string, sis: Client): Promise<string> => {
    const p = pool as Pool;
    await sis.query('BEGIN');
    await sis.query('LOCK TABLE pgm IN ACCESS EXCLUSIVE MODE');
    const runId = await startRun(districtId);
    await waitFor(
      'a snapshot held at its program entity',
      async () => {
        const { rows } = await p
          .query<{ waiting: boolean }>(
            `SELECT bool_or(c.entity = 'program' AND c.status = 'extracting') AS waiting
               FROM snapshots s JOIN snapshot_checkpoints c ON c.snapshot_id = s.id WHERE s.run_id = $1`,
            [runId],
          )
          .catch(() => ({ rows: [] as { waiting: boolean }[] }));
        return rows[0]?.waiting === true;
      },
      300_000,
      100,
    );
    return runId;
  };

  const alive = (): void => {
    const s = service as ServiceProcess;
    expect([s.child.exitCode, s.child.signalCode]).toEqual([null, null]);
    expect(s.output()).not.toMatch(/Unhandled 'error' event/);
  };

  /** A failure carries the tail of the service's own log: the only witness of what its process was doing. */
  const withServiceOutput = async (body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (err) {
      const out = (service as ServiceProcess).output().slice(-30_000);
      if (err instanceof Error) err.message = `${err.message}\n--- service output (tail) ---\n${out}`;
      throw err;
    }
  };

  it(
    'keeps running through killed connections and a restart, and the runs end as an uninterrupted one',
    () =>
      withServiceOutput(async () => {
        const p = pool as Pool;
        const districts = await Promise.all([factory.district(p), factory.district(p), factory.district(p)]);
        for (const d of districts)
          await replicaLink(p, d.id, replica as TestDatabase, { role: 'current', sis: 'aeries' });
        const [reference, killed, restarted] = districts.map((d) => d.id);

        const referenceRun = await startRun(reference);
        const ref = await waitForRun(p, referenceRun, 300_000);
        expect([ref.status, ref.error]).toEqual(['done', null]);

        const sis = new Client({ connectionString: (replica as TestDatabase).url });
        sis.on('error', () => undefined);
        await sis.connect();
        let killedRun: string;
        let restartedRun: string;
        try {
          // (a) The extraction connections to the service store are terminated while the run is inside them.
          killedRun = await heldRun(killed, sis);
          const { rows } = await p.query<{ n: number }>(
            `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = 'sis_certify' AND application_name = 'sis-certify-extraction'`,
          );
          expect(rows[0].n).toBeGreaterThanOrEqual(1);
          await sis.query('COMMIT');
          const a = await waitForRun(p, killedRun, 300_000);
          expect([a.status, a.error]).toEqual(['done', null]);
          alive();

          // (b) The server restarts while a run is held inside its extraction.
          restartedRun = await heldRun(restarted, sis);
          await (pg as PrivatePostgres).stop();
          const down = await waitFor('/health reporting the outage', async () => {
            const h = await health();
            return h && h.status !== 200 ? h : null;
          });
          expect(down.status).toBe(503);
          expect(down.body).toMatch(/database/);
          alive();
          await (pg as PrivatePostgres).start();
          await waitFor('/health recovering', async () => (await health())?.status === 200, 300_000, 200);
          await sis.query('COMMIT');
        } finally {
          await sis.end().catch(() => undefined);
        }
        const b = await waitForRun(p, restartedRun, 300_000);
        expect([b.status, b.error]).toEqual(['done', null]);
        alive();

        const [r0, r1, r2] = await Promise.all([
          runResults(p, referenceRun),
          runResults(p, killedRun),
          runResults(p, restartedRun),
        ]);
        expect(Object.keys(r0.rules.current ?? {}).length).toBeGreaterThan(10);
        expect(r0.fingerprints.current.length).toBeGreaterThan(0);
        expect(r1).toEqual(r0);
        expect(r2).toEqual(r0);
      }),
    1_200_000,
  );
});
