import { Client } from 'pg';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, runResults, runRow, waitForRun } from 'test/runs/run-fixtures';
import { FAST_RECOVERY_ENV, startService, waitFor, type ServiceProcess } from 'test/runs/worker-process';

/** Workers that recover fast (FAST_RECOVERY_ENV), up to 20 attempts. */
const WORKER_ENV = { ...FAST_RECOVERY_ENV, SIS_CERTIFY_ROLE: 'worker', RUN_JOB_RETRY_LIMIT: '20' };

/**
 * A worker process is SIGKILLed in the middle of a run (some entities extracted, others not); pg-boss expires
 * and retries the job, a new worker resumes from the checkpoints, and the results equal those of an
 * uninterrupted run of the same data: same snapshot row counts, same rule results, same exception fingerprints.
 */
describe('a run survives its worker being killed', () => {
  let t: TestApp;
  let replica: TestDatabase;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    await generateDistrict(replica.url, {
      sis: 'aeries',
      students: 8000,
      seed: 'crash',
      schoolYear: 2026,
      asOf: '2026-11-01',
      defects: 'all',
    });
    // The API side only (no workers in the test process): the runs are executed by the spawned processes.
    t = await createTestApp({ ...WORKER_ENV, RUN_WORKERS: 'off', SIS_CERTIFY_ROLE: 'api' });
  });

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await t?.close();
    await replica?.drop();
  });

  const startRun = async (districtId: string): Promise<string> => {
    const support = await t.user('support', null);
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(support.token, { type: 'bearer' })
      .send({ asOf: '2026-11-01' })
      .expect(201);
    return (res.body as { id: string }).id;
  };

  it('resumes from the checkpoints with results equal to an uninterrupted run', async () => {
    const pool = t.db.pool;
    const reference = (await factory.district(pool)).id;
    const crashed = (await factory.district(pool)).id;
    await replicaLink(pool, reference, replica, { role: 'current', sis: 'aeries' });
    await replicaLink(pool, crashed, replica, { role: 'current', sis: 'aeries' });

    const first = startService(t.db.url, WORKER_ENV);
    workers.push(first);
    const referenceRun = await startRun(reference);
    const ref = await waitForRun(pool, referenceRun, 300_000);
    expect([ref.status, ref.error]).toEqual(['done', null]);

    // The SIS's program table is locked, so the crashed run is held inside its extraction after school,
    // student and enrollment are complete: the kill lands between entities on any machine, however slow.
    const sis = new Client({ connectionString: replica.url });
    await sis.connect();
    let completeBefore: string[];
    let runId: string;
    try {
      await sis.query('BEGIN');
      await sis.query('LOCK TABLE pgm IN ACCESS EXCLUSIVE MODE');
      runId = await startRun(crashed);
      const snapshotId = await waitFor(
        'a snapshot held at its program entity',
        async () => {
          const { rows } = await pool.query<{ id: string; done: string; waiting: boolean }>(
            `SELECT s.id, count(*) FILTER (WHERE c.status = 'complete') AS done,
                    bool_or(c.entity = 'program' AND c.status = 'extracting') AS waiting
               FROM snapshots s LEFT JOIN snapshot_checkpoints c ON c.snapshot_id = s.id WHERE s.run_id = $1 GROUP BY s.id`,
            [runId],
          );
          return rows[0]?.waiting ? rows[0].id : null;
        },
        300_000,
        100,
      );
      await first.kill();
      const dead = await runRow(pool, runId);
      expect(dead.status).toBe('extracting');
      const { rows: before } = await pool.query<{ entity: string; status: string }>(
        `SELECT entity, status FROM snapshot_checkpoints WHERE snapshot_id = $1 ORDER BY entity`,
        [snapshotId],
      );
      completeBefore = before.filter((c) => c.status === 'complete').map((c) => c.entity);
      expect(completeBefore).toEqual(['enrollment', 'school', 'student']);
      await sis.query('COMMIT');
    } finally {
      await sis.end().catch(() => undefined);
    }

    const second = startService(t.db.url, WORKER_ENV);
    workers.push(second);
    const end = await waitForRun(pool, runId, 300_000);
    expect([end.status, end.error]).toEqual(['done', null]);
    // At least the dead worker's attempt and the resuming one. pg-boss 10 has no heartbeat: with this test's
    // 6-second expiry a slow machine can also expire the live retry; the run's lease then keeps the extra
    // attempt from repeating work, which the equality checks below prove. (pg-boss's own job state is its
    // business: a live retry that expired is 'retry' until its next attempt finds the run done.)
    expect(end.attempts).toBeGreaterThanOrEqual(2);

    // Resumed, not restarted: one snapshot, and its entities completed before the kill were not extracted again.
    const { rows: snaps } = await pool.query<{ id: string; skipped: string[] }>(
      `SELECT id, ARRAY(SELECT e->>'entity' FROM jsonb_array_elements(report->'entities') e WHERE (e->>'skipped')::boolean ORDER BY 1) AS skipped
       FROM snapshots WHERE run_id = $1`,
      [runId],
    );
    expect(snaps).toHaveLength(1);
    expect(snaps[0].skipped).toEqual([...completeBefore].sort());

    const [a, b] = await Promise.all([runResults(pool, referenceRun), runResults(pool, runId)]);
    expect(Object.keys(b.rules.current ?? {}).length).toBeGreaterThan(10);
    expect(b.fingerprints.current.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    for (const [entity, n] of Object.entries(b.rows.current))
      if (!entity.endsWith('_distinct_row_no')) expect(b.rows.current[`${entity}_distinct_row_no`]).toBe(n);
  });
});
