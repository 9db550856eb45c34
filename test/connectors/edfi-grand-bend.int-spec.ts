import { edfiConnector } from 'connectors/edfi/edfi.connector';
import { EdfiApiClient } from 'connectors/sdk/drivers/edfi/edfi-api.client';
import { EdfiDriver } from 'connectors/sdk/drivers/edfi/edfi.driver';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { defaultCodeMapsFor } from 'connectors/sdk/connector.types';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { extractSnapshot } from 'src/extraction/extraction.service';
import type { ExtractionReport } from 'src/extraction/extraction.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { startEdfiOdsServer, type EdfiOdsServer } from 'test/helpers/edfi-ods-server';
import { grandBendDir, GRAND_BEND_COUNTS } from 'test/helpers/edfi-sample';
import { factory } from 'test/helpers/factory';

const YEAR = { schoolYear: 2021, asOf: '2022-03-01' };

async function extractEdfi(
  svc: TestDatabase,
  driver: EdfiDriver,
  state: 'TX' | 'CA',
): Promise<{ snapshotId: string; report: ExtractionReport }> {
  const district = await factory.district(svc.pool, { state });
  const link = await factory.link(svc.pool, district.id, {
    sis_kind: 'edfi',
    role: 'current',
    settings: { driver: driver.kind },
  });
  const snapshotId = await factory.snapshot(svc.pool, district.id, link.id, {
    sisKind: 'edfi',
    ...YEAR,
    status: 'extracting',
  });
  const report = await extractSnapshot({
    pool: svc.pool,
    snapshotId,
    connector: edfiConnector,
    rows: new DriverRowSource(driver, { batchSize: 250 }),
    codeMaps: defaultCodeMapsFor(edfiConnector, state),
    state,
    ...YEAR,
  });
  return { snapshotId, report };
}

describe('Ed-Fi Grand Bend sample through the XML interchange transport', () => {
  let svc: TestDatabase;
  let snapshotId: string;
  let report: ExtractionReport;

  beforeAll(async () => {
    svc = await createTestDatabase();
    const driver = new EdfiDriver('edfi_xml', { linkName: 'Grand Bend XML', path: grandBendDir() });
    ({ snapshotId, report } = await extractEdfi(svc, driver, 'TX'));
  });

  afterAll(async () => {
    await svc.drop();
  });

  const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await svc.pool.query<T>(sql, params)).rows;

  it('extracts exactly the element counts of the sample, per entity', async () => {
    expect(Object.fromEntries(report.entities.map((e) => [e.entity, e.rows]))).toEqual(GRAND_BEND_COUNTS);
    for (const entity of CANONICAL_ENTITIES) {
      const [{ n }] = await q<{ n: string }>(
        `SELECT count(*) AS n FROM snap_${entity} WHERE snapshot_id = $1`,
        [snapshotId],
      );
      expect([entity, Number(n)]).toEqual([entity, GRAND_BEND_COUNTS[entity]]);
    }
  });

  it('maps grade descriptors through the default Ed-Fi map: the README grade counts per school', async () => {
    const rows = await q<{ school_id: string; grade_level: string; n: string }>(
      `SELECT school_id, grade_level, count(*) AS n FROM snap_enrollment WHERE snapshot_id = $1
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [snapshotId],
    );
    const by = Object.fromEntries(rows.map((r) => [`${r.school_id}:${r.grade_level}`, Number(r.n)]));
    expect(by).toEqual({
      '255901001:09': 81,
      '255901001:10': 80,
      '255901001:11': 79,
      '255901001:12': 80,
      '255901044:06': 80,
      '255901044:07': 80,
      '255901044:08': 80,
      '255901107:01': 80,
      '255901107:02': 80,
      '255901107:03': 80,
      '255901107:04': 80,
      '255901107:05': 80,
    });
    const [raw] = await q<{ grade_level_raw: string; school_year: number }>(
      `SELECT grade_level_raw, school_year FROM snap_enrollment WHERE snapshot_id = $1 AND student_id = '605675'`,
      [snapshotId],
    );
    expect(raw).toEqual({
      grade_level_raw: 'uri://ed-fi.org/GradeLevelDescriptor#Fifth grade',
      school_year: 2021,
    });
  });

  it('keeps the two withdrawals, reports their core exit types as unmapped for Texas with row counts', async () => {
    const exits = await q<{
      student_id: string;
      exit_date: string;
      exit_code: string | null;
      exit_code_raw: string;
    }>(
      `SELECT student_id, exit_date::text AS exit_date, exit_code, exit_code_raw FROM snap_enrollment
       WHERE snapshot_id = $1 AND exit_date IS NOT NULL ORDER BY student_id`,
      [snapshotId],
    );
    expect(exits).toEqual([
      {
        student_id: '605260',
        exit_date: '2022-05-05',
        exit_code: null,
        exit_code_raw: 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Dropout',
      },
      {
        student_id: '605522',
        exit_date: '2022-05-15',
        exit_code: null,
        exit_code_raw: 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Involuntarily Removed',
      },
    ]);
    const enrollment = report.entities.find((e) => e.entity === 'enrollment');
    expect(enrollment?.warnings).toEqual(
      expect.arrayContaining([
        "exit code 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Dropout' in StudentSchoolAssociation.ExitWithdrawType has no canonical mapping (1 row)",
        "exit code 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Involuntarily Removed' in StudentSchoolAssociation.ExitWithdrawType has no canonical mapping (1 row)",
      ]),
    );
    const issues = await q<{ kind: string; n: string }>(
      `SELECT kind, count(*) AS n FROM extraction_issues WHERE snapshot_id = $1 GROUP BY kind ORDER BY kind`,
      [snapshotId],
    );
    expect(issues).toEqual([{ kind: 'unmapped_code', n: '2' }]);
  });

  it('joins demographics from StudentEducationOrganizationAssociation and teachers from StaffSectionAssociation', async () => {
    const [{ with_hispanic }] = await q<{ with_hispanic: string }>(
      `SELECT count(*) AS with_hispanic FROM snap_student WHERE snapshot_id = $1 AND hispanic IS NOT NULL`,
      [snapshotId],
    );
    expect(Number(with_hispanic)).toBe(11);
    const [section] = await q<Record<string, string>>(
      `SELECT section_id, school_id, course_code, course_title, teacher_staff_id, term FROM snap_section
       WHERE snapshot_id = $1 AND section_id LIKE '%|25590110701Trad101ELA0112011'`,
      [snapshotId],
    );
    expect(section).toEqual({
      section_id: '255901107|2022|2021-2022 Fall Semester|ELA-01|25590110701Trad101ELA0112011',
      school_id: '255901107',
      course_code: 'ELA-01',
      course_title: expect.any(String),
      teacher_staff_id: '207219',
      term: '2021-2022 Fall Semester',
    });
    const [{ orphans }] = await q<{ orphans: string }>(
      `SELECT count(*) AS orphans FROM snap_student_section ss WHERE ss.snapshot_id = $1
       AND NOT EXISTS (SELECT 1 FROM snap_section s WHERE s.snapshot_id = ss.snapshot_id AND s.section_id = ss.section_id)`,
      [snapshotId],
    );
    expect(Number(orphans)).toBe(0);
  });
});

/** Every row of a snapshot per entity, without the snapshot id and arrival order, sorted by native key. */
async function snapshotRows(svc: TestDatabase, snapshotId: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const entity of CANONICAL_ENTITIES) {
    const { rows } = await svc.pool.query<Record<string, unknown>>(
      `SELECT * FROM snap_${entity} WHERE snapshot_id = $1 ORDER BY source_key`,
      [snapshotId],
    );
    out[entity] = rows.map(({ snapshot_id: _s, row_no: _r, ...rest }) => rest);
  }
  return out;
}

describe('Ed-Fi Grand Bend sample through a test ODS/API over HTTP', () => {
  let svc: TestDatabase;
  let ods: EdfiOdsServer;
  let xml: { snapshotId: string; report: ExtractionReport };
  let api: { snapshotId: string; report: ExtractionReport };

  beforeAll(async () => {
    [svc, ods] = await Promise.all([createTestDatabase(), startEdfiOdsServer(grandBendDir())]);
    const xmlDriver = new EdfiDriver('edfi_xml', { linkName: 'Grand Bend XML', path: grandBendDir() });
    xml = await extractEdfi(svc, xmlDriver, 'TX');
    // A 429 and a 503 on the way, and the token revoked once: the client backs off, renews and goes on.
    ods.failNext(1, 429);
    const apiDriver = new EdfiDriver('edfi_api', {
      linkName: 'Grand Bend ODS/API',
      url: ods.url,
      user: ods.clientId,
      password: ods.clientSecret,
    });
    api = await extractEdfi(svc, apiDriver, 'TX');
  });

  afterAll(async () => {
    await ods.close();
    await svc.drop();
  });

  it('extracts the same counts and an identical snapshot through both transports', async () => {
    expect(Object.fromEntries(api.report.entities.map((e) => [e.entity, e.rows]))).toEqual(GRAND_BEND_COUNTS);
    const [a, b] = await Promise.all([snapshotRows(svc, xml.snapshotId), snapshotRows(svc, api.snapshotId)]);
    for (const entity of CANONICAL_ENTITIES) {
      expect([entity, a[entity].length]).toEqual([entity, GRAND_BEND_COUNTS[entity]]);
      expect([entity, b[entity]]).toEqual([entity, a[entity]]);
    }
    expect(api.report.entities.map((e) => e.warnings)).toEqual(xml.report.entities.map((e) => e.warnings));
  });

  it('uses the real API shapes: discovery, a client-credentials token, offset/limit pages, a pinned change version', () => {
    expect(ods.requests[0]).toBe('GET /');
    expect(ods.requests).toContain('POST /oauth/token');
    expect(ods.requests).toContain('GET /changeQueries/v1/availableChangeVersions');
    const students = ods.requests.filter((r) => r.startsWith('GET /data/v3/ed-fi/students?'));
    // 960 students, 500 a page: two pages; every page bounded by the version pinned at the start.
    expect(students.length).toBeGreaterThanOrEqual(2);
    for (const r of students) expect(r).toMatch(/offset=(0|500)&limit=500&maxChangeVersion=\d+$/);
    expect(
      ods.requests.filter((r) =>
        r.startsWith('GET /data/v3/ed-fi/studentSpecialEducationProgramAssociations?'),
      ).length,
    ).toBeGreaterThan(0);
  });

  it('retries 429 and 5xx with back-off and renews a revoked token', async () => {
    const client = new EdfiApiClient({
      linkName: 'retry',
      baseUrl: ods.url,
      clientId: ods.clientId,
      clientSecret: ods.clientSecret,
      backoffMs: 10,
    });
    let schools = 0;
    for await (const page of client.pages('ed-fi/schools')) schools += page.length;
    ods.failNext(2, 503);
    ods.expireTokens();
    let staff = 0;
    for await (const page of client.pages('ed-fi/staffs')) staff += page.length;
    expect([schools, staff]).toEqual([3, 68]);
    ods.failNext(10, 503);
    const failing = new EdfiApiClient({
      linkName: 'down',
      baseUrl: ods.url,
      clientId: ods.clientId,
      clientSecret: ods.clientSecret,
      backoffMs: 1,
      maxAttempts: 3,
    });
    await expect(failing.probe()).rejects.toMatchObject({ code: 'UNREACHABLE' });
    ods.failNext(0, 503);
    const wrong = new EdfiApiClient({
      linkName: 'bad',
      baseUrl: ods.url,
      clientId: ods.clientId,
      clientSecret: 'nope',
    });
    const refused = await wrong.probe().catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'AUTH_FAILED' });
    expect(String((refused as Error).message)).not.toContain(ods.clientSecret);
  });

  it('reads only the records changed since minChangeVersion (Change Queries, incremental)', async () => {
    const since = (await new EdfiApiClient({
      linkName: 'cv',
      baseUrl: ods.url,
      clientId: ods.clientId,
      clientSecret: ods.clientSecret,
    }).pinnedChangeVersion()) as number;
    ods.touch('ed-fi/students', 5);
    ods.touch('ed-fi/students', 700);
    const client = new EdfiApiClient({
      linkName: 'incremental',
      baseUrl: ods.url,
      clientId: ods.clientId,
      clientSecret: ods.clientSecret,
      minChangeVersion: since + 1,
    });
    const ids: string[] = [];
    for await (const page of client.pages('ed-fi/students'))
      ids.push(...page.map((s) => String(s.studentUniqueId)));
    expect(ids).toEqual([
      String(ods.resources.get('ed-fi/students')?.[5].body.studentUniqueId),
      String(ods.resources.get('ed-fi/students')?.[700].body.studentUniqueId),
    ]);
  });
});
