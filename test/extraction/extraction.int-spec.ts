import type { ConnectorDefinition, EntityExtractSpec, NativeRow } from 'connectors/sdk/connector.types';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { extractSnapshot } from 'src/extraction/extraction.service';
import type { ExtractParams, ExtractionReport, RowSource } from 'src/extraction/extraction.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';

/** A tiny Aeries-like SIS: native tables in a scratch database, read through PgDriver. */
const NATIVE_DDL = `
  CREATE TABLE SCH (CD int, NM text, LO text, HI text, DEL text);
  CREATE TABLE STU (SC int, SN int, LN text, FN text, BD text, SX text, HL text, RC1 text, RC2 text, RC3 text, DEL text);
  CREATE TABLE ENR (SC int, SN int, YR int, ED date, LD date, GR text, ER text);
  INSERT INTO SCH VALUES (1, 'Lincoln Elementary', 'TK', '5', NULL), (2, 'Tab' || chr(9) || 'and' || chr(10) || 'newline \\ school', '6', '8', NULL), (3, 'Closed', 'K', '5', 'DEL');
  INSERT INTO STU VALUES
    (1, 1, 'García', 'Ana', '2015-03-04', 'F', 'Y', '700', NULL, '600', NULL),
    (1, 2, 'O''Brien', 'Liam', '1875-01-01', 'M', 'N', '100', '', NULL, NULL),
    (1, NULL, 'Nokey', 'Nora', 'not a date', 'Q', 'maybe', 'a"b', 'c\\d', 'e,f', NULL),
    (2, 4, 'Smith', 'Zoe', '20160229', 'X', NULL, NULL, NULL, NULL, NULL);
  INSERT INTO ENR VALUES
    (1, 1, 2026, '2026-08-12', '2026-10-02', 'TK', 'X7'),
    (1, 2, 2026, '2026-08-12', NULL, '3', NULL),
    (1, 3, 2026, '2026-08-12', '2026-09-01', '14', 'X7'),
    (2, 4, 2026, '2026-08-20', '2026-08-21', 'K', 'E2'),
    (2, 5, 2025, '2025-08-20', '2025-09-01', 'K', 'X7');
  CREATE TABLE BIG AS SELECT g AS SC, g AS SN, '2026-08-' || lpad(((g % 28) + 1)::text, 2, '0') AS ED, CASE WHEN g % 3 = 0 THEN 'W9' ELSE 'E1' END AS ER FROM generate_series(1, 300000) g;
`;

const schoolSpec: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['SCH'],
  query: { sql: `SELECT CD, NM, LO, HI FROM SCH WHERE DEL IS NULL ORDER BY CD` },
  keyPrefix: 'SCH',
  keyColumns: ['CD'],
  fields: {
    school_id: { column: 'cd' },
    name: { column: 'NM' },
    low_grade: { column: 'LO', codeSet: 'grade_level' },
    high_grade: { column: 'HI', codeSet: 'grade_level' },
    active: { value: true },
  },
};

const studentSpec: EntityExtractSpec = {
  entity: 'student',
  nativeTables: ['STU'],
  query: {
    sql: `SELECT SC, SN, LN, FN, BD, SX, HL, RC1, RC2, RC3 FROM STU WHERE DEL IS NULL ORDER BY SC, LN`,
  },
  keyPrefix: 'STU',
  keyColumns: ['SC', 'SN'],
  fields: {
    student_id: { column: 'SN' },
    last_name: { column: 'LN' },
    first_name: { column: 'FN' },
    birth_date: { column: 'BD', date: true, label: 'STU.BD' },
    sex: { column: 'SX', codeSet: 'sex', label: 'STU.SX' },
    hispanic: { column: 'HL', bool: { true: ['Y'], false: ['N'] } },
    races: { columns: ['RC1', 'RC2', 'RC3'] },
  },
  refine: (row) => {
    if (typeof row.last_name === 'string') row.last_name = row.last_name.toUpperCase();
  },
};

const enrollmentSpec: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['ENR'],
  query: {
    sql: `SELECT SC, SN, YR, ED, LD, GR, ER FROM ENR WHERE YR = :schoolYear AND ED <= :asOf ORDER BY SC, SN`,
  },
  keyPrefix: 'ENR',
  keyColumns: ['SC', 'SN', 'ED'],
  fields: {
    student_id: { column: 'SN' },
    school_id: { column: 'SC' },
    school_year: { column: 'YR' },
    entry_date: { column: 'ED', date: true },
    exit_date: { column: 'LD', date: true, adjust: 'exclusive_end' },
    grade_level: { column: 'GR', codeSet: 'grade_level' },
    exit_code: { column: 'ER', codeSet: 'exit_code', label: 'ENR.ER' },
    enrollment_type: { value: 'primary' },
  },
};

const connector: ConnectorDefinition = {
  kind: 'aeries',
  title: 'Fixture SIS',
  vendor: 'Test',
  dialect: 'postgres',
  transports: ['direct'],
  schoolYear: { mode: 'column', description: 'YR column' },
  defaultCodeMaps: {
    grade_level: { TK: 'TK', K: 'KG', '3': '03', '5': '05', '6': '06', '8': '08' },
    sex: { F: 'F', M: 'M', X: 'X' },
    exit_code: { E2: 'E230' },
  },
  entities: [schoolSpec, studentSpec, enrollmentSpec],
};

const bigConnector: ConnectorDefinition = {
  ...connector,
  entities: [
    {
      entity: 'enrollment',
      nativeTables: ['BIG'],
      query: { sql: `SELECT SC, SN, ED, ER FROM BIG` },
      keyPrefix: 'BIG',
      keyColumns: ['SN'],
      fields: {
        student_id: { column: 'SN' },
        school_id: { column: 'SC' },
        entry_date: { column: 'ED', date: true },
        exit_code: { column: 'ER', codeSet: 'exit_code' },
      },
    },
  ],
  defaultCodeMaps: { exit_code: { E1: 'E100' } },
};

/** Fails with a connector error when it reaches the given entity: a link dropping mid-run. */
class FailingOn implements RowSource {
  constructor(
    private readonly inner: RowSource,
    private readonly entity: string,
  ) {}

  async *stream(spec: EntityExtractSpec, params: ExtractParams): AsyncIterable<NativeRow[]> {
    let n = 0;
    for await (const batch of this.inner.stream(spec, params)) {
      if (spec.entity === this.entity && ++n > 1)
        throw new ConnectorException(ConnectorErrorCode.UNREACHABLE, 'fixture link', 'connection reset');
      yield batch;
    }
  }
}

describe('ExtractionService', () => {
  let svc: TestDatabase;
  let sis: TestDatabase;
  let driver: PgDriver;
  let districtId: string;
  let linkId: string;

  const newSnapshot = (): Promise<string> =>
    factory.snapshot(svc.pool, districtId, linkId, { status: 'extracting' });
  const run = (
    snapshotId: string,
    rows: RowSource,
    def = connector,
    codeMaps = {},
  ): Promise<ExtractionReport> =>
    extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector: def,
      rows,
      codeMaps,
      schoolYear: 2026,
      asOf: '2026-11-01',
    });

  /** Every canonical column of an entity except the snapshot id, as one md5 over row order. */
  async function checksum(table: string, snapshotId: string): Promise<{ n: number; md5: string }> {
    const { rows } = await svc.pool.query<{ n: string; md5: string }>(
      `SELECT count(*) AS n, md5(coalesce(string_agg((to_jsonb(t) - 'snapshot_id')::text, '|' ORDER BY row_no), '')) AS md5 FROM ${table} t WHERE snapshot_id = $1`,
      [snapshotId],
    );
    return { n: Number(rows[0].n), md5: rows[0].md5 };
  }

  beforeAll(async () => {
    svc = await createTestDatabase();
    sis = await createTestDatabase({ scratch: true });
    await sis.pool.query(NATIVE_DDL);
    const u = new URL(sis.url);
    driver = new PgDriver({
      linkName: 'fixture link',
      host: u.hostname,
      port: Number(u.port || 5432),
      user: u.username,
      database: u.pathname.slice(1),
    });
    const d = await factory.district(svc.pool);
    districtId = d.id;
    linkId = (await factory.link(svc.pool, districtId)).id;
  });

  afterAll(async () => {
    await driver.close();
    await sis.drop();
    await svc.drop();
  });

  it('maps native rows to canonical rows, with raw values, issues and aggregated warnings', async () => {
    const snapshotId = await newSnapshot();
    const progress: [string, number, number, number][] = [];
    const report = await extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector,
      rows: new DriverRowSource(driver, { batchSize: 2 }),
      codeMaps: { exit_code: { X7: 'T160' }, grade_level: { '5': 'UG' } },
      schoolYear: 2026,
      asOf: '2026-11-01',
      onProgress: (e, n, i, c) => progress.push([e, n, i, c]),
    });

    expect(report.entities.map((e) => [e.entity, e.rows, e.skipped])).toEqual([
      ['school', 2, false],
      ['student', 4, false],
      ['enrollment', 4, false],
    ]);
    expect(report.totalRows).toBe(10);
    expect(progress).toContainEqual(['student', 2, 1, 3]);
    expect(progress).toContainEqual(['enrollment', 4, 2, 3]);

    const schools = await svc.pool.query(
      `SELECT row_no, source_key, school_id, name, low_grade, low_grade_raw, high_grade, active FROM snap_school WHERE snapshot_id = $1 ORDER BY row_no`,
      [snapshotId],
    );
    expect(schools.rows).toEqual([
      {
        row_no: '1',
        source_key: 'SCH:CD=1',
        school_id: '1',
        name: 'Lincoln Elementary',
        low_grade: 'TK',
        low_grade_raw: 'TK',
        high_grade: 'UG',
        active: true,
      },
      {
        row_no: '2',
        source_key: 'SCH:CD=2',
        school_id: '2',
        name: 'Tab\tand\nnewline \\ school',
        low_grade: '06',
        low_grade_raw: '6',
        high_grade: '08',
        active: true,
      },
    ]);

    const students = await svc.pool.query(
      `SELECT source_key, student_id, last_name, birth_date::text, birth_date_raw, sex, sex_raw, hispanic, hispanic_raw, races, races_raw FROM snap_student WHERE snapshot_id = $1 ORDER BY row_no`,
      [snapshotId],
    );
    expect(students.rows).toEqual([
      {
        source_key: 'STU:SC=1;SN=1',
        student_id: '1',
        last_name: 'GARCÍA',
        birth_date: '2015-03-04',
        birth_date_raw: '2015-03-04',
        sex: 'F',
        sex_raw: 'F',
        hispanic: true,
        hispanic_raw: 'Y',
        races: ['700', '600'],
        races_raw: ['700', '600'],
      },
      {
        source_key: 'STU:SC=1;SN=',
        student_id: null,
        last_name: 'NOKEY',
        birth_date: null,
        birth_date_raw: 'not a date',
        sex: null,
        sex_raw: 'Q',
        hispanic: null,
        hispanic_raw: 'maybe',
        races: ['a"b', 'c\\d', 'e,f'],
        races_raw: ['a"b', 'c\\d', 'e,f'],
      },
      {
        source_key: 'STU:SC=1;SN=2',
        student_id: '2',
        last_name: "O'BRIEN",
        birth_date: null,
        birth_date_raw: '1875-01-01',
        sex: 'M',
        sex_raw: 'M',
        hispanic: false,
        hispanic_raw: 'N',
        races: ['100'],
        races_raw: ['100'],
      },
      {
        source_key: 'STU:SC=2;SN=4',
        student_id: '4',
        last_name: 'SMITH',
        birth_date: '2016-02-29',
        birth_date_raw: '20160229',
        sex: 'X',
        sex_raw: 'X',
        hispanic: null,
        hispanic_raw: null,
        races: [],
        races_raw: [],
      },
    ]);

    const enrollments = await svc.pool.query(
      `SELECT student_id, school_year, entry_date::text, exit_date::text, exit_date_raw, grade_level, grade_level_raw, exit_code, exit_code_raw, enrollment_type FROM snap_enrollment WHERE snapshot_id = $1 ORDER BY row_no`,
      [snapshotId],
    );
    expect(enrollments.rows).toEqual([
      {
        student_id: '1',
        school_year: 2026,
        entry_date: '2026-08-12',
        exit_date: '2026-10-01',
        exit_date_raw: '2026-10-02',
        grade_level: 'TK',
        grade_level_raw: 'TK',
        exit_code: 'T160',
        exit_code_raw: 'X7',
        enrollment_type: 'primary',
      },
      {
        student_id: '2',
        school_year: 2026,
        entry_date: '2026-08-12',
        exit_date: null,
        exit_date_raw: null,
        grade_level: '03',
        grade_level_raw: '3',
        exit_code: null,
        exit_code_raw: null,
        enrollment_type: 'primary',
      },
      {
        student_id: '3',
        school_year: 2026,
        entry_date: '2026-08-12',
        exit_date: '2026-08-31',
        exit_date_raw: '2026-09-01',
        grade_level: null,
        grade_level_raw: '14',
        exit_code: 'T160',
        exit_code_raw: 'X7',
        enrollment_type: 'primary',
      },
      {
        student_id: '4',
        school_year: 2026,
        entry_date: '2026-08-20',
        exit_date: '2026-08-20',
        exit_date_raw: '2026-08-21',
        grade_level: 'KG',
        grade_level_raw: 'K',
        exit_code: 'E230',
        exit_code_raw: 'E2',
        enrollment_type: 'primary',
      },
    ]);

    const student = report.entities[1];
    expect(student.issues).toBe(5);
    expect(student.warnings).toEqual(
      expect.arrayContaining([
        "sex 'Q' in STU.SX has no canonical mapping (1 row)",
        'key column STU.SN is empty (1 row)',
        'unreadable date in STU.BD (1 row)',
        'impossible date (a zero date before 1900) in STU.BD (1 row)',
        "unrecognised value 'maybe' in STU.HL (1 row)",
      ]),
    );
    expect(report.entities[2].warnings).toEqual([
      "grade level '14' in ENR.GR has no canonical mapping (1 row)",
    ]);

    const issues = await svc.pool.query(
      `SELECT entity, source_key, field, raw_value, kind FROM extraction_issues WHERE snapshot_id = $1 ORDER BY entity, kind`,
      [snapshotId],
    );
    expect(issues.rows).toEqual([
      {
        entity: 'enrollment',
        source_key: 'ENR:SC=1;SN=3;ED=2026-08-12',
        field: 'grade_level',
        raw_value: '14',
        kind: 'unmapped_code',
      },
      {
        entity: 'student',
        source_key: 'STU:SC=1;SN=2',
        field: 'birth_date',
        raw_value: '1875-01-01',
        kind: 'impossible_date',
      },
      {
        entity: 'student',
        source_key: 'STU:SC=1;SN=',
        field: 'birth_date',
        raw_value: 'not a date',
        kind: 'invalid_date',
      },
      {
        entity: 'student',
        source_key: 'STU:SC=1;SN=',
        field: 'hispanic',
        raw_value: 'maybe',
        kind: 'invalid_value',
      },
      { entity: 'student', source_key: 'STU:SC=1;SN=', field: 'SN', raw_value: null, kind: 'null_key' },
      { entity: 'student', source_key: 'STU:SC=1;SN=', field: 'sex', raw_value: 'Q', kind: 'unmapped_code' },
    ]);

    const snap = await svc.pool.query<{
      status: string;
      report: ExtractionReport;
      completed_at: Date | null;
    }>(`SELECT status, report, completed_at FROM snapshots WHERE id = $1`, [snapshotId]);
    expect(snap.rows[0].status).toBe('complete');
    expect(snap.rows[0].completed_at).not.toBeNull();
    expect(snap.rows[0].report.totalRows).toBe(10);
    expect(snap.rows[0].report.entities[1].warnings).toEqual(student.warnings);
    const cps = await svc.pool.query(
      `SELECT entity, status, row_count FROM snapshot_checkpoints WHERE snapshot_id = $1 ORDER BY entity`,
      [snapshotId],
    );
    expect(cps.rows).toEqual([
      { entity: 'enrollment', status: 'complete', row_count: '4' },
      { entity: 'school', status: 'complete', row_count: '2' },
      { entity: 'student', status: 'complete', row_count: '4' },
    ]);
  });

  it('aggregates unmapped codes per code and label', async () => {
    const snapshotId = await newSnapshot();
    const report = await run(snapshotId, new DriverRowSource(driver), {
      ...connector,
      entities: [enrollmentSpec],
    });
    expect(report.entities[0].warnings).toEqual([
      "exit code 'X7' in ENR.ER has no canonical mapping (2 rows)",
      "grade level '14' in ENR.GR has no canonical mapping (1 row)",
    ]);
    expect(report.entities[0].issues).toBe(3);
  });

  it('resumes after a failure: completed entities are skipped and the result equals an uninterrupted run', async () => {
    const reference = await newSnapshot();
    await run(reference, new DriverRowSource(driver, { batchSize: 1 }));

    const snapshotId = await newSnapshot();
    const failing = new FailingOn(new DriverRowSource(driver, { batchSize: 1 }), 'enrollment');
    let caught: unknown;
    await run(snapshotId, failing).catch((err: unknown) => (caught = err));
    expect(caught).toBeInstanceOf(ConnectorException);
    expect((caught as ConnectorException).code).toBe(ConnectorErrorCode.UNREACHABLE);

    const failed = await svc.pool.query<{ status: string; report: { error: { code: string } } }>(
      `SELECT status, report FROM snapshots WHERE id = $1`,
      [snapshotId],
    );
    expect(failed.rows[0].status).toBe('failed');
    expect(failed.rows[0].report.error.code).toBe('UNREACHABLE');
    const partial = await svc.pool.query(
      `SELECT entity, status FROM snapshot_checkpoints WHERE snapshot_id = $1 ORDER BY entity`,
      [snapshotId],
    );
    expect(partial.rows).toEqual([
      { entity: 'enrollment', status: 'failed' },
      { entity: 'school', status: 'complete' },
      { entity: 'student', status: 'complete' },
    ]);
    expect((await checksum('snap_enrollment', snapshotId)).n).toBe(0);

    const resumed = await run(snapshotId, new DriverRowSource(driver, { batchSize: 1 }));
    expect(resumed.entities.map((e) => [e.entity, e.skipped, e.rows, e.issues])).toEqual([
      ['school', true, 2, 0],
      ['student', true, 4, 5],
      ['enrollment', false, 4, 3],
    ]);
    for (const table of ['snap_school', 'snap_student', 'snap_enrollment']) {
      expect(await checksum(table, snapshotId)).toEqual(await checksum(table, reference));
    }
    const issueCount = await svc.pool.query(
      `SELECT count(*)::int AS n FROM extraction_issues WHERE snapshot_id = $1`,
      [snapshotId],
    );
    expect(issueCount.rows[0].n).toBe(8);

    const again = await run(snapshotId, new DriverRowSource(driver));
    expect(again.entities.every((e) => e.skipped)).toBe(true);
    expect(await checksum('snap_enrollment', snapshotId)).toEqual(
      await checksum('snap_enrollment', reference),
    );
  });

  it('writes the same snapshot with batched INSERTs (the embedded database, which cannot take COPY FROM STDIN)', async () => {
    const reference = await newSnapshot();
    await run(reference, new DriverRowSource(driver));
    const snapshotId = await newSnapshot();
    const report = await extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector,
      rows: new DriverRowSource(driver),
      codeMaps: {},
      schoolYear: 2026,
      asOf: '2026-11-01',
      bulkWrite: 'insert',
    });
    expect(report.totalRows).toBeGreaterThan(0);
    for (const table of ['snap_school', 'snap_student', 'snap_enrollment']) {
      expect(await checksum(table, snapshotId)).toEqual(await checksum(table, reference));
    }
    const issues = async (id: string) =>
      (
        await svc.pool.query(
          `SELECT entity, source_key, field, raw_value, kind, message FROM extraction_issues WHERE snapshot_id = $1 ORDER BY 1, 2, 3, 6`,
          [id],
        )
      ).rows;
    expect(await issues(snapshotId)).toEqual(await issues(reference));
  });

  it('streams 300k rows through COPY with flat batches', async () => {
    const snapshotId = await newSnapshot();
    let calls = 0;
    const report = await extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector: bigConnector,
      rows: new DriverRowSource(driver, { batchSize: 10_000 }),
      codeMaps: {},
      schoolYear: 2026,
      asOf: '2026-11-01',
      onProgress: () => (calls += 1),
    });
    expect(report.totalRows).toBe(300_000);
    expect(calls).toBe(30);
    const { rows } = await svc.pool.query<{ n: number; mapped: number; last: string; max_entry: string }>(
      `SELECT count(*)::int AS n, count(exit_code)::int AS mapped, max(row_no)::text AS last, max(entry_date)::text AS max_entry FROM snap_enrollment WHERE snapshot_id = $1`,
      [snapshotId],
    );
    expect(rows[0]).toEqual({ n: 300_000, mapped: 200_000, last: '300000', max_entry: '2026-08-28' });
    expect(report.entities[0].issues).toBe(100_000);
    expect(report.entities[0].warnings).toEqual([
      "exit code 'W9' in BIG.ER has no canonical mapping (100000 rows)",
    ]);
  });

  it("passes an error thrown by the caller's progress callback through as it is (a cancel is not a failed write)", async () => {
    class Stop extends Error {}
    const stop = new Stop('run stopped: cancelled');
    const snapshotId = await newSnapshot();
    let calls = 0;
    const err = await extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector: bigConnector,
      rows: new DriverRowSource(driver, { batchSize: 10_000 }),
      codeMaps: {},
      schoolYear: 2026,
      asOf: '2026-11-01',
      onProgress: () => {
        if (++calls === 3) throw stop;
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(stop);
    const { rows } = await svc.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM snap_enrollment WHERE snapshot_id = $1`,
      [snapshotId],
    );
    expect(rows[0].n).toBe(0);
  });

  it('marks the snapshot failed with a typed error when the link is down', async () => {
    const snapshotId = await newSnapshot();
    const down = new PgDriver({
      linkName: 'down link',
      host: '127.0.0.1',
      port: 1,
      database: 'x',
      user: 'x',
      connectTimeoutMs: 1000,
    });
    const err = await run(snapshotId, new DriverRowSource(down)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorException);
    expect((err as ConnectorException).code).toBe(ConnectorErrorCode.UNREACHABLE);
    const { rows } = await svc.pool.query<{ status: string; report: { error: { message: string } } }>(
      `SELECT status, report FROM snapshots WHERE id = $1`,
      [snapshotId],
    );
    expect(rows[0].status).toBe('failed');
    expect(rows[0].report.error.message).toContain('down link');
  });
});
