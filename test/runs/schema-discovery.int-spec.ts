import { Client } from 'pg';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

interface LinkTest {
  reachable: boolean;
  schema: {
    missingRequired: string[];
    absent: string[];
    notSupplied: Array<{ entity: string; field: string; reason: string }>;
    droppedRules: Array<{ ruleId: string; reason: string }>;
  } | null;
}

interface RunBody {
  id: string;
  status: string;
  error: string | null;
  steps: Array<{ step: string; target: string; status: string; reason: string | null; leftOut: string[] }>;
}

/** Runs DDL on a generated replica (a SIS version, state edition or customisation without some objects). */
async function alter(db: TestDatabase, sql: string): Promise<void> {
  const c = new Client({ connectionString: db.url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Schema discovery: "test link" and every extraction inspect the SIS's native schema first. An Aeries without
 * STU.SX / LAC and a PowerSchool without S_CA_STU_X / S_CA_STU_ELA_C / StudentRace / the State_ExcludeFromReporting
 * columns run to the end, their fields marked not
 * supplied and the rules needing them dropped by name; a replica missing required columns stops the run before
 * anything is extracted, naming every TABLE.Column.
 */
describe('schema discovery', () => {
  let t: TestApp;
  let aeries: TestDatabase;
  let powerschool: TestDatabase;
  let broken: TestDatabase;
  let admin: TestUser;

  beforeAll(async () => {
    [aeries, powerschool, broken] = await Promise.all([
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
    ]);
    await generateDistrict(aeries.url, { sis: 'aeries', students: 150, seed: 'schema-a', ...YEAR });
    await generateDistrict(powerschool.url, { sis: 'powerschool', students: 150, seed: 'schema-p', ...YEAR });
    await generateDistrict(broken.url, { sis: 'aeries', students: 60, seed: 'schema-b', ...YEAR });
    await alter(aeries, `ALTER TABLE STU DROP COLUMN SX; DROP TABLE LAC`);
    await alter(
      powerschool,
      `DROP TABLE S_CA_STU_X; DROP TABLE S_CA_STU_ELA_C; DROP TABLE StudentRace; DROP TABLE SECTIONTEACHER;
       ALTER TABLE STUDENTS DROP COLUMN State_ExcludeFromReporting; ALTER TABLE SCHOOLS DROP COLUMN State_ExcludeFromReporting`,
    );
    await alter(broken, `ALTER TABLE STU DROP COLUMN CID; ALTER TABLE ENR DROP COLUMN ER; DROP TABLE PGM`);
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RUN_WORKERS: 'on',
      RUN_SCHEDULER: 'off',
      RUN_QUEUE_POLL_SECONDS: '0.5',
      RUN_LEASE_SECONDS: '6',
      RUN_JOB_RETRY_DELAY_SECONDS: '1',
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([aeries?.drop(), powerschool?.drop(), broken?.drop()]);
  });

  const district = async (): Promise<string> => {
    const id = (await factory.district(t.db.pool, { time_zone: 'America/Los_Angeles' })).id;
    admin = await t.user('district_admin', id);
    return id;
  };
  const testLink = async (districtId: string, linkId: string): Promise<LinkTest> =>
    (
      await t.http
        .post(`/api/districts/${districtId}/links/${linkId}/test`)
        .auth(admin.token, { type: 'bearer' })
        .send({})
        .expect(200)
    ).body as LinkTest;
  const run = async (districtId: string): Promise<RunBody> => {
    const started = (
      await t.http
        .post(`/api/districts/${districtId}/runs`)
        .auth(admin.token, { type: 'bearer' })
        .send({ asOf: YEAR.asOf })
        .expect(201)
    ).body as { id: string };
    await waitForRun(t.db.pool, started.id, Number(process.env.TEST_RUN_WAIT ?? 180_000));
    return (
      await t.http
        .get(`/api/districts/${districtId}/runs/${started.id}`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200)
    ).body as RunBody;
  };

  it('names what a link without optional tables and columns cannot supply, and the rules that drop out', async () => {
    const districtId = await district();
    const oldLink = await replicaLink(t.db.pool, districtId, aeries, { role: 'old', sis: 'aeries' });
    const newLink = await replicaLink(t.db.pool, districtId, powerschool, {
      role: 'new',
      sis: 'powerschool',
    });

    const a = await testLink(districtId, oldLink);
    expect(a.reachable).toBe(true);
    expect(a.schema?.missingRequired).toEqual([]);
    expect(a.schema?.absent).toEqual(['LAC', 'STU.SX']);
    // STU.SX is GN's fallback: sex is still supplied; LAC is the only source of EL status and its start date.
    expect(a.schema?.notSupplied).toEqual([
      { entity: 'student', field: 'el_status', reason: 'table LAC is not in the SIS schema' },
      { entity: 'student', field: 'elas_start_date', reason: 'table LAC is not in the SIS schema' },
    ]);
    expect(a.schema?.droppedRules.length).toBeGreaterThan(0);
    for (const r of a.schema?.droppedRules ?? [])
      expect(r.reason).toMatch(/student\.(el_status|elas_start_date) not supplied/);

    const p = await testLink(districtId, newLink);
    expect([...(p.schema?.absent ?? [])].sort()).toEqual(
      [
        'S_CA_STU_ELA_C',
        'S_CA_STU_X',
        'SCHOOLS.State_ExcludeFromReporting',
        'SECTIONTEACHER',
        'STUDENTS.State_ExcludeFromReporting',
        'StudentRace',
      ].sort(),
    );
    // Without SCHOOLS.State_ExcludeFromReporting only the graduated-students school is excluded: no field lost.
    expect(p.schema?.notSupplied.map((f) => `${f.entity}.${f.field}`).sort()).toEqual([
      'section_staff.begin_date',
      'section_staff.end_date',
      'student.el_status',
      'student.elas_start_date',
      'student.races',
      'student.state_reporting_excluded',
    ]);
    const psDropped = p.schema?.droppedRules.map((r) => r.reason).join('\n') ?? '';
    expect(psDropped).toMatch(/student\.races not supplied \(table StudentRace is not in the SIS schema\)/);

    const r = await run(districtId);
    expect(r).toMatchObject({ status: 'done', error: null });
    const step = (name: string, target: string) =>
      r.steps.find((s) => s.step === name && s.target === target);
    expect(step('extract', 'old')?.leftOut).toEqual([
      'student.el_status: table LAC is not in the SIS schema',
      'student.elas_start_date: table LAC is not in the SIS schema',
    ]);
    expect(step('extract', 'new')?.leftOut.sort()).toEqual([
      // Without SECTIONTEACHER the lead teacher alone, undated.
      'section_staff.begin_date: table SECTIONTEACHER is not in the SIS schema',
      'section_staff.end_date: table SECTIONTEACHER is not in the SIS schema',
      'student.el_status: table S_CA_STU_X is not in the SIS schema',
      'student.elas_start_date: table S_CA_STU_ELA_C is not in the SIS schema',
      'student.races: table StudentRace is not in the SIS schema',
      'student.state_reporting_excluded: column STUDENTS.State_ExcludeFromReporting is not in the SIS schema',
    ]);
    // The rules that dropped out are the ones "test link" named, each with its reason.
    expect(step('evaluate', 'old')?.leftOut).toEqual(
      a.schema?.droppedRules.map((d) => `${d.ruleId} dropped: ${d.reason}`),
    );
    expect(step('evaluate', 'new')?.leftOut).toEqual(
      p.schema?.droppedRules.map((d) => `${d.ruleId} dropped: ${d.reason}`),
    );
    expect(step('compare', 'old-new')?.status).toBe('done');
    const students = await t.db.pool.query<{ side: string; n: string; el: string; races: string }>(
      `SELECT s.link_id = $2 AS side, count(*) AS n, count(st.el_status) AS el, count(st.races) AS races
       FROM snapshots s JOIN snap_student st ON st.snapshot_id = s.id
       WHERE s.run_id = $1 GROUP BY 1 ORDER BY 1`,
      [r.id, oldLink],
    );
    // Both sides extracted every student, with the unsupplied fields empty; the comparison reports no
    // el_status or races difference (a field one side cannot supply is no difference).
    expect(students.rows.map((x) => Number(x.n))).toEqual([expect.any(Number), expect.any(Number)]);
    expect(students.rows.every((x) => Number(x.n) >= 150 && Number(x.el) === 0)).toBe(true);
    const fieldDiffs = await t.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM comparison_differences d JOIN comparisons c ON c.id = d.comparison_id
       WHERE c.run_id = $1 AND d.field IN ('el_status', 'races')`,
      [r.id],
    );
    expect(Number(fieldDiffs.rows[0].n)).toBe(0);
  });

  it('stops a run whose SIS lacks required columns before extracting, naming every TABLE.Column', async () => {
    const districtId = await district();
    const link = await replicaLink(t.db.pool, districtId, broken, { role: 'current', sis: 'aeries' });
    const check = await testLink(districtId, link);
    expect(check.schema?.missingRequired).toEqual([
      'ENR.ER',
      'PGM.CD',
      'PGM.DEL',
      'PGM.PED',
      'PGM.PID',
      'PGM.PSD',
      'STU.CID',
    ]);
    const r = await run(districtId);
    expect(r.status).toBe('failed');
    expect(r.error).toContain(
      'lacks 7 column(s) the extraction needs: ENR.ER, PGM.CD, PGM.DEL, PGM.PED, PGM.PID, PGM.PSD, STU.CID',
    );
    const { rows } = await t.db.pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM snapshot_checkpoints k WHERE k.snapshot_id = s.id) +
              (SELECT count(*) FROM snap_school x WHERE x.snapshot_id = s.id) AS n
       FROM snapshots s WHERE s.run_id = $1`,
      [r.id],
    );
    expect(rows.map((x) => Number(x.n))).toEqual([0]);
  });

  it('says why when the link cannot be reached, without inspecting anything', async () => {
    const districtId = await district();
    const link = await replicaLink(t.db.pool, districtId, broken, { role: 'current', sis: 'aeries' });
    await t.db.pool.query(
      `UPDATE sis_links SET settings = settings || jsonb_build_object('database', 'no_such_database_x') WHERE id = $1`,
      [link],
    );
    const check = await testLink(districtId, link);
    expect(check).toMatchObject({ reachable: false, schema: null, error: { code: 'UNREACHABLE' } });
  });
});
