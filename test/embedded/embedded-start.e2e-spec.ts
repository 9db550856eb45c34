import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startService } from 'test/helpers/process';

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
      // A second process on the same data directory is refused instead of corrupting it.
      const clash = await runCli(['district', 'list'], env);
      expect(clash.code).toBe(1);
      expect(clash.out).toMatch(/is in use by process \d+/);
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
  });

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
