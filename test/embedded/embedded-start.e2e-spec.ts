import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from 'src/common/paths.util';
import { EDFI_DEMO_AS_OF, EDFI_DEMO_USERS } from 'src/demo/demo-edfi';
import { DEMO_HISTORY } from 'src/demo/demo-history';
import { DEMO_PASSWORD, DEMO_USERS } from 'src/demo/demo-seed';
import { EDFI_DEMO_DISTRICT_NAME } from 'src/demo/demo.repository';
import { runCli, startService } from 'test/helpers/process';

async function until(ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return true;
}

interface RunItem {
  id: string;
  status: string;
  phase: string;
  percent: number;
  asOf: string;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const FINAL = ['done', 'failed', 'skipped', 'cancelled'];

/** Logs in through the API; answers the Cookie header of the session. */
async function login(url: string, email: string): Promise<{ status: number; cookie: string; user: unknown }> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const body = (await res.json()) as { user?: unknown };
  return { status: res.status, cookie, user: body.user };
}

/**
 * Polls a district's runs through the API until `count` of them have ended; a timeout fails with what each run
 * was doing (status, phase, percent, how long it has taken), so a slow start names the slow part.
 */
async function waitForDistrictRuns(
  url: string,
  cookie: string,
  districtId: string,
  count: number,
  timeoutMs: number,
): Promise<RunItem[]> {
  const started = Date.now();
  let runs: RunItem[] = [];
  for (;;) {
    const res = await fetch(`${url}/api/districts/${districtId}/runs`, { headers: { cookie } });
    if (res.status === 200) runs = ((await res.json()) as { items: RunItem[] }).items;
    if (runs.filter((r) => FINAL.includes(r.status)).length >= count) return runs;
    if (Date.now() - started > timeoutMs) {
      const seconds = (from: string | null, to: string | null): string =>
        from ? `${Math.round(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000)} s` : '-';
      const state = runs
        .map(
          (r) =>
            `run ${r.id} as of ${r.asOf}: ${r.status}/${r.phase} ${r.percent}% (queued ${seconds(r.createdAt, r.startedAt)}, running ${seconds(r.startedAt, r.finishedAt)})${r.error ? ` error ${r.error}` : ''}`,
        )
        .join('; ');
      throw new Error(
        `district ${districtId}: ${count} ended runs expected within ${timeoutMs} ms, got: ${state || 'no run'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** What `npm install && npm start` does on a fresh machine: no DATABASE_URL → embedded PostgreSQL under ./var. */
describe('service on the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sis-certify-embedded-'));
  const env = { DATABASE_URL: undefined, EMBEDDED_DATA_DIR: join(dir, 'pgdata'), SEED_DEMO: 'false' };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with nothing else installed, serves /health and /api/docs, and keeps its data across restarts', async () => {
    const first = await startService(env);
    try {
      const health = await fetch(`${first.url}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      expect((await fetch(`${first.url}/api/docs`)).status).toBe(200);
      const doc = (await (await fetch(`${first.url}/api/docs-json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(doc.paths)).toContain('/api/districts');
      // The CLI while the service runs: it connects to the service's embedded server (its URL file next to
      // the lock) instead of opening the data directory a second time.
      const shared = await runCli(['district', 'create', '--name', 'Shared USD', '--state', 'CA'], env);
      expect(shared.out).toMatch(/district [0-9a-f-]{36} created: Shared USD/);
      expect(shared.code).toBe(0);
      const version = await runCli(['--version'], env);
      expect(version.out.trim()).toBe(packageVersion());
      // A second service on the same data directory is refused instead of corrupting it.
      await expect(startService(env)).rejects.toThrow(/is in use by process \d+/);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const created = await runCli(['district', 'create', '--name', 'Embedded USD', '--state', 'CA'], env);
    expect(created.out).toMatch(/district [0-9a-f-]{36} created: Embedded USD \(CA, full\)/);
    expect(created.code).toBe(0);

    const second = await startService(env);
    try {
      const listed = await runCli(['district', 'list'], { ...env, EMBEDDED_DATA_DIR: join(dir, 'other') });
      expect(listed.out).not.toContain('Embedded USD'); // a different directory is a different database
      expect((await fetch(`${second.url}/health`)).status).toBe(200);
    } finally {
      await second.stop();
    }
    const persisted = await runCli(['district', 'list'], env);
    expect(persisted.out).toContain('Embedded USD');
    expect(persisted.out).toContain('Shared USD');
  }, 1_800_000);

  it('seeds the demo: the start-up block names the URL and five logins that work; the California scorecard has a score and a trend, the Texas Ed-Fi district a scorecard of its one run', async () => {
    const demoDir = join(dir, 'demo');
    const demo = await startService(
      {
        DATABASE_URL: undefined,
        EMBEDDED_DATA_DIR: join(demoDir, 'pgdata'),
        SEED_DEMO: 'auto',
        DEMO_STUDENTS: '200',
        PUBLIC_URL: undefined,
      },
      600_000,
    );
    try {
      const port = new URL(demo.url).port;
      // The logins work at once; the runs are watched through the API (the Ed-Fi district's one run first,
      // then the California history), each wait naming the run that is slow.
      const gb = await login(demo.url, EDFI_DEMO_USERS.admin);
      expect(gb.status).toBe(200);
      const gbDistricts = (await (
        await fetch(`${demo.url}/api/districts`, { headers: { cookie: gb.cookie } })
      ).json()) as Array<{ id: string; name: string; state: string }>;
      expect(gbDistricts).toEqual([expect.objectContaining({ name: EDFI_DEMO_DISTRICT_NAME, state: 'TX' })]);
      const gbId = gbDistricts[0].id;
      const gbRuns = await waitForDistrictRuns(demo.url, gb.cookie, gbId, 1, 300_000);
      expect(gbRuns.map((r) => [r.status, r.asOf, r.error])).toEqual([['done', EDFI_DEMO_AS_OF, null]]);
      const sv = await login(demo.url, DEMO_USERS.admin);
      const svDistricts = (await (
        await fetch(`${demo.url}/api/districts`, { headers: { cookie: sv.cookie } })
      ).json()) as Array<{ id: string }>;
      const history = await waitForDistrictRuns(
        demo.url,
        sv.cookie,
        svDistricts[0].id,
        DEMO_HISTORY.length,
        900_000,
      );
      expect(history.map((r) => r.status)).toEqual(DEMO_HISTORY.map(() => 'done'));
      const ready = await until(() => /Demo history ready/.test(demo.output()), 60_000);
      expect(ready).toBe(true);
      const block = demo.output().slice(demo.output().lastIndexOf('sis-certify is ready:'));
      // PUBLIC_URL follows PORT when unset.
      expect(block).toContain(`sis-certify is ready: http://localhost:${port}`);
      expect(block).toContain(`password: ${DEMO_PASSWORD}`);
      const logins = [...Object.values(DEMO_USERS), EDFI_DEMO_USERS.admin];
      for (const email of logins) expect(block).toContain(email);
      expect(block).toMatch(/district admin\s+grandbend\.admin@\S+\s+Grand Bend ISD \(demo, Ed-Fi\)/);
      expect(block).toMatch(/registrar\s+registrar@\S+\s+school 10\d/);
      expect(block).toMatch(/program coordinator\s+\S+\s+program 144 \(special education\)/);
      expect(block).toContain(
        `Ed-Fi demo run done. Scorecard: http://localhost:${port}/districts/${gbId}/scorecard`,
      );
      expect(block).toMatch(/Demo history ready: (\d{4}-\d\d-\d\d done, ){3}\d{4}-\d\d-\d\d done/);

      // The Ed-Fi district's scorecard: the TX rules evaluated on the Grand Bend sample, with exceptions.
      const gbCard = (await (
        await fetch(`${demo.url}/api/districts/${gbId}/scorecard`, { headers: { cookie: gb.cookie } })
      ).json()) as { runId: string; score: number; rules: Array<{ ruleId: string; failed: number }> };
      expect(gbCard.runId).toBe(gbRuns[0].id);
      expect(gbCard.rules.length).toBeGreaterThan(0);
      expect(gbCard.rules.some((r) => r.ruleId.startsWith('TX-'))).toBe(true);
      expect(gbCard.rules.some((r) => r.failed > 0)).toBe(true);
      expect(gbCard.score).toBeGreaterThan(0);
      expect(gbCard.score).toBeLessThan(100);
      const gbExceptions = (await (
        await fetch(`${demo.url}/api/districts/${gbId}/exceptions`, { headers: { cookie: gb.cookie } })
      ).json()) as { total: number };
      expect(gbExceptions.total).toBeGreaterThan(0);

      const me: Record<string, { role: string; schoolIds: string[]; programCodes: string[] }> = {};
      let adminCookie = '';
      for (const email of logins) {
        const res = await fetch(`${demo.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: DEMO_PASSWORD }),
        });
        expect([email, res.status]).toEqual([email, 200]);
        const body = (await res.json()) as { user: (typeof me)[string] };
        me[email] = body.user;
        if (email === DEMO_USERS.admin)
          adminCookie = res.headers
            .getSetCookie()
            .map((c) => c.split(';')[0])
            .join('; ');
      }
      // The scopes are the demo's real schools and programs.
      const [schoolId] = me[DEMO_USERS.registrar].schoolIds;
      expect(me[DEMO_USERS.registrar]).toMatchObject({ role: 'school_user' });
      expect(me[DEMO_USERS.coordinator]).toMatchObject({ role: 'program_user', programCodes: ['144'] });
      const districts = (await (
        await fetch(`${demo.url}/api/districts`, { headers: { cookie: adminCookie } })
      ).json()) as Array<{ id: string }>;
      const districtId = districts[0].id;
      const card = await fetch(`${demo.url}/api/districts/${districtId}/scorecard`, {
        headers: { cookie: adminCookie },
      });
      expect(card.status).toBe(200);
      const scorecard = (await card.json()) as {
        score: number;
        trend: Array<{ score: number }>;
        schools: Array<{ schoolId: string }>;
        findings: { new: number; persisting: number; resolved: number };
      };
      expect(typeof scorecard.score).toBe('number');
      expect(scorecard.score).toBeGreaterThan(0);
      expect(scorecard.score).toBeLessThan(100);
      expect(scorecard.trend.length).toBeGreaterThanOrEqual(4);
      expect(scorecard.findings.persisting).toBeGreaterThan(0);
      expect(scorecard.schools.map((x) => x.schoolId)).toContain(schoolId);
    } finally {
      const code = await demo.stop();
      // A failed shutdown says why: the service's last output.
      expect([code, code === 0 ? '' : demo.output().slice(-4000)]).toEqual([0, '']);
    }
  }, 1_900_000);

  it('refuses to start with invalid configuration and names every problem', async () => {
    const res = await runCli(['migrate'], {
      ...env,
      PORT: 'eighty',
      NODE_ENV: 'production',
      SECRETS_KEY: undefined,
    });
    expect(res.code).toBe(1);
    expect(res.out).toContain('PORT="eighty"');
    expect(res.out).toContain('SECRETS_KEY: required when NODE_ENV=production');
  });
});
