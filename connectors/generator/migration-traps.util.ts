import { addDays, schoolCalendar, weekday } from 'connectors/generator/calendar.util';
import {
  buildStudent,
  firstEntryOf,
  gradeNumber,
  gradeOrder,
  type ModelDistrict,
  type ModelProgram,
  type ModelRoster,
  type ModelSection,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import type {
  DifferenceKind,
  PairDifference,
  PairTrap,
  TrapKind,
} from 'connectors/generator/generator.types';

/**
 * The migration semantics of a district pair beyond records missing or drifting: changes a migration really
 * makes (differences the comparison must report, each once) and look-alikes it must not report (traps). Every
 * change is made on the canonical model and written through each SIS's own encoder, so the comparison sees it
 * only the way the native tables hold it.
 */

/** Difference kinds planned per student here (the staff kind is planned with the re-identification). */
export const MIGRATION_DIFFERENCE_KINDS = [
  'program_missing_in_new',
  'section_dates_moved',
  'odd_birth_date_changed',
  'unmapped_code_new',
  'student_renumbered_unmapped',
  'staff_renumbered_unmapped',
] as const satisfies readonly DifferenceKind[];
export type MigrationDifferenceKind = (typeof MIGRATION_DIFFERENCE_KINDS)[number];

export function isMigrationDifference(kind: DifferenceKind): kind is MigrationDifferenceKind {
  return (MIGRATION_DIFFERENCE_KINDS as readonly string[]).includes(kind);
}

export interface PairShape {
  /** Both sides date their schedules (no Aeries side: SEC holds only the live schedule, without dates). */
  datedSchedules: boolean;
  /** The new SIS renumbered students, recoded schools, re-ided sections and staff. */
  reidentify: boolean;
}

/** Whether a difference kind can exist in a pair of this shape (a kind that cannot is not injected). */
export function differenceApplies(kind: DifferenceKind, shape: PairShape): boolean {
  if (kind === 'section_dates_moved') return shape.datedSchedules;
  if (kind === 'student_renumbered_unmapped' || kind === 'staff_renumbered_unmapped') return shape.reidentify;
  return true;
}

/** Kinds planned on students (the staff difference is made on the district). */
export function plannedOnStudents(kind: DifferenceKind): boolean {
  return kind !== 'staff_renumbered_unmapped';
}

const withExit = (s: ModelStudent): boolean => {
  const e = s.enrollments[s.enrollments.length - 1];
  return e.exit !== null && e.exitCode !== null;
};
const inWindowProgram = (s: ModelStudent): ModelProgram | undefined =>
  s.programs.find((p) => !p.beforeWindow);
const schoolOf = (d: ModelDistrict, code: number) => d.schools.find((x) => x.code === code);

export const MIGRATION_ELIGIBLE: Record<
  MigrationDifferenceKind,
  (s: ModelStudent, d: ModelDistrict) => boolean
> = {
  program_missing_in_new: (s) => s.scenario === 'continuing' && inWindowProgram(s) !== undefined,
  section_dates_moved: (s) => s.scenario === 'continuing' && s.rosters.some((r) => r.end === null),
  odd_birth_date_changed: (s) => s.scenario === 'continuing' && s.birthDate !== null,
  unmapped_code_new: (s) => s.scenario === 'withdrawn' && s.enrollments.length <= 2 && withExit(s),
  student_renumbered_unmapped: (s) => s.scenario === 'continuing' && s.stateId !== null,
  staff_renumbered_unmapped: () => false,
};

/** A birth date typed with a year after 2100 (kept as a date by every connector). */
export const oddBirthDate = (schoolYear: number): string => `${schoolYear + 79}-03-04`;

/** The exit code no connector maps (CA: not a CALPADS code). */
export const UNMAPPED_EXIT_CODE = 'X7';

/** Old side of a difference that starts in the old SIS (the typo the migration corrected). */
export function applyOldSideDifference(d: ModelDistrict, s: ModelStudent, kind: DifferenceKind): void {
  if (kind === 'odd_birth_date_changed') s.birthDate = oddBirthDate(d.calendar.schoolYear);
}

const key = (s: ModelStudent): PairDifference['key'] => ({
  state_student_id: s.stateId,
  student_id: String(s.id),
});

/** New side of a migration difference; returns what the comparison must report. */
export function applyMigrationDifference(
  d: ModelDistrict,
  s: ModelStudent,
  kind: Exclude<MigrationDifferenceKind, 'student_renumbered_unmapped' | 'staff_renumbered_unmapped'>,
): PairDifference {
  switch (kind) {
    case 'program_missing_in_new': {
      const p = inWindowProgram(s) as ModelProgram;
      s.programs = s.programs.filter((x) => x !== p);
      return {
        kind,
        entity: 'program',
        key: key(s),
        expect: { kind: 'missing_in_new', entity: 'program' },
      };
    }
    case 'section_dates_moved': {
      const r = s.rosters.find((x) => x.end === null) as ModelRoster;
      const old = r.begin;
      r.begin = weekday(addDays(old, 2));
      const change = { field: 'begin_date', old, new: r.begin };
      return {
        kind,
        entity: 'student_section',
        key: key(s),
        ...change,
        expect: { kind: 'field', entity: 'student_section', ...change },
      };
    }
    case 'odd_birth_date_changed': {
      const change = { field: 'birth_date', old: oddBirthDate(d.calendar.schoolYear), new: s.birthDate };
      return {
        kind,
        entity: 'student',
        key: key(s),
        ...change,
        expect: { kind: 'field', entity: 'student', ...change },
      };
    }
    case 'unmapped_code_new': {
      const e = s.enrollments[s.enrollments.length - 1];
      e.rawExitCode = UNMAPPED_EXIT_CODE;
      // The unmapped code is the one finding: the canonical value is empty, nothing else about the record differs.
      const change = { field: 'exit_code', old: e.exitCode, new: null };
      return {
        kind,
        entity: 'enrollment',
        key: key(s),
        ...change,
        expect: { kind: 'field', entity: 'enrollment', ...change },
      };
    }
  }
}

/** Traps made on one student each (written on both sides, differently where the trap says so). */
export const STUDENT_TRAP_KINDS = [
  'history_outside_window_dropped',
  'history_outside_window_changed',
  'program_before_window_dropped',
  'negative_cc_at_exit',
  'unmapped_code_both',
] as const satisfies readonly TrapKind[];
export type StudentTrapKind = (typeof STUDENT_TRAP_KINDS)[number];

/** An elementary student with last year's enrollment at the same school (two years back: grade ≥ KG). */
function sameSchoolHistory(s: ModelStudent, d: ModelDistrict): boolean {
  if (s.scenario !== 'continuing' || s.enrollments.length !== 2) return false;
  const [prior, current] = s.enrollments;
  return (
    prior.year === d.priorCalendar.schoolYear &&
    prior.schoolCode === current.schoolCode &&
    schoolOf(d, current.schoolCode)?.level === 'elementary' &&
    gradeNumber(current.grade) >= 2
  );
}

function secondarySchoolLeaver(s: ModelStudent, d: ModelDistrict): boolean {
  if (s.scenario !== 'withdrawn' || s.enrollments.length > 2 || !withExit(s)) return false;
  const school = schoolOf(d, s.enrollments[s.enrollments.length - 1].schoolCode);
  return school !== undefined && school.level !== 'elementary' && school.sections.length > 0;
}

export const TRAP_ELIGIBLE: Record<StudentTrapKind, (s: ModelStudent, d: ModelDistrict) => boolean> = {
  history_outside_window_dropped: sameSchoolHistory,
  history_outside_window_changed: sameSchoolHistory,
  program_before_window_dropped: (s) => s.scenario === 'continuing' && s.programs.some((p) => p.beforeWindow),
  negative_cc_at_exit: secondarySchoolLeaver,
  unmapped_code_both: (s) => s.scenario === 'withdrawn' && s.enrollments.length <= 2 && withExit(s),
};

/** Applies a student trap to one side's copy; returns the trap on the old side (recorded once). */
export function applyStudentTrap(
  d: ModelDistrict,
  s: ModelStudent,
  kind: StudentTrapKind,
  side: 'old' | 'new',
): PairTrap | null {
  const trap = (detail: string): PairTrap | null =>
    side === 'old' ? { kind, student_id: String(s.id), detail } : null;
  switch (kind) {
    case 'history_outside_window_dropped':
    case 'history_outside_window_changed': {
      const [prior] = s.enrollments;
      const year = prior.year as number;
      const cal = schoolCalendar(year - 1);
      const order = gradeOrder(d.state);
      const at = order.indexOf(prior.grade);
      const grade = order[side === 'new' && kind === 'history_outside_window_changed' ? at - 2 : at - 1];
      if (side === 'old' || kind === 'history_outside_window_changed')
        s.enrollments.unshift({
          ...prior,
          entry: cal.firstDay,
          exit: cal.lastDay,
          grade,
          exitCode: 'E155',
          status: 'inactive',
          year: year - 1,
        });
      return trap(
        kind === 'history_outside_window_dropped'
          ? `enrollment of ${year - 1} (outside the window) only in the old SIS`
          : `enrollment of ${year - 1} (outside the window) with another grade in the new SIS`,
      );
    }
    case 'program_before_window_dropped':
      if (side === 'new') s.programs = s.programs.filter((p) => !p.beforeWindow);
      return trap('a program that ended before the window, not migrated');
    case 'negative_cc_at_exit': {
      const e = s.enrollments[s.enrollments.length - 1];
      const school = schoolOf(d, e.schoolCode) as NonNullable<ReturnType<typeof schoolOf>>;
      const periods = [...new Set(school.sections.map((x) => x.period))];
      s.rosters = periods.map((period) => ({
        section: school.sections.find((x) => x.period === period) as ModelSection,
        begin: e.entry,
        end: e.exit,
      }));
      return trap(`${s.rosters.length} classes ended at the withdrawal on ${e.exit} on both sides`);
    }
    case 'unmapped_code_both': {
      s.enrollments[s.enrollments.length - 1].rawExitCode = UNMAPPED_EXIT_CODE;
      return trap(`exit code ${UNMAPPED_EXIT_CODE} (unmapped) on both sides`);
    }
  }
}

/** Last year's graduates written on both sides (above alumni and extras in the index space). */
export const GRADUATE_INDEX = 650_000;
export function graduateCount(students: number): number {
  return Math.max(2, Math.floor(students / 300));
}
export function graduateIndexes(students: number): number[] {
  const base = Math.max(GRADUATE_INDEX, students + 250_000);
  return Array.from({ length: graduateCount(students) }, (_, k) => base + k);
}

/** A senior who graduated at the end of last year (E230): in the window, not enrolled this year. */
export function buildGraduate(d: ModelDistrict, index: number): ModelStudent {
  const s = buildStudent({ ...d, history: false }, index);
  const high = d.schools.filter((x) => x.active && x.level === 'high');
  const school = high[index % high.length];
  const prior = d.priorCalendar;
  s.scenario = 'withdrawn';
  s.birthDate = addDays(`${prior.schoolYear - 18}-09-02`, index % 300);
  s.enrollments = [
    {
      schoolCode: school.code,
      entry: prior.firstDay,
      exit: prior.lastDay,
      grade: '12',
      entryCode: 'R1',
      exitCode: 'E230',
      status: 'inactive',
      year: prior.schoolYear,
      graduated: true,
    },
  ];
  s.programs = [];
  s.rosters = [];
  s.firstEntry = firstEntryOf(s);
  return s;
}

/** How the new SIS re-identified records: offsets that keep every id inside its native column type. */
const SCHOOL_OFFSET = 800;
const STAFF_OFFSET = 100_000;
const STUDENT_OFFSET = 1_000_000;
/** One student in this many (outside the planned differences and traps) is renumbered. */
const RENUMBER_EVERY = 4;

type IdEntityName = 'student' | 'school' | 'section' | 'staff';

/**
 * The re-identification a migration vendor does (new school codes, so new section ids; new staff numbers;
 * renumbered students) applied to the new side's district, and the crosswalk files the vendor hands over.
 * Construct it on the new district before any student is built (students pick their schools from it).
 */
export class Reidentification {
  private readonly maps: Record<IdEntityName, Array<[string, string]>> = {
    student: [],
    school: [],
    section: [],
    staff: [],
  };
  readonly differences: PairDifference[] = [];

  constructor(nd: ModelDistrict, unmappedStaff: number) {
    for (const school of nd.schools) {
      const old = school.code;
      school.code = old + SCHOOL_OFFSET;
      this.maps.school.push([String(old), String(school.code)]);
      for (const sec of school.sections) {
        sec.schoolCode = school.code;
        this.maps.section.push([`${old}-${sec.number}`, `${school.code}-${sec.number}`]);
      }
    }
    const staffIds = new Map<number, number>();
    const step = Math.max(1, Math.floor(nd.staff.length / Math.max(1, unmappedStaff)));
    nd.staff.forEach((t, k) => {
      const old = t.id;
      t.id = old + STAFF_OFFSET;
      t.schoolCode += SCHOOL_OFFSET;
      staffIds.set(old, t.id);
      if (k % step === 0 && this.differences.length < unmappedStaff) {
        const change = { field: 'staff_id', old: String(old), new: String(t.id) };
        this.differences.push({
          kind: 'staff_renumbered_unmapped',
          entity: 'staff',
          key: { state_student_id: null, student_id: '', staff_id: String(t.id) },
          ...change,
          expect: { kind: 'field', entity: 'staff', ...change },
        });
      } else this.maps.staff.push([String(old), String(t.id)]);
    });
    for (const sec of nd.schools.flatMap((x) => x.sections))
      if (sec.teacherId !== null) sec.teacherId = staffIds.get(sec.teacherId) ?? sec.teacherId;
  }

  /** Renumbers one in RENUMBER_EVERY students (by index), with its crosswalk line. */
  renumber(s: ModelStudent): void {
    if (s.id === null || s.index % RENUMBER_EVERY !== 1) return;
    const old = s.id;
    s.id = old + STUDENT_OFFSET;
    this.maps.student.push([String(old), String(s.id)]);
  }

  /** Renumbers a student without a crosswalk line: the comparison sees one changed student id. */
  renumberUnmapped(s: ModelStudent): PairDifference {
    const old = String(s.id);
    s.id = Number(s.id) + STUDENT_OFFSET;
    const change = { field: 'student_id', old, new: String(s.id) };
    return {
      kind: 'student_renumbered_unmapped',
      entity: 'student',
      key: { state_student_id: s.stateId, student_id: String(s.id) },
      ...change,
      expect: { kind: 'field', entity: 'student', ...change },
    };
  }

  /** The vendor's files, one CSV per entity (header old_id,new_id). */
  files(): Partial<Record<IdEntityName, string>> {
    return Object.fromEntries(
      Object.entries(this.maps).map(([entity, rows]) => [
        entity,
        ['old_id,new_id', ...rows.map(([o, n]) => `${o},${n}`), ''].join('\n'),
      ]),
    );
  }

  traps(): PairTrap[] {
    const trap = (kind: TrapKind, n: number, what: string): PairTrap => ({
      kind,
      student_id: null,
      detail: `${n} ${what}, mapped by the vendor's crosswalk`,
    });
    return [
      trap('crosswalk_students', this.maps.student.length, 'renumbered students'),
      trap('crosswalk_schools', this.maps.school.length, 'recoded schools'),
      trap('crosswalk_sections', this.maps.section.length, 're-ided sections (new school code)'),
      trap('crosswalk_staff', this.maps.staff.length, 're-ided staff'),
    ];
  }
}
