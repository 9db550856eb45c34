import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';

const ROWS = 100_000;

/** A full garbage collection, so heapUsed is what is still referenced. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * A 100k-finding export streams: every row arrives, formulas are neutralised, and the memory the process still
 * holds (after full collections while the response arrives) stays far below the CSV's size.
 */
describe('CSV export of a large exceptions list', () => {
  let t: TestApp;
  let admin: TestUser;
  let districtId: string;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'silent' });
    const pool = t.db.pool;
    const d = await factory.district(pool, { name: 'Large Unified' });
    districtId = d.id;
    const linkId = (await factory.link(pool, districtId)).id;
    const snapshotId = await factory.snapshot(pool, districtId, linkId);
    const evaluationId = randomUUID();
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO runs (district_id, kind, status, as_of, school_year, current_link_id, trigger_kind)
       VALUES ($1, 'manual', 'done', '2026-11-01', 2026, $2, 'cli') RETURNING id`,
      [districtId, linkId],
    );
    const runId = rows[0].id;
    await pool.query(
      `INSERT INTO scorecard_evaluations (evaluation_id, district_id, run_id, side, link_id, snapshot_id, as_of, students)
       VALUES ($1, $2, $3, 'current', $4, $5, '2026-11-01', $6)`,
      [evaluationId, districtId, runId, linkId, snapshotId, ROWS],
    );
    await pool.query(
      `INSERT INTO rule_results (evaluation_id, district_id, snapshot_id, rule_id, entity, severity, checked, failed, status)
       VALUES ($1, $2, $3, 'COM-STU-003', 'student', 'fatal', $4, $4, 'fail')`,
      [evaluationId, districtId, snapshotId, ROWS],
    );
    await pool.query(
      `INSERT INTO rule_exceptions (evaluation_id, district_id, snapshot_id, rule_id, entity, row_no, source_key, record_key,
                                    school_id, student_id, "values", fingerprint)
       SELECT $1, $2, $3, 'COM-STU-003', 'student', g, 'STU:SC=101;SN=' || g, g::text, '101', g::text,
              jsonb_build_object('birth_date', NULL, 'note', repeat('x', 300)), md5('COM-STU-003|' || g)
       FROM generate_series(1, $4::int) g`,
      [evaluationId, districtId, snapshotId, ROWS],
    );
    await pool.query(
      `INSERT INTO scorecard_students (evaluation_id, district_id, student_id, state_student_id, last_name, first_name, grade, school_id)
       SELECT $1, $2, g::text, 'SSID' || g, CASE WHEN g % 1000 = 0 THEN '=cmd|calc' ELSE 'Garcia' END, '@Ana', '05', '101'
       FROM generate_series(1, $3::int) g`,
      [evaluationId, districtId, ROWS],
    );
    await pool.query(`ANALYZE rule_exceptions`);
    admin = await t.user('district_admin', districtId);
  }, 600_000);

  afterAll(() => t?.close());

  it('streams every row with flat memory and neutralised formulas', async () => {
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let sampledAt = 0;
    let bytes = 0;
    let lines = 0;
    let formulas = 0;
    let raw = 0;
    let tail = '';
    const res = await t.http
      .get(`/api/districts/${districtId}/exceptions.csv`)
      .auth(admin.token, { type: 'bearer' })
      .buffer(true)
      .parse((r, cb) => {
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => {
          bytes += chunk.length;
          const text = tail + chunk;
          const parts = text.split('\n');
          tail = parts.pop() ?? '';
          for (const line of parts) {
            lines += 1;
            if (line.includes(",'=cmd|calc,")) formulas += 1;
            if (/,=|,@/.test(line)) raw += 1;
          }
          // Every ~8 MB received: what the process still holds after a full collection.
          if (bytes - sampledAt > 8_000_000) {
            sampledAt = bytes;
            collectGarbage();
            peak = Math.max(peak, process.memoryUsage().heapUsed);
          }
        });
        r.on('end', () => cb(null, null));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(lines).toBe(ROWS + 1);
    expect(formulas).toBe(ROWS / 1000);
    expect(raw).toBe(0);
    expect(bytes).toBeGreaterThan(40_000_000);
    // Live memory while streaming stays far below the CSV's size (holding the rows would take several times it).
    expect(peak - baseline).toBeLessThan(bytes / 4);
  }, 900_000); // 100,000 rows through a loaded machine; the assertions are on memory and content, never on time
});
