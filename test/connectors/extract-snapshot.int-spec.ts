import { CONNECTORS, REPLICA_SIS_KINDS, type ReplicaSisKind } from 'connectors/index';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import type { DistrictManifest } from 'connectors/generator/generator.types';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { extractSnapshot } from 'src/extraction/extraction.service';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

/** End to end: generated native replica → connector → extraction pipeline → snap_* tables. */
describe.each(REPLICA_SIS_KINDS)('%s: generated replica through extractSnapshot', (sis: ReplicaSisKind) => {
  let svc: TestDatabase;
  let replica: TestDatabase;
  let driver: PgDriver;
  let manifest: DistrictManifest;
  let snapshotId: string;
  let reportRows: Record<string, number>;

  beforeAll(async () => {
    [svc, replica] = await Promise.all([createTestDatabase(), createTestDatabase({ scratch: true })]);
    manifest = await generateDistrict(replica.url, {
      sis,
      students: 1500,
      seed: `e2e-${sis}`,
      ...YEAR,
      defects: 'all',
    });
    const u = new URL(replica.url);
    driver = new PgDriver({
      linkName: `${sis} replica`,
      host: u.hostname,
      port: Number(u.port || 5432),
      user: u.username,
      database: u.pathname.slice(1),
    });
    const district = await factory.district(svc.pool);
    const link = await factory.link(svc.pool, district.id, { sis_kind: sis });
    snapshotId = await factory.snapshot(svc.pool, district.id, link.id, {
      sisKind: sis,
      ...YEAR,
      status: 'extracting',
    });
    const connector = CONNECTORS[sis];
    const report = await extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector,
      rows: new DriverRowSource(driver, { batchSize: 500 }),
      codeMaps: connector.defaultCodeMaps,
      ...YEAR,
    });
    reportRows = Object.fromEntries(report.entities.map((e) => [e.entity, e.rows]));
  });

  afterAll(async () => {
    await driver.close();
    await Promise.all([replica.drop(), svc.drop()]);
  });

  const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await svc.pool.query<T>(sql, params)).rows;

  it('extracts every entity with the manifest counts, junk rows included', async () => {
    expect(reportRows).toEqual(manifest.counts);
    for (const entity of CANONICAL_ENTITIES) {
      const [{ n }] = await q<{ n: string }>(
        `SELECT count(*) AS n FROM snap_${entity} WHERE snapshot_id = $1`,
        [snapshotId],
      );
      expect([entity, Number(n)]).toEqual([entity, manifest.counts[entity]]);
    }
  });

  it('stores the canonical values of the sample students (inclusive exit dates, grade crosswalk, status)', async () => {
    for (const s of manifest.samples) {
      const [student] = await q<Record<string, unknown>>(
        `SELECT state_student_id, last_name, birth_date::text AS birth_date, sex, hispanic, races FROM snap_student WHERE snapshot_id = $1 AND student_id = $2`,
        [snapshotId, s.student_id],
      );
      expect(student).toEqual({
        state_student_id: s.state_student_id,
        last_name: s.last_name,
        birth_date: s.birth_date,
        sex: s.sex,
        hispanic: s.hispanic,
        races: s.races,
      });
      const enrollments = await q<Record<string, unknown>>(
        `SELECT school_id, entry_date::text AS entry_date, exit_date::text AS exit_date, grade_level, exit_code, status
         FROM snap_enrollment WHERE snapshot_id = $1 AND student_id = $2 ORDER BY entry_date`,
        [snapshotId, s.student_id],
      );
      expect(enrollments).toEqual(s.enrollments.map(({ entry_code: _e, ...e }) => e));
    }
  });

  it('reports null keys, impossible dates and unmapped codes as issues without stopping', async () => {
    const issues = await q<{ entity: string; kind: string; raw_value: string | null; n: string }>(
      `SELECT entity, kind, raw_value, count(*) AS n FROM extraction_issues WHERE snapshot_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [snapshotId],
    );
    const find = (entity: string, kind: string, raw?: string): number =>
      issues
        .filter(
          (i) =>
            i.entity === entity &&
            i.kind === kind &&
            (raw === undefined || (i.raw_value ?? '').startsWith(raw)),
        )
        .reduce((t, i) => t + Number(i.n), 0);
    expect(find('student', 'null_key')).toBe(2);
    expect(find('enrollment', 'impossible_date', '1899-12-30')).toBe(2);
    expect(find('enrollment', 'unmapped_code', 'X7')).toBe(2);
    expect(issues.filter((i) => i.kind === 'unmapped_code' && i.raw_value === 'X7')).toHaveLength(1);
    const invalidGrade = { aeries: '22', powerschool: '22', infinite_campus: 'G9' }[sis];
    expect(find('enrollment', 'unmapped_code', invalidGrade)).toBe(2);
    const [{ status }] = await q<{ status: string }>(`SELECT status FROM snapshots WHERE id = $1`, [
      snapshotId,
    ]);
    expect(status).not.toBe('failed');
  });
});
