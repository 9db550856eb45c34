import type {
  CanonicalRow,
  ConnectorDefinition,
  EntityExtractSpec,
  NativeValue,
} from 'connectors/sdk/connector.types';
import { CALPADS_EXIT_CODES, CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';

/**
 * PowerSchool SIS (Oracle). Current enrollment on STUDENTS, past ones in REENROLLMENTS; ExitDate and CC.DateLeft
 * are exclusive (day after the last day), so both are mapped with `adjust: 'exclusive_end'`. The district id is
 * Student_Number (it survives a migration); STUDENTS.ID is the internal join key. The school year is selected
 * through TERMS: YearID = start year − 1990. SQL avoids `AS` before table aliases (Oracle rejects it).
 */

/** The year-long term of the enrollment's school for the requested year. */
const YEAR_TERM = (alias: string, schoolCol: string): string =>
  `JOIN TERMS ${alias} ON ${alias}.SchoolID = ${schoolCol} AND ${alias}.IsYearRec = 1 AND ${alias}.YearID = :schoolYear - 1990`;

const SECTION_ID = `CONCAT(CONCAT(CAST(se.SchoolID AS varchar(10)), '-'), se.Section_Number)`;

const school: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['SCHOOLS'],
  query: {
    sql: `SELECT sc.School_Number AS school_id, CAST(sc.Alternate_School_Number AS varchar(20)) AS state_school_id,
  sc.Name AS name, sc.Low_Grade AS low_grade, sc.High_Grade AS high_grade,
  CASE WHEN sc.State_ExcludeFromReporting = 1 THEN 'N' ELSE 'Y' END AS active_flag
FROM SCHOOLS sc
ORDER BY sc.School_Number`,
  },
  keyPrefix: 'SCHOOLS',
  keyColumns: ['school_id'],
  fields: {
    school_id: { column: 'school_id', label: 'SCHOOLS.School_Number' },
    state_school_id: { column: 'state_school_id', label: 'SCHOOLS.Alternate_School_Number' },
    name: { column: 'name', label: 'SCHOOLS.Name' },
    low_grade: { column: 'low_grade', codeSet: 'grade_level', label: 'SCHOOLS.Low_Grade' },
    high_grade: { column: 'high_grade', codeSet: 'grade_level', label: 'SCHOOLS.High_Grade' },
    // State_ExcludeFromReporting stands for a closed school (SCHOOLS has no inactive flag).
    active: {
      column: 'active_flag',
      bool: { true: ['Y'], false: ['N'] },
      label: 'SCHOOLS.State_ExcludeFromReporting',
    },
  },
};

/** Students with an enrollment (current or past) overlapping the year; races pivoted from StudentRace. */
const student: EntityExtractSpec = {
  entity: 'student',
  nativeTables: ['STUDENTS', 'REENROLLMENTS', 'StudentRace', 'S_CA_STU_X', 'TERMS'],
  query: {
    sql: `SELECT s.Student_Number AS student_id, s.DCID AS dcid, s.State_StudentNumber AS state_student_id,
  s.Last_Name AS last_name, s.First_Name AS first_name, s.Middle_Name AS middle_name, s.DOB AS birth_date,
  s.Gender AS sex, s.FedEthnicity AS hispanic,
  r.race1 AS race1, r.race2 AS race2, r.race3 AS race3, r.race4 AS race4, r.race5 AS race5,
  x.ELAStatus AS el_status
FROM STUDENTS s
LEFT JOIN (
  SELECT q.StudentID,
    MAX(CASE WHEN q.rn = 1 THEN q.RaceCD END) AS race1, MAX(CASE WHEN q.rn = 2 THEN q.RaceCD END) AS race2,
    MAX(CASE WHEN q.rn = 3 THEN q.RaceCD END) AS race3, MAX(CASE WHEN q.rn = 4 THEN q.RaceCD END) AS race4,
    MAX(CASE WHEN q.rn = 5 THEN q.RaceCD END) AS race5
  FROM (SELECT sr.StudentID, sr.RaceCD, ROW_NUMBER() OVER (PARTITION BY sr.StudentID ORDER BY sr.RaceCD) AS rn
        FROM StudentRace sr) q
  GROUP BY q.StudentID
) r ON r.StudentID = s.ID
LEFT JOIN S_CA_STU_X x ON x.StudentsDCID = s.DCID
WHERE EXISTS (
    SELECT 1 FROM TERMS t WHERE t.SchoolID = s.SchoolID AND t.IsYearRec = 1 AND t.YearID = :schoolYear - 1990
      AND s.EntryDate <= t.LastDay AND (s.ExitDate IS NULL OR s.ExitDate >= t.FirstDay))
  OR EXISTS (
    SELECT 1 FROM REENROLLMENTS re JOIN TERMS t ON t.SchoolID = re.SchoolID AND t.IsYearRec = 1
      AND t.YearID = :schoolYear - 1990
    WHERE re.StudentID = s.ID AND re.EntryDate <= t.LastDay AND (re.ExitDate IS NULL OR re.ExitDate >= t.FirstDay))
ORDER BY s.Student_Number, s.DCID`,
  },
  keyPrefix: 'STUDENTS',
  // Student_Number is part of the key so a row without one is reported as a null key.
  keyColumns: ['student_id', 'dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    state_student_id: { column: 'state_student_id', label: 'STUDENTS.State_StudentNumber' },
    last_name: { column: 'last_name', label: 'STUDENTS.Last_Name' },
    first_name: { column: 'first_name', label: 'STUDENTS.First_Name' },
    middle_name: { column: 'middle_name', label: 'STUDENTS.Middle_Name' },
    birth_date: { column: 'birth_date', date: true, label: 'STUDENTS.DOB' },
    sex: { column: 'sex', codeSet: 'sex', label: 'STUDENTS.Gender' },
    hispanic: { column: 'hispanic', bool: { true: ['1'], false: ['0'] }, label: 'STUDENTS.FedEthnicity' },
    races: { columns: ['race1', 'race2', 'race3', 'race4', 'race5'], label: 'StudentRace.RaceCD' },
    el_status: { column: 'el_status', label: 'S_CA_STU_X.ELAStatus' },
  },
};

/**
 * STUDENTS (current) UNION ALL REENROLLMENTS (past). Active and pre-registered students carry the school's
 * year-end ExitDate in PowerSchool; that is not an exit, so it is nulled for Enroll_Status −1/0. Past rows have
 * no status column and are reported as 2 (transferred out / inactive).
 */
const enrollment: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['STUDENTS', 'REENROLLMENTS', 'TERMS'],
  query: {
    sql: `SELECT 'STUDENTS' AS source_table, s.DCID AS row_dcid, s.Student_Number AS student_id, s.SchoolID AS school_id,
  t.YearID + 1990 AS school_year, s.EntryDate AS entry_date,
  CASE WHEN s.Enroll_Status <= 0 THEN NULL ELSE s.ExitDate END AS exit_date, s.ExitDate AS exit_date_native,
  s.Grade_Level AS grade_level, s.EntryCode AS entry_code, s.ExitCode AS exit_code, s.Enroll_Status AS enroll_status
FROM STUDENTS s
${YEAR_TERM('t', 's.SchoolID')}
WHERE s.EntryDate <= t.LastDay AND (s.ExitDate IS NULL OR s.ExitDate >= t.FirstDay)
UNION ALL
SELECT 'REENROLLMENTS' AS source_table, re.DCID AS row_dcid, s.Student_Number AS student_id, re.SchoolID AS school_id,
  t.YearID + 1990 AS school_year, re.EntryDate AS entry_date, re.ExitDate AS exit_date, re.ExitDate AS exit_date_native,
  re.Grade_Level AS grade_level, re.EntryCode AS entry_code, re.ExitCode AS exit_code, 2 AS enroll_status
FROM REENROLLMENTS re
JOIN STUDENTS s ON s.ID = re.StudentID
${YEAR_TERM('t', 're.SchoolID')}
WHERE re.EntryDate <= t.LastDay AND (re.ExitDate IS NULL OR re.ExitDate >= t.FirstDay)`,
  },
  keyPrefix: 'PS',
  keyColumns: ['student_id', 'source_table', 'row_dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    school_id: { column: 'school_id', label: 'SchoolID' },
    school_year: { column: 'school_year', label: 'TERMS.YearID' },
    entry_date: { column: 'entry_date', date: true, label: 'EntryDate' },
    exit_date: { column: 'exit_date', date: true, adjust: 'exclusive_end', label: 'ExitDate' },
    grade_level: { column: 'grade_level', codeSet: 'grade_level', label: 'Grade_Level' },
    entry_code: { column: 'entry_code', codeSet: 'entry_code', label: 'EntryCode' },
    exit_code: { column: 'exit_code', codeSet: 'exit_code', label: 'ExitCode' },
    status: { column: 'enroll_status', codeSet: 'enrollment_status', label: 'STUDENTS.Enroll_Status' },
  },
  refine: refineNoShow,
};

/** A no-show has ExitDate = EntryDate: the inclusive exit is the entry day itself (not entry − 1). */
export function refineNoShow(row: CanonicalRow, native: NativeRow): void {
  const entry = native['entry_date'];
  const exit = native['exit_date_native'];
  if (!sameDay(entry, exit)) return;
  row['exit_date'] = row['entry_date'];
  row['status'] = 'no_show';
}

type NativeRow = Record<string, NativeValue>;

function sameDay(a: NativeValue | undefined, b: NativeValue | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return String(a).slice(0, 10) === String(b).slice(0, 10);
}

/** SPENROLLMENTS overlapping the year at the program's school; the code is GEN(specprog).Value. */
const program: EntityExtractSpec = {
  entity: 'program',
  nativeTables: ['SPENROLLMENTS', 'GEN', 'STUDENTS', 'TERMS'],
  query: {
    sql: `SELECT sp.DCID AS row_dcid, s.Student_Number AS student_id, sp.SchoolID AS school_id, g.Value AS program_code,
  sp.Enter_Date AS start_date, sp.Exit_Date AS end_date
FROM SPENROLLMENTS sp
JOIN STUDENTS s ON s.ID = sp.StudentID
LEFT JOIN GEN g ON g.ID = sp.ProgramID AND g.Cat = 'specprog'
${YEAR_TERM('t', 'sp.SchoolID')}
WHERE sp.Enter_Date <= t.LastDay AND (sp.Exit_Date IS NULL OR sp.Exit_Date >= t.FirstDay)
ORDER BY s.Student_Number, sp.DCID`,
  },
  keyPrefix: 'SPENROLLMENTS',
  keyColumns: ['student_id', 'row_dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    school_id: { column: 'school_id', label: 'SPENROLLMENTS.SchoolID' },
    program_code: { column: 'program_code', codeSet: 'program_code', label: 'GEN.Value' },
    start_date: { column: 'start_date', date: true, label: 'SPENROLLMENTS.Enter_Date' },
    // Program exit dates are treated as inclusive (not verified against a PowerSchool state guide).
    end_date: { column: 'end_date', date: true, label: 'SPENROLLMENTS.Exit_Date' },
  },
};

/** Section ids are `<School_Number>-<Section_Number>` so they survive a migration from another SIS. */
const section: EntityExtractSpec = {
  entity: 'section',
  nativeTables: ['SECTIONS', 'COURSES', 'TEACHERS', 'TERMS'],
  query: {
    sql: `SELECT se.DCID AS row_dcid, ${SECTION_ID} AS section_id, se.SchoolID AS school_id, se.Course_Number AS course_code,
  c.Course_Name AS course_title, c.Alt_Course_Number AS state_course_code, tc.TeacherNumber AS teacher_staff_id,
  tm.Abbreviation AS term
FROM SECTIONS se
JOIN TERMS tm ON tm.ID = se.TermID AND tm.SchoolID = se.SchoolID
LEFT JOIN COURSES c ON c.Course_Number = se.Course_Number
LEFT JOIN TEACHERS tc ON tc.ID = se.Teacher
WHERE tm.YearID = :schoolYear - 1990
ORDER BY se.SchoolID, se.Section_Number`,
  },
  keyPrefix: 'SECTIONS',
  keyColumns: ['row_dcid'],
  fields: {
    section_id: { column: 'section_id', label: 'SECTIONS.SchoolID+Section_Number' },
    school_id: { column: 'school_id', label: 'SECTIONS.SchoolID' },
    course_code: { column: 'course_code', label: 'SECTIONS.Course_Number' },
    course_title: { column: 'course_title', label: 'COURSES.Course_Name' },
    state_course_code: { column: 'state_course_code', label: 'COURSES.Alt_Course_Number' },
    teacher_staff_id: { column: 'teacher_staff_id', label: 'TEACHERS.TeacherNumber' },
    term: { column: 'term', label: 'TERMS.Abbreviation' },
  },
};

/**
 * CC rows of the year (the first two digits of |TermID| are the YearID). A negative SectionID is a dropped
 * enrollment: the section is ABS(SectionID) and DateLeft (exclusive) is its end; live rows have no end yet.
 */
const studentSection: EntityExtractSpec = {
  entity: 'student_section',
  nativeTables: ['CC', 'SECTIONS', 'STUDENTS'],
  query: {
    sql: `SELECT cc.DCID AS row_dcid, s.Student_Number AS student_id, ${SECTION_ID} AS section_id, cc.SchoolID AS school_id,
  cc.DateEnrolled AS begin_date, CASE WHEN cc.SectionID < 0 THEN cc.DateLeft ELSE NULL END AS end_date
FROM CC cc
JOIN STUDENTS s ON s.ID = cc.StudentID
JOIN SECTIONS se ON se.ID = ABS(cc.SectionID)
WHERE ABS(cc.TermID) >= (:schoolYear - 1990) * 100 AND ABS(cc.TermID) < (:schoolYear - 1989) * 100
ORDER BY s.Student_Number, cc.DCID`,
  },
  keyPrefix: 'CC',
  keyColumns: ['student_id', 'row_dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    section_id: { column: 'section_id', label: 'CC.SectionID' },
    school_id: { column: 'school_id', label: 'CC.SchoolID' },
    begin_date: { column: 'begin_date', date: true, label: 'CC.DateEnrolled' },
    end_date: { column: 'end_date', date: true, adjust: 'exclusive_end', label: 'CC.DateLeft' },
  },
};

/** TEACHERS has one row per user per school: one canonical staff row per TeacherNumber (lowest ID wins). */
const staff: EntityExtractSpec = {
  entity: 'staff',
  nativeTables: ['TEACHERS'],
  query: {
    sql: `SELECT tc.ID AS teacher_id, tc.TeacherNumber AS staff_id, tc.SIF_StatePrid AS state_staff_id,
  tc.Last_Name AS last_name, tc.First_Name AS first_name, tc.Email_Addr AS email
FROM TEACHERS tc
WHERE tc.ID = (SELECT MIN(t2.ID) FROM TEACHERS t2 WHERE t2.TeacherNumber = tc.TeacherNumber)
ORDER BY tc.TeacherNumber`,
  },
  keyPrefix: 'TEACHERS',
  keyColumns: ['teacher_id'],
  fields: {
    staff_id: { column: 'staff_id', label: 'TEACHERS.TeacherNumber' },
    state_staff_id: { column: 'state_staff_id', label: 'TEACHERS.SIF_StatePrid' },
    last_name: { column: 'last_name', label: 'TEACHERS.Last_Name' },
    first_name: { column: 'first_name', label: 'TEACHERS.First_Name' },
    email: { column: 'email', label: 'TEACHERS.Email_Addr' },
  },
};

/**
 * Grade_Level is district-defined; this is a CA default (TK −1, PK −2, K 0; some districts park graduates at 99,
 * which is left unmapped on purpose). Texas districts override with −1 PK, −2 EE → PR through the crosswalk.
 */
export const POWERSCHOOL_GRADE_MAP: Record<string, string> = {
  '-2': 'PK',
  '-1': 'TK',
  '0': 'KG',
  ...Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1).padStart(2, '0')]),
  ),
  '13': '13',
};

export const TEXAS_POWERSCHOOL_GRADE_MAP: Record<string, string> = {
  ...POWERSCHOOL_GRADE_MAP,
  '-2': 'PR',
  '-1': 'PK',
};

/** CALPADS start-status codes as CA districts configure GEN entrycodes (passed through). */
export const CALPADS_ENTRY_CODES = ['E1', 'E2', 'E3', 'E4', 'R1', 'R2', 'R3', 'R4'] as const;

export const powerschoolConnector: ConnectorDefinition = {
  kind: 'powerschool',
  title: 'PowerSchool SIS',
  vendor: 'PowerSchool',
  dialect: 'oracle',
  transports: ['direct', 'agent'],
  schoolYear: {
    mode: 'column',
    description:
      'TERMS.YearID = start year − 1990 (34 = 2024-25); enrollments overlapping the year-long term are extracted.',
  },
  defaultCodeMaps: {
    grade_level: POWERSCHOOL_GRADE_MAP,
    sex: { F: 'F', M: 'M', X: 'X', U: 'U' },
    entry_code: Object.fromEntries(CALPADS_ENTRY_CODES.map((c) => [c, c])),
    // CA PowerSchool exit codes are the CALPADS codes themselves; a bare number is accepted like Aeries'.
    exit_code: Object.fromEntries(
      CALPADS_EXIT_CODES.flatMap((c) => [
        [c, c],
        [c.slice(1), c],
      ]),
    ),
    program_code: Object.fromEntries(CA_PROGRAM_CODES.map((c) => [c, c])),
    enrollment_status: {
      '-1': 'pre_registered',
      '0': 'active',
      '1': 'inactive',
      '2': 'inactive',
      '3': 'graduated',
      '4': 'inactive',
    },
  },
  entities: [school, student, enrollment, program, section, studentSection, staff],
};
