import { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import { ComparisonRepository } from 'src/comparison/comparison.repository';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { insertSnapRows } from 'test/comparison/snap-rows';

/**
 * The comparison SQL on snap_* rows written directly: matching by SSID then id (through id crosswalks),
 * exclusive exit dates already normalised, set-valued races, reference warnings, readiness per school.
 */
describe('comparison of an old and a new snapshot', () => {
  let t: TestApp;
  let sut: CompareSnapshotsUseCase;
  let repo: ComparisonRepository;
  let districtId: string;
  let oldSnap: string;
  let newSnap: string;
  let runId: string;
  let comparisonId: string;

  beforeAll(async () => {
    t = await createTestApp({});
    sut = t.app.get(CompareSnapshotsUseCase);
    repo = t.app.get(ComparisonRepository);
    const pool = t.db.pool;
    const d = await factory.district(pool);
    districtId = d.id;
    const oldLink = await factory.link(pool, d.id, { role: 'old', sis_kind: 'aeries' });
    const newLink = await factory.link(pool, d.id, { role: 'new', sis_kind: 'powerschool' });
    oldSnap = await factory.snapshot(pool, d.id, oldLink.id, { sisKind: 'aeries' });
    newSnap = await factory.snapshot(pool, d.id, newLink.id, { sisKind: 'powerschool' });
    await pool.query(
      `INSERT INTO id_crosswalks (district_id, entity, old_id, new_id) VALUES ($1, 'student', '100002', '200002')`,
      [d.id],
    );
    const runs = await pool.query<{ id: string }>(
      `INSERT INTO runs (district_id, kind, as_of, school_year, trigger_kind, status) VALUES ($1, 'manual', '2026-11-01', 2027, 'user', 'done') RETURNING id`,
      [d.id],
    );
    runId = runs.rows[0].id;

    await insertSnapRows(pool, 'school', oldSnap, [
      { school_id: '101', name: 'Lincoln' },
      { school_id: '102', name: 'Adams' },
    ]);
    await insertSnapRows(pool, 'school', newSnap, [
      { school_id: '101', name: 'Lincoln' },
      { school_id: '103', name: 'Jefferson' },
    ]);
    const student = (
      id: string,
      ssid: string | null,
      last: string,
      extra: Record<string, string | string[]> = {},
    ) => ({
      student_id: id,
      state_student_id: ssid,
      last_name: last,
      first_name: 'Pat',
      ...extra,
    });
    await insertSnapRows(pool, 'student', oldSnap, [
      student('100001', 'A1', 'Smith', {
        birth_date: '2012-03-04',
        birth_date_raw: '03/04/2012',
        races: ['WH', 'AS'],
      }),
      student('100002', 'A2', 'Jones'),
      student('100003', null, 'Brown'),
      student('100004', 'A4', 'Gray'),
      student('100006', 'A6', 'Smith'),
    ]);
    await insertSnapRows(pool, 'student', newSnap, [
      student('100001', 'A1', 'Smith', {
        birth_date: '2012-03-04',
        birth_date_raw: '2012-03-04',
        races: ['AS', 'WH'],
      }),
      student('200002', 'A2', 'Jones'),
      student('100003', null, 'Brown'),
      student('100005', 'A5', 'White'),
      student('100006', 'A6', 'Smyth'),
    ]);
    await insertSnapRows(pool, 'staff', oldSnap, [
      { staff_id: 'T1', last_name: 'Teach' },
      { staff_id: 'T9', last_name: 'Gone' },
    ]);
    await insertSnapRows(pool, 'staff', newSnap, [{ staff_id: 'T1', last_name: 'Teach' }]);
    const enr = (
      sid: string,
      school: string,
      entry: string,
      grade: string,
      exit: [string, string] | null = null,
    ) => ({
      student_id: sid,
      school_id: school,
      school_year: 2026,
      entry_date: entry,
      grade_level: grade,
      grade_level_raw: String(Number(grade)),
      exit_date: exit?.[0] ?? null,
      exit_date_raw: exit?.[1] ?? null,
    });
    await insertSnapRows(pool, 'enrollment', oldSnap, [
      // Aeries LD is the last day attended (inclusive).
      enr('100001', '101', '2026-08-12', '05', ['2026-10-01', '10/01/2026']),
      enr('100002', '101', '2026-08-12', '05'),
      enr('100004', '102', '2026-08-12', '07'),
    ]);
    await insertSnapRows(pool, 'enrollment', newSnap, [
      // PowerSchool ExitDate is the day after: the connector normalised it to the same canonical date.
      enr('100001', '101', '2026-08-12', '05', ['2026-10-01', '2026-10-02']),
      enr('200002', '101', '2026-08-12', '06'),
      enr('100001', '101', '2026-10-05', '05'),
    ]);
    await insertSnapRows(pool, 'program', oldSnap, [
      { student_id: '100004', school_id: '102', program_code: '144', start_date: '2026-08-12' },
    ]);
    await insertSnapRows(pool, 'section', oldSnap, [
      { section_id: 'SEC1', school_id: '101', teacher_staff_id: 'T1' },
      { section_id: 'SEC2', school_id: '101', teacher_staff_id: 'T9' },
    ]);
    await insertSnapRows(pool, 'section', newSnap, [
      { section_id: 'SEC1', school_id: '101', teacher_staff_id: 'T1' },
      { section_id: 'SEC2', school_id: '101', teacher_staff_id: 'T1' },
    ]);
    for (const snap of [oldSnap, newSnap]) {
      await insertSnapRows(pool, 'student_section', snap, [
        {
          student_id: snap === oldSnap ? '100001' : '100001',
          section_id: 'SEC1',
          school_id: '101',
          begin_date: '2026-08-12',
        },
      ]);
    }
    comparisonId = await sut.execute({ districtId, oldSnapshotId: oldSnap, newSnapshotId: newSnap, runId });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('counts matched, missing and differing records per entity', async () => {
    const byEntity = Object.fromEntries((await repo.summaries(comparisonId)).map((s) => [s.entity, s]));
    const pick = (e: string) => {
      const s = byEntity[e];
      return [s.oldCount, s.newCount, s.matched, s.onlyInOld, s.onlyInNew, s.fieldDifferences];
    };
    expect(pick('school')).toEqual([2, 2, 1, 1, 1, 0]);
    expect(pick('student')).toEqual([5, 5, 4, 1, 1, 1]);
    expect(pick('staff')).toEqual([2, 1, 1, 1, 0, 0]);
    expect(pick('enrollment')).toEqual([3, 3, 2, 1, 1, 1]);
    expect(pick('program')).toEqual([1, 0, 0, 1, 0, 0]);
    expect(pick('section')).toEqual([2, 2, 2, 0, 0, 1]);
    expect(pick('student_section')).toEqual([1, 1, 1, 0, 0, 0]);
    expect(byEntity.enrollment.byField).toEqual({ grade_level: 1 });
  });

  it('reports exactly the injected field differences, with raw and canonical values, and none for exclusive exit dates', async () => {
    const page = await repo.differences(comparisonId, { kind: 'field', limit: 100, offset: 0 });
    const got = page.items.map((d) => [d.entity, d.key, d.field, d.oldRaw, d.oldValue, d.newRaw, d.newValue]);
    expect(got).toEqual([
      [
        'enrollment',
        { student_id: '200002', school_id: '101', school_year: '2026', entry_date: '2026-08-12' },
        'grade_level',
        '5',
        '05',
        '6',
        '06',
      ],
      ['section', { section_id: 'SEC2' }, 'teacher_staff_id', 'T9', 'T9', 'T1', 'T1'],
      ['student', { student_id: '100006' }, 'last_name', null, 'Smith', null, 'Smyth'],
    ]);
    expect(
      page.items.some((d) => d.field === 'exit_date' || d.field === 'races' || d.field === 'birth_date'),
    ).toBe(false);
  });

  it('lists missing records with their keys in new-id terms', async () => {
    const missing = await repo.differences(comparisonId, { kind: 'missing_in_new', limit: 100, offset: 0 });
    expect(missing.items.map((d) => [d.entity, d.key])).toEqual([
      [
        'enrollment',
        { student_id: '100004', school_id: '102', school_year: '2026', entry_date: '2026-08-12' },
      ],
      ['program', { student_id: '100004', program_code: '144', start_date: '2026-08-12' }],
      ['school', { school_id: '102' }],
      ['staff', { staff_id: 'T9' }],
      ['student', { student_id: '100004' }],
    ]);
    const extra = await repo.differences(comparisonId, { kind: 'missing_in_old', limit: 100, offset: 0 });
    expect(extra.items.map((d) => [d.entity, d.key])).toEqual([
      [
        'enrollment',
        { student_id: '100001', school_id: '101', school_year: '2026', entry_date: '2026-10-05' },
      ],
      ['school', { school_id: '103' }],
      ['student', { student_id: '100005' }],
    ]);
  });

  it('turns references the new SIS cannot resolve into worded warnings', async () => {
    const w = await repo.warnings(comparisonId, 100, 0);
    expect(w.items.map((i) => i.message).sort()).toEqual(
      [
        "Enrollment found for school '102', student '100004' in the old SIS, but the new SIS has no school '102'",
        "Enrollment found for school '102', student '100004' in the old SIS, but the new SIS has no student '100004'",
        "Program found for program '144', student '100004' in the old SIS, but the new SIS has no student '100004'",
        "Section found for section 'SEC2', teacher 'T9' in the old SIS, but the new SIS has no teacher 'T9'",
      ].sort(),
    );
  });

  it('summarises readiness per school', async () => {
    const schools = await repo.readiness(comparisonId);
    expect(
      schools.map((s) => [
        s.schoolId,
        s.schoolName,
        s.oldRecords,
        s.newRecords,
        s.matched,
        s.onlyInOld,
        s.onlyInNew,
        s.recordsWithDifferences,
        s.matchedPercent,
      ]),
    ).toEqual([
      ['102', 'Adams', 3, 0, 0, 3, 0, 0, 0],
      ['101', 'Lincoln', 7, 8, 7, 0, 1, 2, 87.5],
    ]);
  });

  it('bounds the stored differences but keeps the counts, and replaces the comparison of a run when run again', async () => {
    const again = await sut.execute({
      districtId,
      oldSnapshotId: oldSnap,
      newSnapshotId: newSnap,
      runId,
      options: { maxDifferences: 4 },
    });
    expect(again).not.toEqual(comparisonId);
    const record = await repo.findByRun(runId);
    expect(record).toMatchObject({ id: again, differencesTotal: 11, differencesStored: 4, warningsTotal: 4 });
    // Every warning is counted in the summary, grouped with sample ids, whatever the stored bound.
    expect(record?.warningSummary).toEqual([
      { entity: 'enrollment', refEntity: 'school', count: 1, distinctRefs: 1, samples: ['102'] },
      { entity: 'enrollment', refEntity: 'student', count: 1, distinctRefs: 1, samples: ['100004'] },
      { entity: 'program', refEntity: 'student', count: 1, distinctRefs: 1, samples: ['100004'] },
      { entity: 'section', refEntity: 'staff', count: 1, distinctRefs: 1, samples: ['T9'] },
    ]);
    const capped = await sut.execute({
      districtId,
      oldSnapshotId: oldSnap,
      newSnapshotId: newSnap,
      options: { maxWarnings: 1 },
    });
    const bounded = await repo.find(districtId, capped);
    expect(bounded?.warningsTotal).toBe(4);
    expect((await repo.warnings(capped, 100, 0)).total).toBe(1);
    expect(bounded?.warningSummary.reduce((n, g) => n + g.count, 0)).toBe(4);
    const all = await repo.differences(again, { limit: 100, offset: 0 });
    expect(all.total).toBe(4);
    const { rows } = await t.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM comparisons WHERE run_id = $1`,
      [runId],
    );
    expect(Number(rows[0].n)).toBe(1);
    comparisonId = again;
  });

  it('matches students on the district id alone when configured, so a changed SSID becomes a field difference', async () => {
    await t.db.pool.query(
      `UPDATE snap_student SET state_student_id = 'Z1' WHERE snapshot_id = $1 AND student_id = '100001'`,
      [newSnap],
    );
    const id = await sut.execute({
      districtId,
      oldSnapshotId: oldSnap,
      newSnapshotId: newSnap,
      options: { studentKeys: ['student_id'] },
    });
    const students = (await repo.summaries(id)).find((s) => s.entity === 'student');
    expect(students).toMatchObject({
      matched: 4,
      onlyInOld: 1,
      onlyInNew: 1,
      byField: { last_name: 1, state_student_id: 1 },
    });
    await t.db.pool.query(
      `UPDATE snap_student SET state_student_id = 'A1' WHERE snapshot_id = $1 AND student_id = '100001'`,
      [newSnap],
    );
  });

  it('computes the rule delta by exception fingerprint and counts introduced errors per school', async () => {
    const [oldEval, newEval] = [
      '0d1c0000-0000-4000-8000-000000000001',
      '0d1c0000-0000-4000-8000-000000000002',
    ];
    const exc = (evaluation: string, snap: string, rule: string, fp: string, school: string | null) =>
      t.db.pool.query(
        `INSERT INTO rule_exceptions (evaluation_id, district_id, snapshot_id, rule_id, entity, record_key, school_id, fingerprint)
         VALUES ($1, $2, $3, $4, 'enrollment', $5, $6, $5)`,
        [evaluation, districtId, snap, rule, fp, school],
      );
    await exc(oldEval, oldSnap, 'R1', 'fp-a', '101');
    await exc(newEval, newSnap, 'R1', 'fp-a', '101');
    await exc(oldEval, oldSnap, 'R1', 'fp-b', '102');
    await exc(newEval, newSnap, 'R2', 'fp-c', '101');
    await exc(newEval, newSnap, 'R2', 'fp-d', '101');
    const id = await sut.execute({
      districtId,
      oldSnapshotId: oldSnap,
      newSnapshotId: newSnap,
      oldEvaluationId: oldEval,
      newEvaluationId: newEval,
    });
    expect(await repo.ruleDelta(id)).toEqual([
      { ruleId: 'R2', onlyInOld: 0, onlyInNew: 2, inBoth: 0 },
      { ruleId: 'R1', onlyInOld: 1, onlyInNew: 0, inBoth: 1 },
    ]);
    const schools = await repo.readiness(id);
    expect(schools.map((s) => [s.schoolId, s.introducedErrors])).toEqual([
      ['102', 0],
      ['101', 2],
    ]);
  });

  it('refuses snapshots of another district or not complete', async () => {
    const other = await factory.district(t.db.pool);
    await expect(
      sut.execute({ districtId: other.id, oldSnapshotId: oldSnap, newSnapshotId: newSnap }),
    ).rejects.toThrow('old snapshot not found');
    await t.db.pool.query(`UPDATE snapshots SET status = 'extracting' WHERE id = $1`, [newSnap]);
    await expect(sut.execute({ districtId, oldSnapshotId: oldSnap, newSnapshotId: newSnap })).rejects.toThrow(
      'the new snapshot is extracting',
    );
    await t.db.pool.query(`UPDATE snapshots SET status = 'complete' WHERE id = $1`, [newSnap]);
  });
});
