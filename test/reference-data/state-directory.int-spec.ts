import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { applyDirectoryToSnapshot } from 'src/snapshots/snapshot-directory.repository';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { runCli } from 'test/helpers/process';

const FILE = join(__dirname, '..', 'fixtures', 'reference', 'ca-pubschls-extract.txt');
const EXTRACT = readFileSync(FILE, 'utf8');

/** The extract plus a closed school, in the same layout. */
function withClosedSchool(): string {
  const [header, first] = EXTRACT.split('\n');
  const cols = header.split('\t');
  const cells = first.split('\t');
  const set = (name: string, v: string): void => {
    cells[cols.indexOf(name)] = v;
  };
  set('CDSCode', '10622656099999');
  set('StatusType', 'Closed');
  set('School', 'Old Mill Elementary');
  set('GSoffered', 'K-5');
  set('ClosedDate', '2019-06-30');
  return `${EXTRACT.trimEnd()}\n${cells.join('\t')}\n`;
}

describe('state school directory: load from the state file, apply to snapshots', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const directory = async (): Promise<Array<Record<string, unknown>>> =>
    (
      await t.db.pool.query(
        `SELECT school_code, status, low_grade, high_grade, school_type, source_file
         FROM state_school_directory WHERE state = 'CA' ORDER BY school_code`,
      )
    ).rows;

  it('loads CDE pubschls through the CLI', async () => {
    const r = await runCli(['reference', 'load', '--state', 'CA', '--file', FILE], {
      DATABASE_URL: t.db.url,
      SECRETS_KEY: randomBytes(32).toString('base64'),
    });
    expect(r.out).toContain(
      'CA school directory loaded from ca-pubschls-extract.txt (cde-pubschls): 3 schools',
    );
    expect(r.code).toBe(0);
    expect(await directory()).toEqual([
      {
        school_code: '0116640',
        status: 'open',
        low_grade: '09',
        high_grade: '12',
        school_type: 'High Schools (Public)',
        source_file: 'ca-pubschls-extract.txt',
      },
      expect.objectContaining({ school_code: '0130880', low_grade: 'KG', high_grade: '12' }),
      expect.objectContaining({ school_code: '0133454', low_grade: 'KG', high_grade: '12' }),
    ]);
    const bad = await runCli(['reference', 'load', '--state', 'CA', '--file', join(__dirname, 'nope.txt')], {
      DATABASE_URL: t.db.url,
      SECRETS_KEY: randomBytes(32).toString('base64'),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/cannot read/);
  });

  it('support replaces the directory through the API; others may not; a wrong file changes nothing', async () => {
    const support = await t.user('support', null);
    const district = await factory.district(t.db.pool);
    const admin = await t.user('district_admin', district.id);
    const body = { state: 'CA', fileName: 'pubschls.txt', content: withClosedSchool() };
    await t.http
      .post('/api/reference/school-directory')
      .set('Authorization', `Bearer ${admin.token}`)
      .send(body)
      .expect(403);
    const res = await t.http
      .post('/api/reference/school-directory')
      .set('Authorization', `Bearer ${support.token}`)
      .send(body)
      .expect(201);
    expect(res.body).toMatchObject({ state: 'CA', format: 'cde-pubschls', rowsLoaded: 4, rowsRejected: 0 });
    expect((await directory()).map((d) => [d.school_code, d.status])).toEqual([
      ['0116640', 'open'],
      ['0130880', 'open'],
      ['0133454', 'open'],
      ['6099999', 'closed'],
    ]);
    const wrong = await t.http
      .post('/api/reference/school-directory')
      .set('Authorization', `Bearer ${support.token}`)
      .send({ state: 'CA', fileName: 'askted.csv', content: 'Campus,Name\n001,X\n' })
      .expect(400);
    expect((wrong.body as { message: string }).message).toMatch(/no school could be loaded.*unchanged/);
    expect(await directory()).toHaveLength(4);
    await t.http
      .post('/api/reference/school-directory')
      .set('Authorization', `Bearer ${support.token}`)
      .send({ ...body, format: 'cde-pubschls', state: 'TX' })
      .expect(400);
    const loads = await t.http
      .get('/api/reference/school-directory/loads?state=CA')
      .set('Authorization', `Bearer ${support.token}`)
      .expect(200);
    expect((loads.body as Array<{ sourceFile: string; loadedBy: string }>)[0]).toMatchObject({
      sourceFile: 'pubschls.txt',
      loadedBy: support.email,
    });
  });

  it("copies the directory's status and grade span onto a snapshot's schools, missing codes included", async () => {
    const district = await factory.district(t.db.pool);
    const link = await factory.link(t.db.pool, district.id);
    const snapshotId = await factory.snapshot(t.db.pool, district.id, link.id);
    await t.db.pool.query(
      `INSERT INTO snap_school (snapshot_id, row_no, source_key, school_id, state_school_id, low_grade, high_grade)
       VALUES ($1, 1, 'LOC:CD=1', '1', '0116640', 'KG', '12'), ($1, 2, 'LOC:CD=2', '2', '6099999', 'KG', '05'),
              ($1, 3, 'LOC:CD=3', '3', '1234567', 'KG', '05'), ($1, 4, 'LOC:CD=4', '4', NULL, 'KG', '05')`,
      [snapshotId],
    );
    const runner = new PoolSqlRunner(t.db.pool);
    expect(await applyDirectoryToSnapshot(runner, snapshotId, 'TX')).toEqual({
      loaded: false,
      matched: 0,
      missing: 0,
    });
    expect(await applyDirectoryToSnapshot(runner, snapshotId, 'CA')).toEqual({
      loaded: true,
      matched: 2,
      missing: 2,
    });
    const { rows } = await t.db.pool.query(
      `SELECT school_id, directory_status, directory_low_grade, directory_high_grade
       FROM snap_school WHERE snapshot_id = $1 ORDER BY row_no`,
      [snapshotId],
    );
    expect(rows).toEqual([
      { school_id: '1', directory_status: 'open', directory_low_grade: '09', directory_high_grade: '12' },
      { school_id: '2', directory_status: 'closed', directory_low_grade: 'KG', directory_high_grade: '05' },
      { school_id: '3', directory_status: 'missing', directory_low_grade: null, directory_high_grade: null },
      { school_id: '4', directory_status: 'missing', directory_low_grade: null, directory_high_grade: null },
    ]);
  });
});
