import { CONNECTORS } from 'connectors/index';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { extractSnapshot } from 'src/extraction/extraction.service';
import type { ExtractionReport } from 'src/extraction/extraction.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { issueDifferences, snapshotDifferences } from 'test/helpers/snapshot-diff';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };
const connector = CONNECTORS.powerschool;

/**
 * PowerSchool incremental extraction: a snapshot built from the previous one plus the rows whose
 * TRANSACTION_DATE moved must hold exactly what a full extraction of the same replica holds — rows and
 * extraction issues — after updates of every kind a night brings (names, a renumbered student, a re-enrollment
 * leaving the window, a new schedule row, a renamed section, a changed race).
 */
describe('PowerSchool incremental extraction', () => {
  let svc: TestDatabase;
  let replica: TestDatabase;
  let driver: PgDriver;
  let districtId: string;
  let linkId: string;

  const sis = (sql: string): Promise<unknown> => replica.pool.query(sql);
  const snapshotIn = (): Promise<string> =>
    factory.snapshot(svc.pool, districtId, linkId, { sisKind: 'powerschool', ...YEAR, status: 'extracting' });
  const extract = (snapshotId: string, incremental: boolean): Promise<ExtractionReport> =>
    extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector,
      rows: new DriverRowSource(driver, { batchSize: 200 }),
      codeMaps: connector.defaultCodeMaps,
      ...YEAR,
      incremental: incremental ? { fullEvery: 7 } : undefined,
    });

  beforeAll(async () => {
    [svc, replica] = await Promise.all([createTestDatabase(), createTestDatabase({ scratch: true })]);
    await generateDistrict(replica.url, {
      sis: 'powerschool',
      students: 600,
      seed: 'incremental',
      ...YEAR,
      defects: 'all',
    });
    // Everything was written a day ago (triggers off, or they would stamp now).
    const client = await replica.pool.connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      for (const t of [
        'STUDENTS',
        'REENROLLMENTS',
        'StudentRace',
        'S_CA_STU_X',
        'S_CA_STU_ELA_C',
        'S_CA_STU_CALPADSPROGRAMS_C',
        'SPENROLLMENTS',
        'GEN',
      ])
        await client.query(`UPDATE ${t} SET TRANSACTION_DATE = LOCALTIMESTAMP - INTERVAL '1 day'`);
      for (const t of ['TERMS', 'COURSES', 'SECTIONS', 'CC', 'TEACHERS', 'SCHOOLS'])
        await client.query(`UPDATE ${t} SET TRANSACTION_DATE = LOCALTIMESTAMP - INTERVAL '1 day'`);
      await client.query(`RESET session_replication_role`);
    } finally {
      client.release();
    }
    const u = new URL(replica.url);
    driver = new PgDriver({
      linkName: 'powerschool replica',
      host: u.hostname,
      port: Number(u.port || 5432),
      user: u.username,
      database: u.pathname.slice(1),
    });
    const district = await factory.district(svc.pool);
    districtId = district.id;
    linkId = (await factory.link(svc.pool, district.id, { sis_kind: 'powerschool' })).id;
  });

  afterAll(async () => {
    await driver.close();
    await Promise.all([replica.drop(), svc.drop()]);
  });

  it('carries unchanged rows forward and re-reads only changed ones, ending equal to a full extraction', async () => {
    const first = await snapshotIn();
    const full1 = await extract(first, true);
    expect(full1.baseSnapshotId).toBeNull();
    const [{ change_watermark: watermark }] = (
      await svc.pool.query<{ change_watermark: string | null }>(
        `SELECT change_watermark FROM snapshots WHERE id = $1`,
        [first],
      )
    ).rows;
    expect(watermark).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

    // The night's changes (the replica's triggers stamp TRANSACTION_DATE).
    await sis(
      `UPDATE STUDENTS SET Last_Name = Last_Name || 'son' WHERE ID IN (SELECT ID FROM STUDENTS ORDER BY ID LIMIT 5)`,
    );
    await sis(
      `UPDATE STUDENTS SET Student_Number = Student_Number + 900000 WHERE ID = (SELECT StudentID FROM CC ORDER BY ID LIMIT 1)`,
    );
    await sis(
      `UPDATE REENROLLMENTS SET EntryDate = DATE '2001-08-20', ExitDate = DATE '2002-06-10'
        WHERE ID = (SELECT ID FROM REENROLLMENTS WHERE EntryDate >= DATE '2025-07-01' ORDER BY ID LIMIT 1)`,
    );
    await sis(`CREATE TABLE cc_new AS SELECT * FROM CC WHERE ID = (SELECT max(ID) FROM CC)`);
    await sis(
      `UPDATE cc_new SET ID = ID + 1000000, DCID = DCID + 1000000, TRANSACTION_DATE = LOCALTIMESTAMP`,
    );
    await sis(`INSERT INTO CC SELECT * FROM cc_new`);
    await sis(`DROP TABLE cc_new`);
    await sis(
      `UPDATE SECTIONS SET Section_Number = Section_Number || 'B' WHERE ID = (SELECT min(ID) FROM SECTIONS)`,
    );
    await sis(`UPDATE StudentRace SET RaceCD = '600' WHERE ID = (SELECT max(ID) FROM StudentRace)`);
    await sis(
      `UPDATE S_CA_STU_CALPADSPROGRAMS_C SET EndDate = DATE '2026-10-02' WHERE ID = (SELECT min(ID) FROM S_CA_STU_CALPADSPROGRAMS_C)`,
    );
    // A new ELAS record (reclassified), a student flagged not to be reported.
    await sis(
      `INSERT INTO S_CA_STU_ELA_C (ID, StudentsDCID, ELAStatus, ELAStatusStartDate)
       SELECT 9000000, StudentsDCID, 'RFEP', DATE '2026-10-15' FROM S_CA_STU_ELA_C WHERE ID = (SELECT min(ID) FROM S_CA_STU_ELA_C)`,
    );
    await sis(
      `UPDATE STUDENTS SET State_ExcludeFromReporting = 1 WHERE ID = (SELECT max(ID) FROM STUDENTS WHERE State_ExcludeFromReporting = 0)`,
    );
    await sis(
      `UPDATE SPENROLLMENTS SET Exit_Date = DATE '2026-10-01' WHERE ID = (SELECT min(ID) FROM SPENROLLMENTS)`,
    );

    const second = await snapshotIn();
    const nightly = await extract(second, true);
    expect(nightly.baseSnapshotId).toBe(first);
    const third = await snapshotIn();
    const full2 = await extract(third, false);
    expect(full2.baseSnapshotId).toBeNull();

    const byEntity = new Map(nightly.entities.map((e) => [e.entity, e]));
    for (const entity of ['student', 'enrollment', 'program', 'section', 'student_section'] as const) {
      const e = byEntity.get(entity);
      // Read from the SIS: the changed rows only (a handful), not the entity.
      expect([entity, (e?.changed ?? 0) > 0, (e?.changed ?? 0) < (e?.rows ?? 0) / 4]).toEqual([
        entity,
        true,
        true,
      ]);
    }
    expect(byEntity.get('school')?.changed).toBeUndefined();
    expect(nightly.totalRows).toBe(full2.totalRows);

    for (const entity of CANONICAL_ENTITIES) {
      expect([entity, await snapshotDifferences(svc.pool, entity, second, third)]).toEqual([entity, 0]);
    }
    expect(await issueDifferences(svc.pool, second, third)).toBe(0);
    // The changes really are in: the full extraction differs from the first snapshot.
    expect(await snapshotDifferences(svc.pool, 'student', first, third)).toBeGreaterThan(0);
  });
});
