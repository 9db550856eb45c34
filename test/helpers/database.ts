import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { runMigrations } from 'src/database/data-source';
import { startEmbeddedPostgres } from 'src/database/embedded/embedded-postgres';
import { ADMIN_URL, TEMPLATE_ENV, databaseUrl } from 'test/helpers/test-env';

/**
 * A spec's own pool. `pool.end()` resolves once its clients are told to close, not once the server has let
 * them go, so `DROP DATABASE … WITH (FORCE)` right after can terminate one (57P01): the pool then emits
 * 'error', and with no listener that fails the whole spec file after its tests passed.
 */
function specPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 5 });
  pool.on('error', () => undefined);
  return pool;
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh, migrated database for one spec file, cloned from the template the global setup built.
 * Call `drop()` in afterAll. `scratch: true` gives an empty database (no migrations), e.g. for SIS replicas.
 */
export async function createTestDatabase(opts: { scratch?: boolean } = {}): Promise<TestDatabase> {
  if (process.env.TEST_EMBEDDED === '1') return createEmbeddedTestDatabase(opts);
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('the int/e2e global setup did not run (no template database)');
  const name = `${template.replace('_tpl_', '_t_')}_${randomBytes(3).toString('hex')}`;
  await admin(async (c) => {
    // CREATE DATABASE … TEMPLATE fails while another session is connected to the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(
          opts.scratch ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`,
        );
        return;
      } catch (err) {
        if (attempt > 20) throw err;
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  });
  const url = databaseUrl(name);
  const pool = specPool(url);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * TEST_EMBEDDED=1: the same specs on the embedded PostgreSQL (PGlite). PGlite serves a single database,
 * so each spec database is its own PGlite process in a temporary directory.
 */
async function createEmbeddedTestDatabase(opts: { scratch?: boolean }): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'sis-certify-pglite-'));
  const embedded = await startEmbeddedPostgres(join(dir, 'pgdata'));
  if (!opts.scratch) await runMigrations(embedded.url);
  const pool = specPool(embedded.url);
  return {
    name: dir,
    url: embedded.url,
    pool,
    async drop() {
      await pool.end();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
