import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { applyDirectoryToSnapshot } from 'src/snapshots/snapshot-directory.repository';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { runCli } from 'test/helpers/process';

const FILE = join(__dirname, '..', 'fixtures', 'reference', 'tx-askted-extract.csv');

describe("Texas school directory: TEA's AskTED file loaded and applied to a Texas snapshot", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('loads the AskTED download through the CLI (the state picks the format) and marks campuses open, closed or missing', async () => {
    const r = await runCli(['reference', 'load', '--state', 'TX', '--file', FILE], {
      DATABASE_URL: t.db.url,
      SECRETS_KEY: randomBytes(32).toString('base64'),
    });
    expect(r.out).toContain(
      'TX school directory loaded from tx-askted-extract.csv (tea-askted): 6 schools, 0 problem line(s)',
    );
    expect(r.code).toBe(0);
    const { rows: loaded } = await t.db.pool.query(
      `SELECT school_code, status, low_grade, high_grade, school_type FROM state_school_directory
       WHERE state = 'TX' ORDER BY school_code`,
    );
    expect(loaded).toHaveLength(6);
    expect(loaded[2]).toEqual({
      school_code: '001902103',
      status: 'open',
      low_grade: 'PR',
      high_grade: '05',
      school_type: 'REGULAR INSTRUCTIONAL',
    });

    const district = await factory.district(t.db.pool, { state: 'TX', time_zone: 'America/Chicago' });
    const link = await factory.link(t.db.pool, district.id, { sis_kind: 'infinite_campus' });
    const snapshotId = await factory.snapshot(t.db.pool, district.id, link.id, {
      sisKind: 'infinite_campus',
    });
    await t.db.pool.query(
      `INSERT INTO snap_school (snapshot_id, row_no, source_key, school_id, state_school_id, active)
       VALUES ($1, 1, 'School:internal_id=1', '1', '001902041', true), ($1, 2, 'School:internal_id=2', '2', '001902999', true)`,
      [snapshotId],
    );
    expect(await applyDirectoryToSnapshot(new PoolSqlRunner(t.db.pool), snapshotId, 'TX')).toEqual({
      loaded: true,
      matched: 1,
      missing: 1,
    });
    const { rows } = await t.db.pool.query(
      `SELECT school_id, directory_status, directory_low_grade, directory_high_grade, directory_type
       FROM snap_school WHERE snapshot_id = $1 ORDER BY row_no`,
      [snapshotId],
    );
    expect(rows).toEqual([
      {
        school_id: '1',
        directory_status: 'open',
        directory_low_grade: '06',
        directory_high_grade: '08',
        directory_type: 'REGULAR INSTRUCTIONAL',
      },
      {
        school_id: '2',
        directory_status: 'missing',
        directory_low_grade: null,
        directory_high_grade: null,
        directory_type: null,
      },
    ]);
  });
});
