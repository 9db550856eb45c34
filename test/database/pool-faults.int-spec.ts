import { Client, type Pool } from 'pg';
import { EXTRACTION_POOL } from 'src/extraction/extraction.module';
import { SCORECARDS_POOL } from 'src/scorecards/scorecards.repository';
import { type TestApp, createTestApp } from 'test/helpers/app';
import { waitFor } from 'test/notifications/support/smtp-capture';
import { ADMIN_URL } from 'test/helpers/test-env';

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
});
