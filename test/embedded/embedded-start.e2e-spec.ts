import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from 'src/common/paths.util';
import { DEMO_PASSWORD, DEMO_USERS } from 'src/demo/demo-seed';
import { runCli, startService } from 'test/helpers/process';

async function until(ok: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return true;
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

  it('seeds the demo: the start-up block names the URL and four logins that work, and the scorecard has a score and a trend', async () => {
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
      const ready = await until(() => /Demo history ready/.test(demo.output()), 900_000);
      expect(ready).toBe(true);
      const block = demo.output().slice(demo.output().lastIndexOf('sis-certify is ready:'));
      // PUBLIC_URL follows PORT when unset.
      expect(block).toContain(`sis-certify is ready: http://localhost:${port}`);
      expect(block).toContain(`password: ${DEMO_PASSWORD}`);
      const logins = Object.values(DEMO_USERS);
      for (const email of logins) expect(block).toContain(email);
      expect(block).toMatch(/registrar\s+registrar@\S+\s+school 10\d/);
      expect(block).toMatch(/program coordinator\s+\S+\s+program 144 \(special education\)/);
      expect(block).toMatch(/Demo history ready: (\d{4}-\d\d-\d\d done, ){3}\d{4}-\d\d-\d\d done/);

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
      expect(await demo.stop()).toBe(0);
    }
  }, 1_500_000);

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
