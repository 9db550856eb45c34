import { daysBetween, schoolCalendar, isWeekday } from 'connectors/generator/calendar.util';
import {
  applyStudentDefects,
  planDefects,
  resolveDefects,
  withholdDefects,
} from 'connectors/generator/defects.util';
import {
  buildDistrict,
  buildStudent,
  gradeInSpan,
  gradeNumber,
} from 'connectors/generator/district-model.util';
import { defectKindsFor } from 'connectors/generator/generator.types';
import { invertMap } from 'connectors/generator/encoder.types';
import { parseDefects } from 'connectors/generator/generate.command';

describe('canonical district model', () => {
  const d = buildDistrict('unit', 3000, 2026, '2026-11-01', true);

  it('builds schools with grade spans, one closed school and collision-free codes', () => {
    expect(d.schools.map((s) => s.level)).toEqual([
      'elementary',
      'elementary',
      'elementary',
      'elementary',
      'elementary',
      'middle',
      'middle',
      'high',
      'elementary',
    ]);
    expect(d.schools.map((s) => s.code)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(d.schools.filter((s) => !s.active).map((s) => s.code)).toEqual([109]);
    expect(d.schools[0].cds).toHaveLength(14);
    expect(
      d.schools.find((s) => s.level === 'high')?.sections.every((x) => x.period >= 1 && x.period <= 6),
    ).toBe(true);
  });

  it('rebuilds the same student from (seed, index) and keeps birth dates consistent with grade', () => {
    expect(buildStudent(d, 17)).toEqual(buildStudent(d, 17));
    for (let i = 0; i < 200; i++) {
      const s = buildStudent(d, i);
      const e = s.enrollments[0];
      const school = d.schools.find((x) => x.code === e.schoolCode);
      expect(school && gradeInSpan(e.grade, school.low, school.high)).toBe(true);
      const age = daysBetween(s.birthDate as string, '2026-09-01') / 365.25;
      expect(age).toBeGreaterThanOrEqual(gradeNumber(e.grade) + 5 - 0.01);
      expect(age).toBeLessThan(gradeNumber(e.grade) + 6.01);
      for (const x of s.enrollments) if (x.exit !== null) expect(x.exit >= x.entry).toBe(true);
    }
  });

  it('models transfers as an exit with T160 followed by a new entry at another school', () => {
    const transfers = Array.from({ length: 400 }, (_, i) => buildStudent(d, i)).filter(
      (s) => s.scenario === 'transfer' && s.enrollments.length === 2,
    );
    expect(transfers.length).toBeGreaterThan(5);
    for (const s of transfers) {
      const [a, b] = s.enrollments;
      expect(a).toMatchObject({ exitCode: 'T160', status: 'inactive' });
      expect(b.schoolCode).not.toBe(a.schoolCode);
      expect(b.entry > (a.exit as string)).toBe(true);
      expect(isWeekday(b.entry)).toBe(true);
    }
  });

  it('plans defects deterministically on students that fit them', () => {
    const plan = planDefects(d, resolveDefects('all'));
    const again = planDefects(buildDistrict('unit', 3000, 2026, '2026-11-01', true), resolveDefects('all'));
    expect([...again.byStudent.entries()]).toEqual([...plan.byStudent.entries()]);
    expect(
      [...plan.byStudent.values()].flat().length +
        plan.sectionsWithoutTeacher.length +
        plan.sectionsWithDuplicateTeacher.length,
    ).toBe(defectKindsFor('CA').length * 2);
    // A duplicated teacher stays on a section that keeps its teacher.
    expect(
      plan.sectionsWithDuplicateTeacher.filter((id) => plan.sectionsWithoutTeacher.includes(id)),
    ).toEqual([]);
    // Only the SIS that can carry a kind get it: Aeries holds one teacher per section (MST.TN).
    expect(resolveDefects('all', 'CA', 'aeries').duplicate_section_teacher).toBeUndefined();
    expect(resolveDefects({ duplicate_section_teacher: 1 }, 'CA', 'aeries')).toEqual({});
    expect(resolveDefects('all', 'CA', 'powerschool').duplicate_section_teacher).toBe(2);
    expect(resolveDefects('all', 'CA', 'aeries').elas_tbd_overdue).toBe(2);
    const [withdrawn] = [...plan.byStudent.entries()].find(([, k]) => k.includes('exit_before_entry')) ?? [];
    const s = buildStudent(d, withdrawn as number);
    const [injected] = applyStudentDefects(d, s, ['exit_before_entry'], plan);
    expect(injected.kind).toBe('exit_before_entry');
    expect((s.enrollments[0].exit as string) < s.enrollments[0].entry).toBe(true);
  });

  it('withholds the first planned defects of a kind and keeps every other defect on its record', () => {
    const plan = planDefects(d, resolveDefects('all'));
    const kept = withholdDefects(plan, {
      missing_birth_date: 1,
      duplicate_state_id: 2,
      section_without_teacher: 1,
    });
    const kindsOf = (p: typeof plan) =>
      [...p.byStudent.entries()].flatMap(([i, ks]) => ks.map((k) => `${i}:${k}`));
    const before = kindsOf(plan);
    const after = kindsOf(kept);
    const gone = before.filter((x) => !after.includes(x));
    expect(gone.map((x) => x.split(':')[1]).sort()).toEqual([
      'duplicate_state_id',
      'duplicate_state_id',
      'missing_birth_date',
    ]);
    expect(after.every((x) => before.includes(x))).toBe(true);
    expect(gone[0]).toBe(before.find((x) => x.endsWith(':missing_birth_date')));
    expect(kept.partner.size).toBe(0);
    expect(kept.sectionsWithoutTeacher).toEqual(plan.sectionsWithoutTeacher.slice(1));
    expect(withholdDefects(plan, { duplicate_section_teacher: 1 }).sectionsWithDuplicateTeacher).toEqual(
      plan.sectionsWithDuplicateTeacher.slice(1),
    );
    expect(withholdDefects(plan, {})).toEqual(plan);
  });

  it('uses a weekday calendar for the year', () => {
    const cal = schoolCalendar(2026);
    expect(cal).toEqual({
      schoolYear: 2026,
      firstDay: '2026-08-13',
      lastDay: '2027-06-04',
      s1LastDay: '2026-12-18',
      s2FirstDay: '2027-01-06',
    });
  });
});

describe('generator helpers', () => {
  it('inverts code maps, preferring the requested spelling', () => {
    expect(invertMap({ T160: 'T160', '160': 'T160', '0': 'KG' }, (k) => /^\d+$/.test(k))).toEqual({
      T160: '160',
      KG: '0',
    });
  });

  it('parses the CLI defect option', () => {
    expect(parseDefects('all')).toBe('all');
    expect(parseDefects(undefined)).toBeUndefined();
    expect(parseDefects('null_key_row=3, unmapped_exit_code')).toEqual({
      null_key_row: 3,
      unmapped_exit_code: 1,
    });
    expect(() => parseDefects('typo=1')).toThrow("unknown defect 'typo'");
    expect(() => parseDefects('null_key_row=-1')).toThrow('non-negative integer');
  });
});
