import { randomUUID } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { EXTRACTION_POOL } from 'src/extraction/extraction.module';
import { SnapshotWriterRepository } from 'src/snapshots/snapshot-writer.repository';
import { SCORECARDS_POOL } from 'src/scorecards/scorecards.repository';
import { type TestApp, createTestApp } from 'test/helpers/app';
import { waitFor } from 'test/notifications/support/smtp-capture';
import { ADMIN_URL } from 'test/helpers/test-env';

/** Terminates the backends of `app` on `database` that are running `like`; resolves with how many. */
async function terminate(database: string, app: string, like = '%'): Promise<number> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND application_name = $2 AND query ILIKE $3 AND pid <> pg_backend_pid()`,
      [database, app, like],
    );
    return rows[0].n;
  } finally {
    await admin.end();
  }
}

/**
 * Issue 12, hole 3: terminating an idle connection of a plain pg pool emitted an unhandled 'error' event and
 * ended the service for every district. The service must stay up and the pool must serve the next query.
 */
describe('database connection faults', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  it.each([
    ['extraction', EXTRACTION_POOL, 'sis-certify-extraction'],
    ['scorecards export', SCORECARDS_POOL, 'sis-certify-scorecards-export'],
  ])('an idle %s connection terminated by the server is dropped, not fatal', async (_name, token, app) => {
    const pool = t.app.get<Pool>(token);
    await pool.query('SELECT 1');
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      const killed = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND application_name = $2 AND state = 'idle'`,
        [t.db.name, app],
      );
      expect(killed.rows[0].n).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
    // No listener of the test's own here: the pool's handler is what keeps the process alive.
    await waitFor('the terminated connection dropped from the pool', () => pool.totalCount === 0);
    const again = await waitFor('the pool serves a new connection', async () => {
      const r = await pool.query<{ ok: number }>('SELECT 1 AS ok').catch(() => null);
      return r?.rows[0].ok === 1 ? r : null;
    });
    expect(again.rows[0].ok).toBe(1);
    await t.http.get('/health').expect(200);
  });

  it('a COPY into the store whose backend is terminated rejects, and the pool discards the connection', async () => {
    const pool = t.app.get<Pool>(EXTRACTION_POOL);
    const repo = new SnapshotWriterRepository(pool);
    const write = await repo.beginEntity(randomUUID(), 'program', await repo.columns('program'));
    // A source that never produces a row: the COPY is open and waits on it, as on a SIS held by a lock.
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    async function* lines(): AsyncIterable<string> {
      await held;
      yield* [];
    }
    const copying = write.copyRows(lines());
    void copying.catch(() => undefined);
    await waitFor('the COPY running', async () => {
      const { rows } = await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sis-certify-extraction'
            AND query LIKE 'COPY snap_program%'`,
      );
      return rows[0].n === 1;
    });
    try {
      expect(await terminate(t.db.name, 'sis-certify-extraction', 'COPY snap_program%')).toBe(1);
      // Before the fix the checked-out client had no 'error' listener: the process died right here.
      await expect(copying).rejects.toThrow(/terminat/);
      await write.abort();
    } finally {
      release();
    }
    const again = await waitFor('the pool serves a new connection', async () => {
      const r = await pool.query<{ ok: number }>('SELECT 1 AS ok').catch(() => null);
      return r?.rows[0].ok === 1 ? r : null;
    });
    expect(again.rows[0].ok).toBe(1);
    await t.http.get('/health').expect(200);
  });
});
