import { edfiConnector } from 'connectors/edfi/edfi.connector';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { defaultCodeMapsFor } from 'connectors/sdk/connector.types';
import { EdfiDriver } from 'connectors/sdk/drivers/edfi/edfi.driver';
import type { JsonObject } from 'connectors/sdk/drivers/edfi/edfi-api.client';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { extractSnapshot } from 'src/extraction/extraction.service';
import type { ExtractionReport } from 'src/extraction/extraction.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { startEdfiOdsServer, type EdfiOdsServer } from 'test/helpers/edfi-ods-server';
import { grandBendDir } from 'test/helpers/edfi-sample';
import { factory } from 'test/helpers/factory';
import { issueDifferences, snapshotDifferences } from 'test/helpers/snapshot-diff';

const YEAR = { schoolYear: 2021, asOf: '2022-03-01' };
const STATE = 'TX';

/** Resources behind the entities read incrementally: a nightly run must never read them whole. */
const INCREMENTAL_RESOURCES = [
  'students',
  'studentEducationOrganizationAssociations',
  'studentSchoolAssociations',
  'studentProgramAssociations',
  'studentSpecialEducationProgramAssociations',
  'studentSectionAssociations',
  'staffs',
];

/**
 * Ed-Fi incremental extraction over real HTTP: the Grand Bend sample served by the test ODS/API; a full
 * snapshot; a night of updates and deletes in several resources (a student, a demographics association, an
 * enrollment, program associations, section associations, a staff member); the nightly snapshot — built from
 * the change window and `/deletes` and carried forward in PostgreSQL — must equal, row for row and issue for
 * issue, a full extraction of the same ODS state, having read only the changed records. Then the fallbacks:
 * an ODS without Change Queries, change versions that went back, XML files.
 */
describe('Ed-Fi incremental extraction (Change Queries)', () => {
  let svc: TestDatabase;
  let ods: EdfiOdsServer;
  let districtId: string;
  let linkId: string;
  const bases: Array<{ incremental: boolean; reason: string | null }> = [];

  const snapshotIn = (link = linkId): Promise<string> =>
    factory.snapshot(svc.pool, districtId, link, { sisKind: 'edfi', ...YEAR, status: 'extracting' });
  const apiDriver = (): EdfiDriver =>
    new EdfiDriver('edfi_api', {
      linkName: 'Grand Bend ODS/API',
      url: ods.url,
      user: ods.clientId,
      password: ods.clientSecret,
    });
  /** One extraction as a run does it: a new driver (so a new pinned change version) per snapshot. */
  const extract = async (
    snapshotId: string,
    incremental: boolean,
    driver: EdfiDriver = apiDriver(),
  ): Promise<ExtractionReport> => {
    try {
      return await extractSnapshot({
        pool: svc.pool,
        snapshotId,
        connector: edfiConnector,
        rows: new DriverRowSource(driver, { batchSize: 250 }),
        codeMaps: defaultCodeMapsFor(edfiConnector, STATE),
        state: STATE,
        ...YEAR,
        incremental: incremental ? { fullEvery: 7 } : undefined,
        onBasis: (b) => bases.push(b),
      });
    } finally {
      await driver.close();
    }
  };
  const watermarkOf = async (snapshotId: string): Promise<string | null> =>
    (
      await svc.pool.query<{ change_watermark: string | null }>(
        `SELECT change_watermark FROM snapshots WHERE id = $1`,
        [snapshotId],
      )
    ).rows[0].change_watermark;
  const record = (resource: string, index: number): JsonObject => {
    const r = ods.resources.get(`ed-fi/${resource}`)?.[index];
    if (!r) throw new Error(`no ${resource} #${index}`);
    return r.body;
  };
  const studentOf = (body: JsonObject): string => {
    const ref = body.studentReference as JsonObject | undefined;
    return String(ref?.studentUniqueId ?? body.studentUniqueId);
  };
  /** Data requests of one resource (`GET /data/v3/ed-fi/students?…`), its `/deletes` apart. */
  const requestsOf = (requests: string[], resource: string): string[] =>
    requests.filter((r) => r.startsWith(`GET /data/v3/ed-fi/${resource}?`));

  beforeAll(async () => {
    [svc, ods] = await Promise.all([createTestDatabase(), startEdfiOdsServer(grandBendDir())]);
    const district = await factory.district(svc.pool, { state: STATE });
    districtId = district.id;
    linkId = (
      await factory.link(svc.pool, district.id, {
        sis_kind: 'edfi',
        role: 'current',
        settings: { driver: 'edfi_api' },
      })
    ).id;
  });

  afterAll(async () => {
    await ods.close();
    await svc.drop();
  });

  let nightlyId: string;
  let fullId: string;

  it('a nightly snapshot reads only the changed and deleted records and equals a full extraction', async () => {
    const first = await snapshotIn();
    const full1 = await extract(first, true);
    expect(full1.baseSnapshotId).toBeNull();
    expect(full1.fullReason).toMatch(/no earlier complete snapshot/);
    const pinned = await watermarkOf(first);
    expect(pinned).toMatch(/^\d+$/);

    // The night: updates (with new values) and deletes in several resources.
    const students = new Set<string>();
    ods.touch('ed-fi/students', 3, { lastSurname: 'Changed-Surname' });
    students.add(studentOf(record('students', 3)));
    ods.touch('ed-fi/studentEducationOrganizationAssociations', 2, {
      limitedEnglishProficiencyDescriptor: 'uri://ed-fi.org/LimitedEnglishProficiencyDescriptor#Limited',
      hispanicLatinoEthnicity: true,
    });
    students.add(studentOf(record('studentEducationOrganizationAssociations', 2)));
    students.add(studentOf(record('studentEducationOrganizationAssociations', 5)));
    ods.remove('ed-fi/studentEducationOrganizationAssociations', 5);
    students.add(studentOf(record('students', 50)));
    ods.remove('ed-fi/students', 50);
    ods.touch('ed-fi/studentSchoolAssociations', 20, { exitWithdrawDate: '2022-02-01' });
    ods.remove('ed-fi/studentSchoolAssociations', 30);
    ods.touch('ed-fi/studentSpecialEducationProgramAssociations', 0, { endDate: '2022-01-31' });
    ods.remove('ed-fi/studentProgramAssociations', 0);
    ods.touch('ed-fi/studentSectionAssociations', 1, { endDate: '2022-01-15' });
    ods.remove('ed-fi/studentSectionAssociations', 5);
    ods.touch('ed-fi/staffSectionAssociations', 2, { endDate: '2022-01-20' });
    ods.touch('ed-fi/staffs', 0, { firstName: 'Renamed' });

    ods.requests.length = 0;
    const second = await snapshotIn();
    const nightly = await extract(second, true);
    expect(nightly.baseSnapshotId).toBe(first);
    expect(nightly.fullReason).toBeUndefined();
    expect(bases[bases.length - 1]).toEqual({ incremental: true, reason: null });
    const nightlyRequests = [...ods.requests];

    const third = await snapshotIn();
    const full2 = await extract(third, false);
    expect(full2.baseSnapshotId).toBeNull();
    expect(await watermarkOf(second)).toBe(await watermarkOf(third));
    expect(Number(await watermarkOf(second))).toBeGreaterThan(Number(pinned));

    // Read from the ODS: the changed and deleted records only; the small entities whole.
    const changed = Object.fromEntries(nightly.entities.map((e) => [e.entity, e.changed ?? null]));
    expect(changed).toEqual({
      school: null,
      student: students.size,
      enrollment: 2,
      program: 2,
      section: null,
      student_section: 2,
      staff: 1,
      section_staff: null,
    });
    for (const resource of INCREMENTAL_RESOURCES) {
      const reads = requestsOf(nightlyRequests, resource);
      expect([resource, reads.filter((r) => !/[?&](minChangeVersion|studentUniqueId)=/.test(r))]).toEqual([
        resource,
        [],
      ]);
      expect([
        resource,
        nightlyRequests.some((r) => r.startsWith(`GET /data/v3/ed-fi/${resource}/deletes?`)),
      ]).toEqual([resource, true]);
    }
    // Each touched student again by key (but the one whose change is in hand), then, unless it is gone, all
    // its demographics associations.
    expect(
      requestsOf(nightlyRequests, 'studentEducationOrganizationAssociations').filter((r) =>
        r.includes('studentUniqueId='),
      ),
    ).toHaveLength(students.size - 1);
    expect(
      requestsOf(nightlyRequests, 'students').filter((r) => r.includes('studentUniqueId=')),
    ).toHaveLength(students.size - 1);
    expect(requestsOf(nightlyRequests, 'sections').length).toBeGreaterThan(0);

    expect(nightly.totalRows).toBe(full2.totalRows);
    for (const entity of CANONICAL_ENTITIES)
      expect([entity, await snapshotDifferences(svc.pool, entity, second, third)]).toEqual([entity, 0]);
    expect(await issueDifferences(svc.pool, second, third)).toBe(0);
    // The night's changes are in: the deleted rows left, the new values arrived.
    for (const entity of ['student', 'enrollment', 'program', 'student_section', 'staff'] as const)
      expect([entity, await snapshotDifferences(svc.pool, entity, first, third)]).not.toEqual([entity, 0]);
    const { rows } = await svc.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM snap_student WHERE snapshot_id = $1 AND last_name = 'Changed-Surname'`,
      [second],
    );
    expect(Number(rows[0].n)).toBe(1);
    nightlyId = second;
    fullId = third;
  });

  it('extracts in full, saying why, from an ODS/API without Change Queries', async () => {
    ods.changeQueries(false);
    try {
      const snapshotId = await snapshotIn();
      const report = await extract(snapshotId, true);
      expect(report.baseSnapshotId).toBeNull();
      expect(report.fullReason).toMatch(/no Change Queries/);
      expect(bases[bases.length - 1]).toEqual({ incremental: false, reason: report.fullReason });
      // Such a snapshot is no base: it has no change version.
      expect(await watermarkOf(snapshotId)).toBeNull();
      for (const entity of CANONICAL_ENTITIES)
        expect([entity, await snapshotDifferences(svc.pool, entity, snapshotId, fullId)]).toEqual([
          entity,
          0,
        ]);
    } finally {
      ods.changeQueries(true);
    }
  });

  it('extracts in full when the change versions went back (a restored ODS), then builds on that', async () => {
    const newest = ods.resetChangeVersions();
    expect(newest).toBeLessThan(Number(await watermarkOf(nightlyId)));
    const snapshotId = await snapshotIn();
    const report = await extract(snapshotId, true);
    expect(report.baseSnapshotId).toBeNull();
    expect(report.fullReason).toMatch(/change versions went back/);
    expect(await watermarkOf(snapshotId)).toBe(String(newest));
    for (const entity of CANONICAL_ENTITIES)
      expect([entity, await snapshotDifferences(svc.pool, entity, snapshotId, fullId)]).toEqual([entity, 0]);

    // The next night builds on it again.
    ods.touch('ed-fi/staffs', 1, { lastSurname: 'Again' });
    const next = await snapshotIn();
    const nightly = await extract(next, true);
    expect(nightly.baseSnapshotId).toBe(snapshotId);
    expect(nightly.entities.find((e) => e.entity === 'staff')?.changed).toBe(1);
    expect(nightly.entities.find((e) => e.entity === 'student')?.changed).toBe(0);
  });

  it('extracts XML interchange files in full (no change tracking)', async () => {
    const link = await factory.link(svc.pool, districtId, {
      role: 'old',
      sis_kind: 'edfi',
      settings: { driver: 'edfi_xml' },
    });
    const xml = (): EdfiDriver =>
      new EdfiDriver('edfi_xml', { linkName: 'Grand Bend XML', path: grandBendDir() });
    await extract(await snapshotIn(link.id), true, xml());
    const report = await extract(await snapshotIn(link.id), true, xml());
    expect(report.baseSnapshotId).toBeNull();
    expect(report.fullReason).toMatch(/XML interchange files carry no change tracking/);
    expect(report.entities.every((e) => e.changed === undefined)).toBe(true);
  });
});
