import seedrandom from 'seedrandom';
import {
  addDays,
  daysBetween,
  schoolCalendar,
  weekday,
  type SchoolCalendar,
} from 'connectors/generator/calendar.util';
import { FEMALE_FIRST, LAST_NAMES, MALE_FIRST, NEUTRAL_FIRST } from 'connectors/generator/name-pools.util';
import type { Scenario } from 'connectors/generator/generator.types';

/**
 * The canonical district the generator writes: schools, staff, sections, and students generated one at a time
 * from (seed, index) so any student can be rebuilt without holding the district in memory. Grades are canonical
 * codes; dates are ISO strings; exit dates inclusive. Encoders turn this into each SIS's native form.
 */
export type Rng = () => number;

export const GRADE_ORDER = [
  'TK',
  'KG',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '07',
  '08',
  '09',
  '10',
  '11',
  '12',
] as const;
/** TK is California's pre-kindergarten year; a Texas district records the same four-year-olds as PK. */
export type ModelGrade = (typeof GRADE_ORDER)[number] | 'PK';
export type SchoolLevel = 'elementary' | 'middle' | 'high';
/**
 * The state whose conventions the data follows. CA (default): TK, sex X, 14-digit CDS codes. TX: PK instead of
 * TK, sex F/M only (TSDS SEX-CODE), 9-digit TEA campus ids (county-district + campus).
 */
export type GeneratorState = 'CA' | 'TX';

/** The pre-kindergarten grade of the state. */
export function preKindergarten(state: GeneratorState): ModelGrade {
  return state === 'TX' ? 'PK' : 'TK';
}

/** The grades of the state in order (GRADE_ORDER with the state's pre-kindergarten grade). */
export function gradeOrder(state: GeneratorState): ModelGrade[] {
  return GRADE_ORDER.map((g) => (g === 'TK' ? preKindergarten(state) : g));
}

const SPANS: Record<SchoolLevel, [ModelGrade, ModelGrade]> = {
  elementary: ['TK', '05'],
  middle: ['06', '08'],
  high: ['09', '12'],
};

export function gradeNumber(grade: string): number {
  return grade === 'TK' || grade === 'PK' ? -1 : grade === 'KG' ? 0 : Number(grade);
}

export function gradeInSpan(grade: string, low: string, high: string): boolean {
  const g = gradeNumber(grade);
  return g >= gradeNumber(low) && g <= gradeNumber(high);
}

export interface ModelSection {
  id: string;
  schoolCode: number;
  number: number;
  period: number;
  grade: ModelGrade | null;
  courseCode: string;
  courseTitle: string;
  stateCourseCode: string;
  teacherId: number | null;
  term: string;
  /** Defect marker: the lead teacher is entered again as co-teacher (where the SIS keeps co-teachers). */
  duplicateTeacher?: boolean;
}

export interface ModelStaff {
  id: number;
  schoolCode: number;
  teacherNumber: number;
  stateId: string;
  last: string;
  first: string;
  email: string;
}

export interface ModelSchool {
  code: number;
  name: string;
  level: SchoolLevel;
  low: ModelGrade;
  high: ModelGrade;
  active: boolean;
  cds: string;
  sections: ModelSection[];
}

export interface ModelCourse {
  code: string;
  title: string;
  stateCode: string;
}

export interface ModelDistrict {
  seed: string;
  state: GeneratorState;
  students: number;
  calendar: SchoolCalendar;
  asOf: string;
  termName: string;
  countyCode: string;
  districtCode: string;
  schools: ModelSchool[];
  staff: ModelStaff[];
  courses: ModelCourse[];
  /** Dropped schedule rows (kept by PowerSchool CC and IC Roster, not by Aeries SEC). */
  droppedRosters: boolean;
  /**
   * Enrollment history: returning students carry last year's enrollment (the comparison window's prior
   * year), and some records lie wholly before the window (programs ended, alumni) and must stay out of scope.
   */
  history: boolean;
  priorCalendar: SchoolCalendar;
}

export interface ModelEnrollment {
  schoolCode: number;
  entry: string;
  exit: string | null;
  grade: ModelGrade;
  entryCode: string;
  exitCode: string | null;
  status: 'active' | 'inactive' | 'pre_registered' | 'no_show';
  /** Defect markers: the native value is outside the connector's code map. */
  invalidGrade?: boolean;
  rawExitCode?: string;
  /** The school year (start year) the SIS files the enrollment under; default the district's year. */
  year?: number;
  /** A completer exit the SIS files as graduated (PowerSchool Enroll_Status 3). */
  graduated?: boolean;
}

export interface ModelProgram {
  code: string;
  schoolCode: number;
  start: string;
  end: string | null;
  /** Ended before the comparison window: written natively, never extracted. */
  beforeWindow?: boolean;
}

export interface ModelRoster {
  section: ModelSection;
  begin: string;
  end: string | null;
  /** Defect marker: rostered at a school without an enrollment there. */
  orphan?: boolean;
}

export interface ModelStudent {
  index: number;
  scenario: Scenario;
  id: number | null;
  stateId: string | null;
  last: string;
  first: string;
  middle: string | null;
  birthDate: string | null;
  sex: 'F' | 'M' | 'X';
  hispanic: boolean;
  races: string[];
  elStatus: string;
  homeLanguage: string;
  enrollments: ModelEnrollment[];
  programs: ModelProgram[];
  rosters: ModelRoster[];
  /** Deterministic per-student noise for encoders (legacy SX rows, soft-deleted duplicates …). */
  noise: number;
  /** Left the district before the comparison window: written natively, never extracted. */
  beforeWindow?: boolean;
  /** Texas PEIMS STUDENT-ID (E0001) when a defect overrides the encoder's valid one. */
  txStudentId?: string;
  /**
   * The student's first day in the district as built, before defects and migration differences touch the
   * enrollments: the ELAS start date derives from it, so both sides of a migration pair write the same one.
   */
  firstEntry?: string;
  /** Defect marker: the ELAS start date as the SIS holds it, instead of the one derived from the first entry. */
  elasStartDate?: string;
}

/** The earliest entry date of the student's enrollments (none before 1900: no survey was taken then). */
export function firstEntryOf(s: ModelStudent): string | undefined {
  return s.enrollments
    .map((e) => e.entry)
    .filter((e) => e >= '1900-01-01')
    .sort()[0];
}

export function rngFor(seed: string, ...parts: (string | number)[]): Rng {
  return seedrandom(`${seed}|${parts.join('|')}`);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

const elementaryCourses = (state: GeneratorState): ModelCourse[] =>
  gradeOrder(state)
    .slice(0, 7)
    .map((g) => ({
      code: `E${g}`,
      title: `Grade ${g} Self-Contained`,
      stateCode: gradeNumber(g) <= 0 ? '1000' : '1001',
    }));
const MIDDLE_COURSES: ModelCourse[] = [
  { code: 'M101', title: 'English 7', stateCode: '2110' },
  { code: 'M201', title: 'Math 7', stateCode: '2424' },
  { code: 'M301', title: 'Life Science', stateCode: '2600' },
  { code: 'M401', title: 'World History 7', stateCode: '2810' },
  { code: 'M501', title: 'Physical Education', stateCode: '2700' },
  { code: 'M601', title: 'Art Exploration', stateCode: '2200' },
];
const HIGH_COURSES: ModelCourse[] = [
  { code: '1001', title: 'English 9', stateCode: '2130' },
  { code: '2001', title: 'Algebra I', stateCode: '2403' },
  { code: '2002', title: 'Geometry', stateCode: '2413' },
  { code: '3001', title: 'Biology', stateCode: '2627' },
  { code: '4001', title: 'World History', stateCode: '2816' },
  { code: '4002', title: 'US History', stateCode: '2817' },
  { code: '5001', title: 'Physical Education', stateCode: '2702' },
  { code: '6001', title: 'Spanish I', stateCode: '2550' },
];

const GRADE_WEIGHTS: [ModelGrade, number][] = GRADE_ORDER.map((g) => [g, g === 'TK' ? 0.35 : 1]);
const GRADE_TOTAL = GRADE_WEIGHTS.reduce((s, [, w]) => s + w, 0);

function levelOf(grade: ModelGrade): SchoolLevel {
  const n = gradeNumber(grade);
  return n <= 5 ? 'elementary' : n <= 8 ? 'middle' : 'high';
}

/** The school's state id: a 14-digit CDS code (CA) or a 9-digit TEA campus id (TX). */
function stateSchoolId(
  state: GeneratorState,
  countyCode: string,
  districtCode: string,
  code: number,
): string {
  if (state === 'TX')
    return `${countyCode.padStart(3, '0')}${String(Number(districtCode) % 1000).padStart(3, '0')}${String(code % 1000).padStart(3, '0')}`;
  return `${countyCode}${districtCode}${String(6000000 + code * 13).padStart(7, '0')}`;
}

/** Schools, staff and sections of the district. */
export function buildDistrict(
  seed: string,
  students: number,
  schoolYear: number,
  asOf: string,
  droppedRosters: boolean,
  state: GeneratorState = 'CA',
  history = false,
): ModelDistrict {
  const rng = rngFor(seed, 'district');
  const calendar = schoolCalendar(schoolYear);
  const countyCode = String(int(rng, 10, 58));
  const districtCode = String(int(rng, 61000, 77999));
  const counts: Record<SchoolLevel, number> = {
    elementary: Math.max(2, Math.round(students / 550)),
    middle: Math.max(1, Math.round(students / 1600)),
    high: Math.max(1, Math.round(students / 2200)),
  };
  const share: Record<SchoolLevel, number> = { elementary: 6.35 / 13.35, middle: 3 / 13.35, high: 4 / 13.35 };
  const schools: ModelSchool[] = [];
  const staff: ModelStaff[] = [];
  const termName = `${String(schoolYear % 100).padStart(2, '0')}-${String((schoolYear + 1) % 100).padStart(2, '0')}`;
  // Codes run 101, 102 … across levels (elementary first) so any district size stays collision-free.
  let nextCode = 101;
  const names: Record<SchoolLevel, string> = {
    elementary: 'Elementary',
    middle: 'Middle School',
    high: 'High School',
  };
  for (const level of ['elementary', 'middle', 'high'] as SchoolLevel[]) {
    const capacity = Math.ceil((students * share[level]) / counts[level]);
    for (let k = 0; k < counts[level]; k++) {
      const code = nextCode++;
      const school: ModelSchool = {
        code,
        name: `${pick(rng, LAST_NAMES).replace("'", '')} ${names[level]}`,
        level,
        low: level === 'elementary' ? preKindergarten(state) : SPANS[level][0],
        high: SPANS[level][1],
        active: true,
        cds: stateSchoolId(state, countyCode, districtCode, code),
        sections: [],
      };
      buildSections(rng, school, capacity, termName, staff, state);
      schools.push(school);
    }
  }
  // A closed school stays in the SIS: nobody should be enrolled there.
  const closedCode = nextCode;
  schools.push({
    code: closedCode,
    name: 'Lincoln Elementary (closed)',
    level: 'elementary',
    low: 'KG',
    high: '05',
    active: false,
    cds: stateSchoolId(state, countyCode, districtCode, closedCode),
    sections: [],
  });
  return {
    seed,
    state,
    students,
    calendar,
    asOf,
    termName,
    countyCode,
    districtCode,
    schools,
    staff,
    courses: [...elementaryCourses(state), ...MIDDLE_COURSES, ...HIGH_COURSES],
    droppedRosters,
    history,
    priorCalendar: schoolCalendar(schoolYear - 1),
  };
}

function buildSections(
  rng: Rng,
  school: ModelSchool,
  capacity: number,
  term: string,
  staff: ModelStaff[],
  state: GeneratorState,
): void {
  const newTeacher = (): ModelStaff => {
    const female = rng() < 0.7;
    const first = pick(rng, female ? FEMALE_FIRST : MALE_FIRST);
    const last = pick(rng, LAST_NAMES);
    const id = 5001 + staff.length;
    const teacher: ModelStaff = {
      id,
      schoolCode: school.code,
      teacherNumber: staff.filter((s) => s.schoolCode === school.code).length + 1,
      stateId: String(1_000_000_000 + id * 7919),
      last,
      first,
      email: `${first.toLowerCase().replace(/[^a-z]/g, '')}.${last.toLowerCase().replace(/[^a-z]/g, '')}${id}@district.example.org`,
    };
    staff.push(teacher);
    return teacher;
  };
  if (school.level === 'elementary') {
    const grades = gradeOrder(state).filter((g) => gradeInSpan(g, school.low, school.high));
    const perGrade = Math.max(1, Math.ceil(capacity / grades.length / 24));
    const courses = elementaryCourses(state);
    let number = 1;
    for (const g of grades) {
      const course = courses.find((c) => c.code === `E${g}`) as ModelCourse;
      for (let k = 0; k < perGrade; k++) {
        const teacher = newTeacher();
        school.sections.push(section(school, number++, 0, g, course, teacher.id, term));
      }
    }
    return;
  }
  const catalog = school.level === 'middle' ? MIDDLE_COURSES : HIGH_COURSES;
  const perPeriod = Math.max(1, Math.ceil(capacity / 28));
  const teachers: ModelStaff[] = Array.from(
    { length: Math.max(1, Math.ceil((perPeriod * 6) / 5)) },
    newTeacher,
  );
  let slot = 0;
  for (let period = 1; period <= 6; period++) {
    for (let k = 0; k < perPeriod; k++) {
      const course = catalog[(period + k) % catalog.length];
      const teacher = teachers[Math.floor(slot / 5) % teachers.length];
      school.sections.push(section(school, period * 100 + k + 1, period, null, course, teacher.id, term));
      slot++;
    }
  }
}

function section(
  school: ModelSchool,
  number: number,
  period: number,
  grade: ModelGrade | null,
  course: ModelCourse,
  teacherId: number,
  term: string,
): ModelSection {
  return {
    id: `${school.code}-${number}`,
    schoolCode: school.code,
    number,
    period,
    grade,
    courseCode: course.code,
    courseTitle: course.title,
    stateCourseCode: course.stateCode,
    teacherId,
    term,
  };
}

/** Scenario and grade/school of student `index`: cheap, used by the defect planner. */
export interface StudentBase {
  scenario: Scenario;
  grade: ModelGrade;
  school: ModelSchool;
}

export function studentBase(d: ModelDistrict, index: number): StudentBase {
  const rng = rngFor(d.seed, 'student', index);
  const r = rng();
  const scenario: Scenario =
    r < 0.04
      ? 'late_entry'
      : r < 0.09
        ? 'transfer'
        : r < 0.12
          ? 'withdrawn'
          : r < 0.127
            ? 'no_show'
            : r < 0.135
              ? 'pre_registered'
              : 'continuing';
  let w = rng() * GRADE_TOTAL;
  let grade: ModelGrade = GRADE_WEIGHTS[GRADE_WEIGHTS.length - 1][0];
  for (const [g, weight] of GRADE_WEIGHTS) {
    if (w < weight) {
      grade = g;
      break;
    }
    w -= weight;
  }
  if (grade === 'TK') grade = preKindergarten(d.state);
  const candidates = activeSchoolsFor(d, grade);
  const school = candidates[Math.floor(rng() * candidates.length)];
  return { scenario, grade, school };
}

export function activeSchoolsFor(d: ModelDistrict, grade: ModelGrade): ModelSchool[] {
  return d.schools.filter((s) => s.active && s.level === levelOf(grade));
}

export function stateStudentId(d: ModelDistrict, index: number): string {
  return `${(Number(d.districtCode) % 9) + 1}${String(index * 37 + 1000).padStart(9, '0')}`;
}

export function studentId(index: number): number {
  return 100001 + index;
}

/** Student `index` of the district, clean (defects are applied afterwards). */
export function buildStudent(d: ModelDistrict, index: number): ModelStudent {
  const base = studentBase(d, index);
  const rng = rngFor(d.seed, 'student', index, 'detail');
  const cal = d.calendar;
  const sexRoll = rng();
  // TSDS SEX-CODE has F and M only: a Texas district records no X.
  const sex: 'F' | 'M' | 'X' =
    d.state === 'TX' ? (sexRoll < 0.495 ? 'F' : 'M') : sexRoll < 0.49 ? 'F' : sexRoll < 0.99 ? 'M' : 'X';
  const hispanic = rng() < 0.55;
  const first = pick(rng, sex === 'F' ? FEMALE_FIRST : sex === 'M' ? MALE_FIRST : NEUTRAL_FIRST);
  const last = pick(rng, LAST_NAMES);
  const middle = rng() < 0.6 ? pick(rng, rng() < 0.5 ? FEMALE_FIRST : MALE_FIRST) : null;
  // Age on Sep 1 = grade + 5 (TK 4, KG 5, grade 1 six …).
  const g = gradeNumber(base.grade);
  const birthDate = addDays(`${cal.schoolYear - g - 6}-09-02`, int(rng, 0, 364));
  const raceRoll = rng();
  const races = [
    raceRoll < 0.55
      ? '700'
      : raceRoll < 0.7
        ? '600'
        : raceRoll < 0.8
          ? '201'
          : raceRoll < 0.88
            ? '208'
            : raceRoll < 0.94
              ? '203'
              : raceRoll < 0.97
                ? '100'
                : '301',
  ];
  if (rng() < 0.1) races.push(pick(rng, ['700', '600', '100', '201'] as const));
  const elRoll = rng();
  const elStatus =
    elRoll < 0.7 ? 'EO' : elRoll < 0.88 ? 'EL' : elRoll < 0.96 ? 'RFEP' : elRoll < 0.99 ? 'IFEP' : 'TBD';
  const homeLanguage = elStatus === 'EO' ? '00' : pick(rng, ['01', '01', '01', '02', '03', '07'] as const);
  const student: ModelStudent = {
    index,
    scenario: base.scenario,
    id: studentId(index),
    stateId: stateStudentId(d, index),
    last,
    first,
    middle,
    birthDate,
    sex,
    hispanic,
    races: [...new Set(races)].sort(),
    elStatus,
    homeLanguage,
    enrollments: buildEnrollments(d, base, rng),
    programs: [],
    rosters: [],
    noise: rng(),
  };
  student.programs = buildPrograms(student, rng);
  student.rosters = buildRosters(d, student, rng);
  if (d.history) addHistory(d, student);
  student.firstEntry = firstEntryOf(student);
  return student;
}

/** Scenarios of students who were in the district last year (late entries and pre-registrations are new). */
const RETURNING: readonly Scenario[] = ['continuing', 'transfer', 'withdrawn', 'no_show'];

/**
 * Last year's enrollment of a returning student (one grade lower; the same school when the level is the
 * same, else a school of last year's level), exited at the year's last day with E155; and for some, a program
 * that ended before the window began. Its own random stream: the current-year student is unchanged.
 */
function addHistory(d: ModelDistrict, s: ModelStudent): void {
  const current = s.enrollments[0];
  const order = gradeOrder(d.state);
  const at = order.indexOf(current.grade);
  if (!RETURNING.includes(s.scenario) || at <= 0 || current.entry !== d.calendar.firstDay) return;
  const rng = rngFor(d.seed, 'student', s.index, 'history');
  const grade = order[at - 1];
  const prior = d.priorCalendar;
  const same = d.schools.find((x) => x.code === current.schoolCode);
  const candidates = activeSchoolsFor(d, grade);
  const school =
    same && same.level === levelOf(grade) ? same : candidates[Math.floor(rng() * candidates.length)];
  if (!school) return;
  s.enrollments.unshift({
    schoolCode: school.code,
    entry: prior.firstDay,
    exit: prior.lastDay,
    grade,
    entryCode: NEW_ENTRY(grade),
    exitCode: 'E155',
    status: 'inactive',
    year: prior.schoolYear,
  });
  if (rng() < 0.08) {
    const start = addDays(prior.firstDay, -365);
    s.programs.push({
      code: '191',
      schoolCode: school.code,
      start,
      end: addDays(start, 120),
      beforeWindow: true,
    });
  }
}

/**
 * A former student who left two years before the window: still in every SIS (STU tagged, STUDENTS exited,
 * an old calendar's enrollment), never in the comparison's scope.
 */
export function buildAlumnus(d: ModelDistrict, index: number): ModelStudent {
  const s = buildStudent({ ...d, history: false }, index);
  const year = d.priorCalendar.schoolYear - 2;
  const cal = schoolCalendar(year);
  const e = s.enrollments[0];
  s.scenario = 'withdrawn';
  s.enrollments = [
    { ...e, entry: cal.firstDay, exit: cal.lastDay, exitCode: 'T160', status: 'inactive', year },
  ];
  s.programs = s.programs.map((p) => ({ ...p, start: cal.firstDay, end: cal.lastDay, beforeWindow: true }));
  s.rosters = [];
  s.beforeWindow = true;
  s.firstEntry = firstEntryOf(s);
  return s;
}

const NEW_ENTRY = (grade: ModelGrade): string => (gradeNumber(grade) <= 0 ? 'E1' : 'R1');

function buildEnrollments(d: ModelDistrict, base: StudentBase, rng: Rng): ModelEnrollment[] {
  const cal = d.calendar;
  const lastUsable = addDays(d.asOf, -1);
  const open = (entry: string, entryCode: string, school = base.school): ModelEnrollment => ({
    schoolCode: school.code,
    entry,
    exit: null,
    grade: base.grade,
    entryCode,
    exitCode: null,
    status: 'active',
  });
  const span = Math.max(1, daysBetween(cal.firstDay, lastUsable));
  switch (base.scenario) {
    case 'continuing':
      return [open(cal.firstDay, NEW_ENTRY(base.grade))];
    case 'late_entry':
      return [open(weekday(addDays(cal.firstDay, 20 + Math.floor(rng() * Math.max(1, span - 30)))), 'E2')];
    case 'pre_registered':
      return [
        { ...open(weekday(addDays(d.asOf, 5 + Math.floor(rng() * 30))), 'E2'), status: 'pre_registered' },
      ];
    case 'no_show':
      return [
        {
          ...open(cal.firstDay, NEW_ENTRY(base.grade)),
          exit: cal.firstDay,
          exitCode: 'N470',
          status: 'no_show',
        },
      ];
    case 'withdrawn': {
      const exit = weekday(addDays(cal.firstDay, 30 + Math.floor(rng() * Math.max(1, span - 40))), -1);
      const exitCode = pick(rng, ['T160', 'T180', 'T200', 'T240', 'E140'] as const);
      return [{ ...open(cal.firstDay, NEW_ENTRY(base.grade)), exit, exitCode, status: 'inactive' }];
    }
    case 'transfer': {
      const others = activeSchoolsFor(d, base.grade).filter((s) => s.code !== base.school.code);
      const exit = weekday(addDays(cal.firstDay, 25 + Math.floor(rng() * Math.max(1, span - 40))), -1);
      if (others.length === 0) {
        return [{ ...open(cal.firstDay, NEW_ENTRY(base.grade)), exit, exitCode: 'T200', status: 'inactive' }];
      }
      const next = others[Math.floor(rng() * others.length)];
      return [
        { ...open(cal.firstDay, NEW_ENTRY(base.grade)), exit, exitCode: 'T160', status: 'inactive' },
        open(weekday(addDays(exit, 1)), 'R2', next),
      ];
    }
  }
}

function buildPrograms(s: ModelStudent, rng: Rng): ModelProgram[] {
  const first = s.enrollments[0];
  const last = s.enrollments[s.enrollments.length - 1];
  if (s.scenario === 'no_show' || s.scenario === 'pre_registered') return [];
  const end = last.exit;
  const programs: ModelProgram[] = [];
  const add = (code: string): void => {
    programs.push({ code, schoolCode: first.schoolCode, start: first.entry, end });
  };
  if (rng() < 0.11) add('144');
  if (s.elStatus === 'EL') add(pick(rng, ['300', '301', '301', '303', '305', '306'] as const));
  if (rng() < 0.45) add('181');
  if (rng() < 0.015) add('191');
  return programs;
}

function buildRosters(d: ModelDistrict, s: ModelStudent, rng: Rng): ModelRoster[] {
  const current = s.enrollments[s.enrollments.length - 1];
  if (current.exit !== null || current.status === 'pre_registered') return [];
  const school = d.schools.find((x) => x.code === current.schoolCode);
  if (!school || school.sections.length === 0) return [];
  const begin = current.entry;
  if (school.level === 'elementary') {
    const own = school.sections.filter((x) => x.grade === current.grade);
    const pool = own.length > 0 ? own : school.sections;
    return [{ section: pool[Math.floor(rng() * pool.length)], begin, end: null }];
  }
  const rosters: ModelRoster[] = [];
  const dropPeriod = d.droppedRosters && rng() < 0.05 ? 1 + Math.floor(rng() * 6) : 0;
  for (let period = 1; period <= 6; period++) {
    const pool = school.sections.filter((x) => x.period === period);
    const first = pool[Math.floor(rng() * pool.length)];
    const dropDay = weekday(addDays(begin, 3 + Math.floor(rng() * 7)));
    if (period === dropPeriod && pool.length > 1 && dropDay < d.asOf) {
      const other = pool.find((x) => x.id !== first.id) as ModelSection;
      rosters.push({ section: first, begin, end: dropDay });
      rosters.push({ section: other, begin: weekday(addDays(dropDay, 1)), end: null });
    } else {
      rosters.push({ section: first, begin, end: null });
    }
  }
  return rosters;
}
