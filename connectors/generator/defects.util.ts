import { addDays, weekday } from 'connectors/generator/calendar.util';
import {
  activeSchoolsFor,
  buildStudent,
  gradeInSpan,
  gradeNumber,
  gradeOrder,
  rngFor,
  studentBase,
  type ModelDistrict,
  type ModelSection,
  type GeneratorState,
  type ModelStudent,
  type StudentBase,
} from 'connectors/generator/district-model.util';
import type { SisKind } from 'connectors/sdk/sis-kinds';
import {
  DEFECT_KINDS,
  DEFECT_SIS,
  DEFECT_STATES,
  defectKindsFor,
  type DefectKind,
  type DefectSpec,
  type InjectedDefect,
} from 'connectors/generator/generator.types';

/** Which student (or section) carries which defect; decided up front from the seed, applied while streaming. */
export interface DefectPlan {
  byStudent: Map<number, DefectKind[]>;
  /** Partner index for duplicate_state_id (the student whose SSID is copied). */
  partner: Map<number, number>;
  sectionsWithoutTeacher: string[];
  /** Sections whose lead teacher is entered again as co-teacher (duplicate_section_teacher). */
  sectionsWithDuplicateTeacher: string[];
  /** Extra students appended after the regular ones (copies for same_name_birth_two_ids, null-key rows). */
  extras: { kind: 'same_name_birth_two_ids' | 'null_key_row'; of: number }[];
}

/**
 * `all` = two of every kind the state has (and `sis` can carry); asking for a kind of another state's
 * conventions is an error. A kind none of `sis`'s native tables can hold (DEFECT_SIS) is left out of the spec,
 * so the manifest never lists a defect the replica does not carry.
 */
export function resolveDefects(
  spec: DefectSpec | 'all' | undefined,
  state: GeneratorState = 'CA',
  sis: SisKind | readonly SisKind[] = [],
): DefectSpec {
  if (spec === 'all') return Object.fromEntries(defectKindsFor(state, sis).map((k) => [k, 2]));
  const foreign = Object.entries(spec ?? {}).filter(
    ([k, n]) => (n ?? 0) > 0 && !defectKindsFor(state).includes(k as DefectKind),
  );
  if (foreign.length > 0) {
    throw new Error(
      `defect kind ${foreign.map(([k]) => `${k} (${(DEFECT_STATES[k as DefectKind] ?? []).join('/')} only)`).join(', ')} does not exist in a ${state} district`,
    );
  }
  const carried = defectKindsFor(state, sis);
  return Object.fromEntries(
    Object.entries(spec ?? {}).filter(
      ([k]) => carried.includes(k as DefectKind) || !DEFECT_SIS[k as DefectKind],
    ),
  );
}

type Need = (b: StudentBase, d: ModelDistrict) => boolean;
const applies = (kind: DefectKind, d: ModelDistrict): boolean =>
  DEFECT_STATES[kind]?.includes(d.state) ?? true;
const continuing: Need = (b) => b.scenario === 'continuing';
const NEEDS: Record<DefectKind, Need> = {
  missing_birth_date: continuing,
  future_birth_date: continuing,
  duplicate_state_id: continuing,
  same_name_birth_two_ids: continuing,
  // The overlapping enrollment goes to another school offering the grade, so the grade stays inside its span.
  overlapping_enrollment: (b, d) => b.scenario === 'continuing' && activeSchoolsFor(d, b.grade).length > 1,
  exit_before_entry: (b) => b.scenario === 'withdrawn',
  exit_date_without_code: (b) => b.scenario === 'withdrawn',
  exit_code_without_date: continuing,
  invalid_grade_code: continuing,
  unmapped_exit_code: (b, d) => applies('unmapped_exit_code', d) && b.scenario === 'withdrawn',
  grade_outside_school_span: continuing,
  // The closed school spans KG-05: no pre-kindergarten (TK/PK) student, so the grade stays inside its span.
  enrolled_inactive_school: (b) =>
    b.scenario === 'continuing' && b.school.level === 'elementary' && gradeNumber(b.grade) >= 0,
  section_without_teacher: () => false,
  roster_without_enrollment: (b) => b.scenario === 'continuing' && b.school.level !== 'elementary',
  program_outside_enrollment: (b) => b.scenario === 'late_entry',
  missing_state_id: continuing,
  null_key_row: continuing,
  impossible_date: continuing,
  // A PEIMS leaver reason on the withdrawal of a student below grade 7 (leavers are reported for 7-12 only).
  leaver_below_grade7: (b, d) =>
    applies('leaver_below_grade7', d) && b.scenario === 'withdrawn' && gradeNumber(b.grade) < 7,
  student_id_invalid_area: (b, d) => applies('student_id_invalid_area', d) && b.scenario === 'continuing',
  // Last year's grade 7–12 student (this year's 8–12) who did not come back and has no leaver reason.
  unreported_prior_year_leaver: (b, d) =>
    applies('unreported_prior_year_leaver', d) && b.scenario === 'continuing' && gradeNumber(b.grade) >= 8,
  // Enrolled on the as-of date in a grade CERT106 checks (not preschool/infant/adult).
  elas_tbd_overdue: (b, d) =>
    applies('elas_tbd_overdue', d) && b.scenario === 'continuing' && gradeNumber(b.grade) >= 0,
  duplicate_section_teacher: () => false,
};

/** Seeded permutation of 0..n-1 (Fisher-Yates). */
function permutation(seed: string, n: number): Int32Array {
  const rng = rngFor(seed, 'defect-order');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Indices reserved for something else (samples, pair differences) are never given a defect. */
export function planDefects(
  d: ModelDistrict,
  spec: DefectSpec,
  reserved: Set<number> = new Set(),
): DefectPlan {
  const plan: DefectPlan = {
    byStudent: new Map(),
    partner: new Map(),
    sectionsWithoutTeacher: [],
    sectionsWithDuplicateTeacher: [],
    extras: [],
  };
  const order = permutation(d.seed, d.students);
  const used = new Set<number>(reserved);
  const bases = new Map<number, StudentBase>();
  const baseOf = (i: number): StudentBase => {
    let b = bases.get(i);
    if (!b) bases.set(i, (b = studentBase(d, i)));
    return b;
  };
  const take = (need: Need): number | undefined => {
    for (const i of order) {
      if (!used.has(i) && need(baseOf(i), d)) {
        used.add(i);
        return i;
      }
    }
    return undefined;
  };
  for (const kind of DEFECT_KINDS) {
    const count = spec[kind] ?? 0;
    if (kind === 'section_without_teacher') {
      const sections = d.schools.flatMap((s) => s.sections);
      const rng = rngFor(d.seed, 'defect', kind);
      for (let k = 0; k < count && sections.length > 0; k++) {
        const at = Math.floor(rng() * sections.length);
        plan.sectionsWithoutTeacher.push(sections.splice(at, 1)[0].id);
      }
      continue;
    }
    if (kind === 'duplicate_section_teacher') {
      // Sections that keep their teacher (after section_without_teacher, which DEFECT_KINDS lists first).
      const sections = d.schools
        .flatMap((s) => s.sections)
        .filter((s) => s.teacherId !== null && !plan.sectionsWithoutTeacher.includes(s.id));
      const rng = rngFor(d.seed, 'defect', kind);
      for (let k = 0; k < count && sections.length > 0; k++) {
        const at = Math.floor(rng() * sections.length);
        plan.sectionsWithDuplicateTeacher.push(sections.splice(at, 1)[0].id);
      }
      continue;
    }
    for (let k = 0; k < count; k++) {
      const i = take(NEEDS[kind]);
      if (i === undefined) break;
      plan.byStudent.set(i, [...(plan.byStudent.get(i) ?? []), kind]);
      if (kind === 'duplicate_state_id') {
        const partner = take(continuing);
        if (partner !== undefined) plan.partner.set(i, partner);
      }
      if (kind === 'same_name_birth_two_ids' || kind === 'null_key_row') plan.extras.push({ kind, of: i });
    }
  }
  return plan;
}

/**
 * Leaves out the first `withheld[kind]` planned defects of each kind (in plan order) and keeps every other
 * defect on the record it was planned for. Generations of one seed and spec that withhold different counts
 * therefore differ only by those defects: a history in which defects are fixed and introduced, whose
 * findings keep their fingerprints from one generation to the next.
 */
export function withholdDefects(plan: DefectPlan, withheld: DefectSpec = {}): DefectPlan {
  const left = new Map(Object.entries(withheld).map(([k, n]) => [k as DefectKind, n ?? 0]));
  const take = (kind: DefectKind): boolean => {
    const n = left.get(kind) ?? 0;
    if (n <= 0) return false;
    left.set(kind, n - 1);
    return true;
  };
  const byStudent = new Map<number, DefectKind[]>();
  for (const [i, kinds] of plan.byStudent) {
    const kept = kinds.filter((k) => !take(k));
    if (kept.length > 0) byStudent.set(i, kept);
  }
  const has = (i: number, kind: DefectKind): boolean => byStudent.get(i)?.includes(kind) ?? false;
  return {
    byStudent,
    partner: new Map([...plan.partner].filter(([i]) => has(i, 'duplicate_state_id'))),
    sectionsWithoutTeacher: plan.sectionsWithoutTeacher.filter(() => !take('section_without_teacher')),
    sectionsWithDuplicateTeacher: plan.sectionsWithDuplicateTeacher.filter(
      () => !take('duplicate_section_teacher'),
    ),
    extras: plan.extras.filter((e) => has(e.of, e.kind)),
  };
}

/**
 * Removes the teacher of the planned sections and marks the sections whose lead is entered again as co-teacher
 * (call once, before writing the district).
 */
export function applySectionDefects(d: ModelDistrict, plan: DefectPlan): InjectedDefect[] {
  const out: InjectedDefect[] = [];
  const sections = new Map(d.schools.flatMap((s) => s.sections).map((s) => [s.id, s]));
  for (const id of plan.sectionsWithDuplicateTeacher) {
    const section = sections.get(id) as ModelSection;
    section.duplicateTeacher = true;
    out.push({
      kind: 'duplicate_section_teacher',
      entity: 'section_staff',
      section_id: id,
      school_id: String(section.schoolCode),
      detail: `lead teacher ${section.teacherId ?? ''} is also entered as the section's co-teacher`,
    });
  }
  for (const id of plan.sectionsWithoutTeacher) {
    const section = sections.get(id) as ModelSection;
    section.teacherId = null;
    out.push({
      kind: 'section_without_teacher',
      entity: 'section',
      section_id: id,
      school_id: String(section.schoolCode),
      detail: 'section has no teacher',
    });
  }
  return out;
}

const sid = (s: ModelStudent): string | null => (s.id === null ? null : String(s.id));

/** Applies the student's planned defects in place and returns what was injected. */
export function applyStudentDefects(
  d: ModelDistrict,
  s: ModelStudent,
  kinds: DefectKind[],
  plan: DefectPlan,
): InjectedDefect[] {
  return kinds.map((kind) => applyOne(d, s, kind, plan));
}

function applyOne(d: ModelDistrict, s: ModelStudent, kind: DefectKind, plan: DefectPlan): InjectedDefect {
  const cal = d.calendar;
  const enr = s.enrollments[0];
  const school = String(enr.schoolCode);
  const base = { kind, student_id: sid(s), school_id: school };
  switch (kind) {
    case 'missing_birth_date':
      s.birthDate = null;
      return { ...base, entity: 'student', detail: 'birth date is empty' };
    case 'future_birth_date':
      s.birthDate = `${cal.schoolYear + 1}-03-15`;
      return { ...base, entity: 'student', detail: `birth date ${s.birthDate} is in the future` };
    case 'duplicate_state_id': {
      const partner = plan.partner.get(s.index) ?? s.index;
      const other = buildStudent(d, partner);
      s.stateId = other.stateId;
      return {
        ...base,
        entity: 'student',
        other_student_id: String(other.id),
        detail: `state id ${s.stateId} also belongs to student ${other.id}`,
      };
    }
    case 'same_name_birth_two_ids': {
      const copy = String(EXTRA_ID_BASE + plan.extras.findIndex((e) => e.of === s.index && e.kind === kind));
      return {
        ...base,
        entity: 'student',
        other_student_id: copy,
        detail: `same name and birth date as student ${copy}`,
      };
    }
    case 'overlapping_enrollment': {
      const other =
        activeSchoolsFor(d, enr.grade).find((x) => x.code !== enr.schoolCode && x.sections.length > 0) ??
        d.schools.find((x) => x.active && x.code !== enr.schoolCode && x.sections.length > 0) ??
        d.schools[0];
      const entry = weekday(addDays(cal.firstDay, 10));
      s.enrollments.push({
        schoolCode: other.code,
        entry,
        exit: weekday(addDays(cal.firstDay, 40), -1),
        grade: enr.grade,
        entryCode: 'R2',
        exitCode: 'T160',
        status: 'inactive',
      });
      s.enrollments.sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));
      return {
        ...base,
        entity: 'enrollment',
        school_id: String(other.code),
        detail: `enrollment at ${other.code} from ${entry} overlaps the one at ${enr.schoolCode}`,
      };
    }
    case 'exit_before_entry': {
      const exit = enr.exit as string;
      enr.entry = exit;
      enr.exit = weekday(addDays(exit, -10), -1);
      s.programs = s.programs.map((p) => ({ ...p, start: enr.entry, end: exit }));
      return { ...base, entity: 'enrollment', detail: `exit ${enr.exit} before entry ${enr.entry}` };
    }
    case 'exit_date_without_code':
      enr.exitCode = null;
      return { ...base, entity: 'enrollment', detail: `exit date ${enr.exit} without exit code` };
    case 'exit_code_without_date':
      enr.exitCode = 'T160';
      return { ...base, entity: 'enrollment', detail: 'exit code T160 without exit date' };
    case 'invalid_grade_code':
      enr.invalidGrade = true;
      return { ...base, entity: 'enrollment', detail: 'grade level outside the grade code map' };
    case 'unmapped_exit_code':
      enr.rawExitCode = 'X7';
      return { ...base, entity: 'enrollment', detail: 'exit code X7 is not in the exit code map' };
    case 'leaver_below_grade7':
      enr.rawExitCode = '98';
      return {
        ...base,
        entity: 'enrollment',
        detail: `leaver reason 98 (other) on the withdrawal of a grade ${enr.grade} student`,
      };
    case 'student_id_invalid_area':
      s.txStudentId = `666${10 + (s.index % 89)}${1000 + (s.index % 9000)}`;
      return { ...base, entity: 'student', detail: `STUDENT-ID ${s.txStudentId} has the area number 666` };
    case 'unreported_prior_year_leaver': {
      const prior = d.priorCalendar;
      const grade = gradeOrder(d.state)[gradeOrder(d.state).indexOf(enr.grade) - 1];
      s.enrollments = [
        {
          schoolCode: enr.schoolCode,
          entry: prior.firstDay,
          exit: prior.lastDay,
          grade,
          entryCode: enr.entryCode,
          exitCode: null,
          status: 'inactive',
          year: prior.schoolYear,
        },
      ];
      s.rosters = [];
      s.programs = [];
      return {
        ...base,
        entity: 'enrollment',
        detail: `grade ${grade} last year, not back this year and no C162 leaver reason`,
      };
    }
    case 'grade_outside_school_span': {
      const schoolRow = d.schools.find((x) => x.code === enr.schoolCode);
      const grade = schoolRow && gradeInSpan('KG', schoolRow.low, schoolRow.high) ? '11' : 'KG';
      enr.grade = grade;
      return { ...base, entity: 'enrollment', detail: `grade ${grade} outside the school's span` };
    }
    case 'enrolled_inactive_school': {
      const closed = d.schools.find((x) => !x.active) as (typeof d.schools)[number];
      enr.schoolCode = closed.code;
      s.rosters = [];
      s.programs = s.programs.map((p) => ({ ...p, schoolCode: closed.code }));
      return {
        ...base,
        entity: 'enrollment',
        school_id: String(closed.code),
        detail: `enrolled at inactive school ${closed.code}`,
      };
    }
    case 'roster_without_enrollment': {
      const other =
        d.schools.find(
          (x) => x.active && x.level !== 'elementary' && x.code !== enr.schoolCode && x.sections.length > 0,
        ) ?? d.schools.find((x) => x.active && x.code !== enr.schoolCode && x.sections.length > 0);
      if (!other) throw new Error('roster_without_enrollment needs a second school with sections');
      const section = other.sections[0];
      s.rosters.push({ section, begin: enr.entry, end: null, orphan: true });
      return {
        ...base,
        entity: 'student_section',
        school_id: String(other.code),
        section_id: section.id,
        detail: `rostered in ${section.id} without an enrollment at ${other.code}`,
      };
    }
    case 'program_outside_enrollment': {
      const end = weekday(addDays(enr.entry, -3), -1);
      s.programs.push({ code: '191', schoolCode: enr.schoolCode, start: cal.firstDay, end });
      return {
        ...base,
        entity: 'program',
        detail: `program 191 ${cal.firstDay}..${end} before the enrollment starting ${enr.entry}`,
      };
    }
    case 'missing_state_id':
      s.stateId = null;
      return { ...base, entity: 'student', detail: 'state student id is empty' };
    case 'null_key_row':
      return {
        ...base,
        entity: 'student',
        detail: 'a copy of this student was written with a null student id',
      };
    case 'impossible_date':
      // The OLE/Excel zero date: the pipeline treats years before 1900 as impossible.
      enr.entry = IMPOSSIBLE_DATE;
      s.rosters = s.rosters.map((r) => ({ ...r, begin: d.calendar.firstDay }));
      return { ...base, entity: 'enrollment', detail: `entry date ${IMPOSSIBLE_DATE}` };
    case 'elas_tbd_overdue': {
      // An English-only or English-learner student turned TBD: no Language Instruction Program (LIP is for ELs).
      s.elStatus = 'TBD';
      s.elasStartDate = weekday(addDays(d.asOf, -45), -1);
      s.programs = s.programs.filter((p) => !LIP_CODES.has(p.code));
      return {
        ...base,
        entity: 'student',
        detail: `ELAS TBD since ${s.elasStartDate}, more than 30 days before ${d.asOf}`,
      };
    }
    case 'section_without_teacher':
    case 'duplicate_section_teacher':
      throw new Error(`${kind} is a section defect`);
  }
}

/** CALPADS Language Instruction Program codes (300–307). */
const LIP_CODES = new Set(['300', '301', '302', '303', '304', '305', '306', '307']);

export const EXTRA_ID_BASE = 900001;
export const IMPOSSIBLE_DATE = '1899-12-30';

/** Extra student rows: a second id for the same person, or a row without an id. */
export function buildExtra(
  d: ModelDistrict,
  extra: DefectPlan['extras'][number],
  position: number,
): ModelStudent {
  const source = buildStudent(d, extra.of);
  const s: ModelStudent = { ...source, index: d.students + position, rosters: [], programs: [] };
  if (extra.kind === 'null_key_row') {
    s.id = null;
    s.stateId = null;
  } else {
    s.id = EXTRA_ID_BASE + position;
    s.stateId = `8${String(position).padStart(9, '0')}`;
  }
  s.enrollments = [
    { ...source.enrollments[0], exit: null, exitCode: null, status: 'active', entry: d.calendar.firstDay },
  ];
  return s;
}
