import type {
  CanonicalRow,
  ConnectorDefinition,
  EntityExtractSpec,
  ExtractQuery,
  NativeValue,
} from 'connectors/sdk/connector.types';
import { cols, unless } from 'connectors/sdk/native-schema';
import { CALPADS_EXIT_CODES, CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';
import { inWindow, refineGraduation, refineStateSchoolId } from 'connectors/sdk/window.util';

/**
 * PowerSchool SIS (Oracle). Current enrollment on STUDENTS, past ones in REENROLLMENTS; ExitDate and CC.DateLeft
 * are exclusive (day after the last day), so both are mapped with `adjust: 'exclusive_end'`. The district id is
 * Student_Number (it survives a migration); STUDENTS.ID is the internal join key. The school year is selected
 * through TERMS: YearID = start year − 1990. SQL avoids `AS` before table aliases (Oracle rejects it).
 *
 * Every query is linear in the district: no sub-query per row; the window's enrollments are one
 * pre-computed set joined by hash, and records are selected by the comparison window only (dates, never
 * their validity: an ExitDate before the EntryDate is extracted like any other).
 */

/** The July–June school year (start year) of a date column; EXTRACT is common to Oracle and PostgreSQL. */
const YEAR_OF = (col: string): string =>
  `CASE WHEN EXTRACT(MONTH FROM ${col}) >= 7 THEN EXTRACT(YEAR FROM ${col}) ELSE EXTRACT(YEAR FROM ${col}) - 1 END`;

/**
 * The school year of an enrollment: that of its entry date when the entry lies in the window; a record entered
 * before the window (or with a zero date) belongs to the year it ended in, or to the current year if still open.
 */
const SCHOOL_YEAR = (entry: string, exit: string): string =>
  `CASE WHEN ${entry} >= :windowStart THEN ${YEAR_OF(entry)}
    WHEN ${exit} IS NOT NULL AND ${exit} <= :windowEnd THEN ${YEAR_OF(exit)} ELSE :schoolYear END`;

/** Students (internal ID) with a current or past enrollment in the window: one set, hash-joined. */
const WINDOW_STUDENTS = `SELECT cur.ID AS sid FROM STUDENTS cur WHERE ${inWindow('cur.EntryDate', 'cur.ExitDate', true)}
  UNION
  SELECT re.StudentID AS sid FROM REENROLLMENTS re WHERE ${inWindow('re.EntryDate', 're.ExitDate', true)}`;

/**
 * A `changes` query (incremental extraction) in the portable text and Oracle's: `changed(alias)` says that
 * row's TRANSACTION_DATE is after `:since` (the previous snapshot's clock, text). Every query filters the
 * entity's driving table by its own stamp or by sets of changed ids of the tables it joins (hashed, one scan),
 * so the work is one pass over the driving table plus the joins of the changed rows only.
 */
function changesQuery(sql: (changed: (alias: string) => string) => string): ExtractQuery {
  return {
    sql: sql((a) => `${a}.TRANSACTION_DATE > CAST(:since AS timestamp)`),
    variants: { oracle: sql((a) => `${a}.TRANSACTION_DATE > TO_DATE(:since, 'YYYY-MM-DD HH24:MI:SS')`) },
  };
}

const CHANGED_STUDENTS = (changed: (alias: string) => string): string =>
  `SELECT c.ID FROM STUDENTS c WHERE ${changed('c')}`;

const SECTION_ID = `CONCAT(CONCAT(CAST(se.SchoolID AS varchar(10)), '-'), se.Section_Number)`;

/** PowerSchool's "Graduated Students" school: graduates are parked there (grade 99), never reported to the state. */
export const POWERSCHOOL_GRADUATED_SCHOOL = 999999;
/** The grade PowerSchool gives graduates parked at the graduated-students school. */
export const POWERSCHOOL_GRADUATED_GRADE = 99;

/**
 * SCHOOLS.State_ExcludeFromReporting is "do not report this school to the state" (not closure: SCHOOLS has no
 * closed flag, so `active` is not supplied and the state's school directory says which schools are closed). The
 * graduated-students school 999999 is excluded with or without the column (not in every edition).
 */
const schoolQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT sc.School_Number AS school_id, CAST(sc.Alternate_School_Number AS varchar(20)) AS state_school_id,
  sc.Name AS name, sc.Low_Grade AS low_grade, sc.High_Grade AS high_grade,
  CASE WHEN sc.School_Number = ${POWERSCHOOL_GRADUATED_SCHOOL}${unless(absent, 'SCHOOLS.State_ExcludeFromReporting', ' OR sc.State_ExcludeFromReporting = 1', '')} THEN 'Y' ELSE 'N' END AS excluded_flag
FROM SCHOOLS sc
ORDER BY sc.School_Number`,
});

const school: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['SCHOOLS'],
  query: schoolQuery(new Set()),
  queryWithout: schoolQuery,
  native: {
    required: cols('SCHOOLS', 'School_Number Alternate_School_Number Name Low_Grade High_Grade'),
    // Without it only the graduated-students school is excluded: no field is lost.
    optional: [{ name: 'SCHOOLS.State_ExcludeFromReporting', fields: [] }],
  },
  keyPrefix: 'SCHOOLS',
  keyColumns: ['school_id'],
  fields: {
    school_id: { column: 'school_id', label: 'SCHOOLS.School_Number' },
    state_school_id: { column: 'state_school_id', label: 'SCHOOLS.Alternate_School_Number' },
    name: { column: 'name', label: 'SCHOOLS.Name' },
    low_grade: { column: 'low_grade', codeSet: 'grade_level', label: 'SCHOOLS.Low_Grade' },
    high_grade: { column: 'high_grade', codeSet: 'grade_level', label: 'SCHOOLS.High_Grade' },
    state_reporting_excluded: {
      column: 'excluded_flag',
      bool: { true: ['Y'], false: ['N'] },
      label: 'SCHOOLS.State_ExcludeFromReporting / SchoolID 999999',
    },
  },
  refine: refineStateSchoolId,
};

const EXCLUDED_STUDENT = `CASE WHEN s.State_ExcludeFromReporting = 1 THEN 'Y' ELSE 'N' END`;

const STUDENT_COLUMNS = `s.Student_Number AS student_id, s.DCID AS dcid, s.State_StudentNumber AS state_student_id, s.SSN AS tx_student_id,
  s.Last_Name AS last_name, s.First_Name AS first_name, s.Middle_Name AS middle_name, s.DOB AS birth_date,
  s.Gender AS sex, s.FedEthnicity AS hispanic,
  r.race1 AS race1, r.race2 AS race2, r.race3 AS race3, r.race4 AS race4, r.race5 AS race5,
  x.ELAStatus AS el_status, ela.ELAStatusStartDate AS elas_start_date,
  ${EXCLUDED_STUDENT} AS excluded_flag`;

/**
 * The current English Language Acquisition record per student (S_CA_STU_ELA_C, one row per status with its
 * start and end date): the latest start date wins, undated rows last (`where`: an optional filter on `e`).
 */
const CURRENT_ELA = (where: string): string => `SELECT q.StudentsDCID, q.ELAStatusStartDate FROM (
    SELECT e.StudentsDCID, e.ELAStatusStartDate,
      ROW_NUMBER() OVER (PARTITION BY e.StudentsDCID
        ORDER BY CASE WHEN e.ELAStatusStartDate IS NULL THEN 1 ELSE 0 END, e.ELAStatusStartDate DESC, e.ID DESC) AS rn
    FROM S_CA_STU_ELA_C e${where}) q
  WHERE q.rn = 1`;

/** Up to five races per student, pivoted from StudentRace (`where`: an optional filter on `sr`). */
const RACES = (where: string): string => `SELECT q.StudentID,
    MAX(CASE WHEN q.rn = 1 THEN q.RaceCD END) AS race1, MAX(CASE WHEN q.rn = 2 THEN q.RaceCD END) AS race2,
    MAX(CASE WHEN q.rn = 3 THEN q.RaceCD END) AS race3, MAX(CASE WHEN q.rn = 4 THEN q.RaceCD END) AS race4,
    MAX(CASE WHEN q.rn = 5 THEN q.RaceCD END) AS race5
  FROM (SELECT sr.StudentID, sr.RaceCD, ROW_NUMBER() OVER (PARTITION BY sr.StudentID ORDER BY sr.RaceCD) AS rn
        FROM StudentRace sr${where}) q
  GROUP BY q.StudentID`;

const RACES_FROM_STUDENTRACE = `LEFT JOIN (${RACES('')}) r ON r.StudentID = s.ID`;

const NO_RACE = 'CAST(NULL AS varchar(10))';

/**
 * Students with an enrollment (current or past) in the window; races pivoted from StudentRace, EL status from
 * the California extension table S_CA_STU_X and the start date of the current status from S_CA_STU_ELA_C (the
 * ELAS history CALPADS SELA reports; CERT106 needs it). STUDENTS.State_ExcludeFromReporting flags a student not
 * reported to the state (California's state extracts skip them). All are optional: other states' editions have
 * no CA tables, older versions keep race on STUDENTS only; without them those fields are not supplied. (The `changes`
 * query of incremental extraction reads them all: an entity missing any optional name is extracted in full.)
 */
const studentQuery = (absent: ReadonlySet<string>): ExtractQuery => {
  const race = (n: number): string => (absent.has('StudentRace') ? NO_RACE : `r.race${n}`);
  return {
    sql: `SELECT s.Student_Number AS student_id, s.DCID AS dcid, s.State_StudentNumber AS state_student_id,
  ${unless(absent, 'STUDENTS.SSN', 's.SSN', 'CAST(NULL AS varchar(12))')} AS tx_student_id,
  s.Last_Name AS last_name, s.First_Name AS first_name, s.Middle_Name AS middle_name, s.DOB AS birth_date,
  s.Gender AS sex, s.FedEthnicity AS hispanic,
  ${race(1)} AS race1, ${race(2)} AS race2, ${race(3)} AS race3, ${race(4)} AS race4, ${race(5)} AS race5,
  ${unless(absent, 'S_CA_STU_X', 'x.ELAStatus', 'CAST(NULL AS varchar(10))')} AS el_status,
  ${unless(absent, 'S_CA_STU_ELA_C', 'ela.ELAStatusStartDate', 'CAST(NULL AS date)')} AS elas_start_date,
  ${unless(absent, 'STUDENTS.State_ExcludeFromReporting', EXCLUDED_STUDENT, 'CAST(NULL AS varchar(1))')} AS excluded_flag
FROM STUDENTS s
${absent.has('StudentRace') ? '' : RACES_FROM_STUDENTRACE}
${absent.has('S_CA_STU_X') ? '' : 'LEFT JOIN S_CA_STU_X x ON x.StudentsDCID = s.DCID'}
${absent.has('S_CA_STU_ELA_C') ? '' : `LEFT JOIN (${CURRENT_ELA('')}) ela ON ela.StudentsDCID = s.DCID`}
JOIN (${WINDOW_STUDENTS}) w ON w.sid = s.ID
ORDER BY s.Student_Number, s.DCID`,
  };
};

const student: EntityExtractSpec = {
  entity: 'student',
  nativeTables: ['STUDENTS', 'REENROLLMENTS', 'StudentRace', 'S_CA_STU_X', 'S_CA_STU_ELA_C'],
  query: studentQuery(new Set()),
  queryWithout: studentQuery,
  native: {
    required: [
      ...cols(
        'STUDENTS',
        'ID DCID Student_Number State_StudentNumber Last_Name First_Name Middle_Name DOB Gender FedEthnicity EntryDate ExitDate',
      ),
      ...cols('REENROLLMENTS', 'StudentID EntryDate ExitDate'),
    ],
    optional: [
      { name: 'StudentRace', fields: ['races'] },
      { name: 'S_CA_STU_X', fields: ['el_status'] },
      { name: 'S_CA_STU_ELA_C', fields: ['elas_start_date'] },
      { name: 'STUDENTS.State_ExcludeFromReporting', fields: ['state_reporting_excluded'] },
      // Texas PEIMS STUDENT-ID (E0001); not every edition keeps SSN.
      { name: 'STUDENTS.SSN', fields: ['tx_student_id'] },
    ],
  },
  // A student changes with STUDENTS, a race, the CA extensions, or a re-enrollment (the window membership).
  changes: changesQuery(
    (changed) => `WITH ch AS (
  SELECT c.ID AS sid FROM STUDENTS c WHERE ${changed('c')}
  UNION SELECT re.StudentID FROM REENROLLMENTS re WHERE ${changed('re')}
  UNION SELECT sr.StudentID FROM StudentRace sr WHERE ${changed('sr')}
  UNION SELECT cs.ID FROM STUDENTS cs JOIN S_CA_STU_X cx ON cx.StudentsDCID = cs.DCID WHERE ${changed('cx')}
  UNION SELECT es.ID FROM STUDENTS es JOIN S_CA_STU_ELA_C ex ON ex.StudentsDCID = es.DCID WHERE ${changed('ex')}
)
SELECT ${STUDENT_COLUMNS}, CASE WHEN w.sid IS NULL THEN 0 ELSE 1 END AS in_window
FROM STUDENTS s
JOIN ch ON ch.sid = s.ID
LEFT JOIN (${RACES(' WHERE sr.StudentID IN (SELECT sid FROM ch)')}) r ON r.StudentID = s.ID
LEFT JOIN S_CA_STU_X x ON x.StudentsDCID = s.DCID
LEFT JOIN (${CURRENT_ELA(' WHERE e.StudentsDCID IN (SELECT ds.DCID FROM STUDENTS ds WHERE ds.ID IN (SELECT sid FROM ch))')}) ela
  ON ela.StudentsDCID = s.DCID
LEFT JOIN (
  SELECT cur.ID AS sid FROM STUDENTS cur
   WHERE cur.ID IN (SELECT sid FROM ch) AND ${inWindow('cur.EntryDate', 'cur.ExitDate', true)}
  UNION
  SELECT re.StudentID AS sid FROM REENROLLMENTS re
   WHERE re.StudentID IN (SELECT sid FROM ch) AND ${inWindow('re.EntryDate', 're.ExitDate', true)}
) w ON w.sid = s.ID`,
  ),
  keyPrefix: 'STUDENTS',
  // Student_Number is part of the key so a row without one is reported as a null key.
  keyColumns: ['student_id', 'dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    state_student_id: { column: 'state_student_id', label: 'STUDENTS.State_StudentNumber' },
    // Texas: State_StudentNumber holds the TX Unique Student ID (E1523), SSN the PEIMS STUDENT-ID (E0001).
    tx_unique_id: { column: 'state_student_id', label: 'STUDENTS.State_StudentNumber' },
    tx_student_id: { column: 'tx_student_id', label: 'STUDENTS.SSN' },
    last_name: { column: 'last_name', label: 'STUDENTS.Last_Name' },
    first_name: { column: 'first_name', label: 'STUDENTS.First_Name' },
    middle_name: { column: 'middle_name', label: 'STUDENTS.Middle_Name' },
    birth_date: { column: 'birth_date', date: true, label: 'STUDENTS.DOB' },
    sex: { column: 'sex', codeSet: 'sex', label: 'STUDENTS.Gender' },
    hispanic: { column: 'hispanic', bool: { true: ['1'], false: ['0'] }, label: 'STUDENTS.FedEthnicity' },
    races: { columns: ['race1', 'race2', 'race3', 'race4', 'race5'], label: 'StudentRace.RaceCD' },
    el_status: { column: 'el_status', label: 'S_CA_STU_X.ELAStatus' },
    elas_start_date: {
      column: 'elas_start_date',
      date: true,
      label: 'S_CA_STU_ELA_C.ELAStatusStartDate',
    },
    state_reporting_excluded: {
      column: 'excluded_flag',
      bool: { true: ['Y'], false: ['N'] },
      label: 'STUDENTS.State_ExcludeFromReporting',
    },
  },
};

/** A row of a graduate parked at the graduated-students school 999999 or in grade 99: not reported to the state. */
const PARKED_WHEN = (a: string): string =>
  `${a}.SchoolID = ${POWERSCHOOL_GRADUATED_SCHOOL} OR ${a}.Grade_Level = ${POWERSCHOOL_GRADUATED_GRADE}`;
const PARKED = (a: string): string => `CASE WHEN ${PARKED_WHEN(a)} THEN 'Y' ELSE 'N' END`;
/** Grade 99 is PowerSchool's "graduated", no grade: null, not an unmapped code (no issue, no cascade). */
const PARKED_GRADE = (a: string): string =>
  `CASE WHEN ${a}.Grade_Level = ${POWERSCHOOL_GRADUATED_GRADE} THEN NULL ELSE ${a}.Grade_Level END`;

const CURRENT_ENROLLMENT = `'STUDENTS' AS source_table, s.DCID AS row_dcid, s.Student_Number AS student_id, s.SchoolID AS school_id,
  ${SCHOOL_YEAR('s.EntryDate', 's.ExitDate')} AS school_year, s.EntryDate AS entry_date,
  CASE WHEN s.Enroll_Status <= 0 THEN NULL ELSE s.ExitDate END AS exit_date, s.ExitDate AS exit_date_native,
  ${PARKED_GRADE('s')} AS grade_level, s.EntryCode AS entry_code, s.ExitCode AS exit_code, s.Enroll_Status AS enroll_status,
  ${PARKED('s')} AS excluded_flag`;

const PAST_ENROLLMENT = `'REENROLLMENTS' AS source_table, re.DCID AS row_dcid, s.Student_Number AS student_id, re.SchoolID AS school_id,
  ${SCHOOL_YEAR('re.EntryDate', 're.ExitDate')} AS school_year, re.EntryDate AS entry_date, re.ExitDate AS exit_date, re.ExitDate AS exit_date_native,
  ${PARKED_GRADE('re')} AS grade_level, re.EntryCode AS entry_code, re.ExitCode AS exit_code, 2 AS enroll_status,
  ${PARKED('re')} AS excluded_flag`;

/**
 * STUDENTS (current) UNION ALL REENROLLMENTS (past) in the window. Active and pre-registered students carry the
 * school's year-end ExitDate in PowerSchool; that is not an exit, so it is nulled for Enroll_Status −1/0. Past
 * rows have no status column and are reported as 2 (transferred out / inactive). The school year is the
 * July–June year of the entry date, as PS_Enrollment_All derives YearID from the entry (no TERMS lookup).
 * Graduates parked at the graduated-students school (SchoolID 999999, grade 99) are kept, flagged
 * state_reporting_excluded: state rules skip them (an enrollment at an excluded school is skipped too, by the
 * school's own flag).
 */
const enrollment: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['STUDENTS', 'REENROLLMENTS'],
  query: {
    sql: `SELECT ${CURRENT_ENROLLMENT}
FROM STUDENTS s
WHERE ${inWindow('s.EntryDate', 's.ExitDate', true)}
UNION ALL
SELECT ${PAST_ENROLLMENT}
FROM REENROLLMENTS re
JOIN STUDENTS s ON s.ID = re.StudentID
WHERE ${inWindow('re.EntryDate', 're.ExitDate', true)}`,
  },
  native: {
    required: [
      ...cols(
        'STUDENTS',
        'ID DCID Student_Number SchoolID EntryDate ExitDate Enroll_Status Grade_Level EntryCode ExitCode',
      ),
      ...cols('REENROLLMENTS', 'DCID StudentID SchoolID EntryDate ExitDate Grade_Level EntryCode ExitCode'),
    ],
  },
  // A past enrollment also changes with its student (Student_Number is part of the row).
  changes: changesQuery(
    (changed) => `SELECT ${CURRENT_ENROLLMENT},
  CASE WHEN ${inWindow('s.EntryDate', 's.ExitDate', true)} THEN 1 ELSE 0 END AS in_window
FROM STUDENTS s
WHERE ${changed('s')}
UNION ALL
SELECT ${PAST_ENROLLMENT},
  CASE WHEN ${inWindow('re.EntryDate', 're.ExitDate', true)} THEN 1 ELSE 0 END AS in_window
FROM REENROLLMENTS re
JOIN STUDENTS s ON s.ID = re.StudentID
WHERE ${changed('re')} OR re.StudentID IN (${CHANGED_STUDENTS(changed)})`,
  ),
  keyPrefix: 'PS',
  keyColumns: ['student_id', 'source_table', 'row_dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    school_id: { column: 'school_id', label: 'SchoolID' },
    school_year: { column: 'school_year', label: 'EntryDate (July–June year)' },
    entry_date: { column: 'entry_date', date: true, label: 'EntryDate' },
    exit_date: { column: 'exit_date', date: true, adjust: 'exclusive_end', label: 'ExitDate' },
    grade_level: { column: 'grade_level', codeSet: 'grade_level', label: 'Grade_Level' },
    entry_code: { column: 'entry_code', codeSet: 'entry_code', label: 'EntryCode' },
    exit_code: { column: 'exit_code', codeSet: 'exit_code', label: 'ExitCode' },
    status: { column: 'enroll_status', codeSet: 'enrollment_status', label: 'STUDENTS.Enroll_Status' },
    state_reporting_excluded: {
      column: 'excluded_flag',
      bool: { true: ['Y'], false: ['N'] },
      label: 'SchoolID 999999 / Grade_Level 99',
    },
  },
  refine: refineEnrollment,
};

/** No-shows, and completer exits as graduated. */
export function refineEnrollment(row: CanonicalRow, native: NativeRow): void {
  refineNoShow(row, native);
  refineGraduation(row);
}

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

const PROGRAM_COLUMNS = `'SPENROLLMENTS' AS source_table, sp.DCID AS row_dcid, s.Student_Number AS student_id, sp.SchoolID AS school_id,
  g.Value AS program_code, sp.Enter_Date AS start_date, sp.Exit_Date AS end_date`;

/** California's CALPADS program records: the code itself (ProgramCode), per student (DCID) and school. [L] */
const CALPADS_PROGRAM_COLUMNS = `'S_CA_STU_CALPADSPROGRAMS_C' AS source_table, cp.ID AS row_dcid, s.Student_Number AS student_id,
  cp.SchoolID AS school_id, cp.ProgramCode AS program_code, cp.StartDate AS start_date, cp.EndDate AS end_date`;

const programQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT u.* FROM (
SELECT ${PROGRAM_COLUMNS}
FROM SPENROLLMENTS sp
JOIN STUDENTS s ON s.ID = sp.StudentID
LEFT JOIN GEN g ON g.ID = sp.ProgramID AND g.Cat = 'specprog'
WHERE ${inWindow('sp.Enter_Date', 'sp.Exit_Date')}${
    absent.has('S_CA_STU_CALPADSPROGRAMS_C')
      ? ''
      : `
UNION ALL
SELECT ${CALPADS_PROGRAM_COLUMNS}
FROM S_CA_STU_CALPADSPROGRAMS_C cp
JOIN STUDENTS s ON s.DCID = cp.StudentsDCID
WHERE ${inWindow('cp.StartDate', 'cp.EndDate')}`
  }
) u
ORDER BY u.student_id, u.source_table, u.row_dcid`,
});

/**
 * Programs in the window (those ended before it are out of scope): SPENROLLMENTS (the code is
 * GEN(specprog).Value) and, where California districts keep them, S_CA_STU_CALPADSPROGRAMS_C (ProgramCode,
 * StartDate, EndDate; optional: other states' editions have none, no field is lost).
 */
const program: EntityExtractSpec = {
  entity: 'program',
  nativeTables: ['SPENROLLMENTS', 'GEN', 'STUDENTS', 'S_CA_STU_CALPADSPROGRAMS_C'],
  query: programQuery(new Set()),
  queryWithout: programQuery,
  native: {
    required: [
      ...cols('SPENROLLMENTS', 'DCID StudentID SchoolID ProgramID Enter_Date Exit_Date'),
      ...cols('STUDENTS', 'ID DCID Student_Number'),
      ...cols('GEN', 'ID Cat Value'),
    ],
    optional: [{ name: 'S_CA_STU_CALPADSPROGRAMS_C', fields: [] }],
  },
  changes: changesQuery(
    (changed) => `SELECT ${PROGRAM_COLUMNS},
  CASE WHEN ${inWindow('sp.Enter_Date', 'sp.Exit_Date')} THEN 1 ELSE 0 END AS in_window
FROM SPENROLLMENTS sp
JOIN STUDENTS s ON s.ID = sp.StudentID
LEFT JOIN GEN g ON g.ID = sp.ProgramID AND g.Cat = 'specprog'
WHERE ${changed('sp')} OR sp.StudentID IN (${CHANGED_STUDENTS(changed)})
   OR sp.ProgramID IN (SELECT g2.ID FROM GEN g2 WHERE ${changed('g2')})
UNION ALL
SELECT ${CALPADS_PROGRAM_COLUMNS},
  CASE WHEN ${inWindow('cp.StartDate', 'cp.EndDate')} THEN 1 ELSE 0 END AS in_window
FROM S_CA_STU_CALPADSPROGRAMS_C cp
JOIN STUDENTS s ON s.DCID = cp.StudentsDCID
WHERE ${changed('cp')} OR s.ID IN (${CHANGED_STUDENTS(changed)})`,
  ),
  keyPrefix: 'PS',
  keyColumns: ['student_id', 'source_table', 'row_dcid'],
  fields: {
    student_id: { column: 'student_id', label: 'STUDENTS.Student_Number' },
    school_id: { column: 'school_id', label: 'SPENROLLMENTS.SchoolID / S_CA_STU_CALPADSPROGRAMS_C.SchoolID' },
    program_code: {
      column: 'program_code',
      codeSet: 'program_code',
      label: 'GEN.Value / S_CA_STU_CALPADSPROGRAMS_C.ProgramCode',
    },
    start_date: {
      column: 'start_date',
      date: true,
      label: 'SPENROLLMENTS.Enter_Date / S_CA_STU_CALPADSPROGRAMS_C.StartDate',
    },
    // Program exit dates are treated as inclusive (not verified against a PowerSchool state guide).
    end_date: {
      column: 'end_date',
      date: true,
      label: 'SPENROLLMENTS.Exit_Date / S_CA_STU_CALPADSPROGRAMS_C.EndDate',
    },
  },
};

const SECTION_COLUMNS = `se.DCID AS row_dcid, ${SECTION_ID} AS section_id, se.SchoolID AS school_id, se.Course_Number AS course_code,
  c.Course_Name AS course_title, c.Alt_Course_Number AS state_course_code, tc.TeacherNumber AS teacher_staff_id,
  tm.Abbreviation AS term`;

/** Section ids are `<School_Number>-<Section_Number>` so they survive a migration from another SIS. */
const sectionQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT se.DCID AS row_dcid, ${SECTION_ID} AS section_id, se.SchoolID AS school_id, se.Course_Number AS course_code,
  c.Course_Name AS course_title,
  ${unless(absent, 'COURSES.Alt_Course_Number', 'c.Alt_Course_Number', 'CAST(NULL AS varchar(20))')} AS state_course_code,
  tc.TeacherNumber AS teacher_staff_id, tm.Abbreviation AS term
FROM SECTIONS se
JOIN TERMS tm ON tm.ID = se.TermID AND tm.SchoolID = se.SchoolID
LEFT JOIN COURSES c ON c.Course_Number = se.Course_Number
LEFT JOIN TEACHERS tc ON tc.ID = se.Teacher
WHERE tm.YearID = :schoolYear - 1990
ORDER BY se.SchoolID, se.Section_Number`,
});

const section: EntityExtractSpec = {
  entity: 'section',
  nativeTables: ['SECTIONS', 'COURSES', 'TEACHERS', 'TERMS'],
  query: sectionQuery(new Set()),
  queryWithout: sectionQuery,
  native: {
    required: [
      ...cols('SECTIONS', 'DCID SchoolID Section_Number Course_Number TermID Teacher'),
      ...cols('TERMS', 'ID SchoolID Abbreviation YearID'),
      ...cols('COURSES', 'Course_Number Course_Name'),
      ...cols('TEACHERS', 'ID TeacherNumber'),
    ],
    optional: [{ name: 'COURSES.Alt_Course_Number', fields: ['state_course_code'] }],
  },
  changes: changesQuery(
    (changed) => `SELECT ${SECTION_COLUMNS},
  CASE WHEN tm.YearID = :schoolYear - 1990 THEN 1 ELSE 0 END AS in_window
FROM SECTIONS se
LEFT JOIN TERMS tm ON tm.ID = se.TermID AND tm.SchoolID = se.SchoolID
LEFT JOIN COURSES c ON c.Course_Number = se.Course_Number
LEFT JOIN TEACHERS tc ON tc.ID = se.Teacher
WHERE ${changed('se')} OR se.TermID IN (SELECT t2.ID FROM TERMS t2 WHERE ${changed('t2')})
   OR se.Course_Number IN (SELECT c2.Course_Number FROM COURSES c2 WHERE ${changed('c2')})
   OR se.Teacher IN (SELECT t3.ID FROM TEACHERS t3 WHERE ${changed('t3')})`,
  ),
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

const CC_COLUMNS = `cc.DCID AS row_dcid, s.Student_Number AS student_id, ${SECTION_ID} AS section_id, cc.SchoolID AS school_id,
  cc.DateEnrolled AS begin_date,
  CASE WHEN cc.DateLeft IS NOT NULL AND (tm.LastDay IS NULL OR cc.DateLeft <= tm.LastDay) THEN cc.DateLeft ELSE NULL END
    AS end_date`;

/**
 * CC rows of the school year (the first two digits of |TermID| are the YearID), sections year-local like every
 * SIS's. PowerSchool turns SectionID/TermID negative on a drop, and also at a normal exit and at year end; the
 * sign therefore says nothing by itself. Normalised here: the section is ABS(SectionID), and the row has an end
 * only when DateLeft (exclusive) falls before the day after its term's last day, i.e. the student left the
 * section early. A row running to the term's end (positive rows carry DateLeft = term end + 1 too) has none.
 */
const studentSection: EntityExtractSpec = {
  entity: 'student_section',
  nativeTables: ['CC', 'SECTIONS', 'STUDENTS', 'TERMS'],
  query: {
    sql: `SELECT ${CC_COLUMNS}
FROM CC cc
JOIN STUDENTS s ON s.ID = cc.StudentID
JOIN SECTIONS se ON se.ID = ABS(cc.SectionID)
LEFT JOIN TERMS tm ON tm.ID = ABS(cc.TermID) AND tm.SchoolID = cc.SchoolID
WHERE ABS(cc.TermID) >= (:schoolYear - 1990) * 100 AND ABS(cc.TermID) < (:schoolYear - 1989) * 100
ORDER BY s.Student_Number, cc.DCID`,
  },
  native: {
    required: [
      ...cols('CC', 'DCID StudentID SectionID SchoolID DateEnrolled DateLeft TermID'),
      ...cols('STUDENTS', 'ID Student_Number'),
      ...cols('SECTIONS', 'ID SchoolID Section_Number'),
      ...cols('TERMS', 'ID SchoolID LastDay'),
    ],
  },
  // A CC row changes with its student, its section (the section id) and its term (the end date).
  changes: changesQuery(
    (changed) => `SELECT ${CC_COLUMNS},
  CASE WHEN s.ID IS NOT NULL AND se.ID IS NOT NULL
        AND ABS(cc.TermID) >= (:schoolYear - 1990) * 100 AND ABS(cc.TermID) < (:schoolYear - 1989) * 100
       THEN 1 ELSE 0 END AS in_window
FROM CC cc
LEFT JOIN STUDENTS s ON s.ID = cc.StudentID
LEFT JOIN SECTIONS se ON se.ID = ABS(cc.SectionID)
LEFT JOIN TERMS tm ON tm.ID = ABS(cc.TermID) AND tm.SchoolID = cc.SchoolID
WHERE ${changed('cc')} OR cc.StudentID IN (${CHANGED_STUDENTS(changed)})
   OR ABS(cc.SectionID) IN (SELECT se2.ID FROM SECTIONS se2 WHERE ${changed('se2')})
   OR ABS(cc.TermID) IN (SELECT t2.ID FROM TERMS t2 WHERE ${changed('t2')})`,
  ),
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

/**
 * TEACHERS has one row per user per school: one canonical staff row per TeacherNumber (lowest ID wins), picked
 * by a join to the pre-aggregated minimum per TeacherNumber (one hash join, not a sub-query per row).
 *
 * The state staff id (SEID): California districts keep it in the custom field CA_SEID (the legacy custom field
 * migrated into the extension U_DEF_EXT_USERS, per USERS.DCID [L]; what state extracts read with
 * ps_customfields.getcf('teachers', id, 'CA_SEID')); it wins when filled, else SIF_StatePrid (the SIF/state
 * column, often blank in California). Without both, state_staff_id is not supplied.
 */
const staffQuery = (absent: ReadonlySet<string>): ExtractQuery => {
  const sif = unless(absent, 'TEACHERS.SIF_StatePrid', 'tc.SIF_StatePrid', 'CAST(NULL AS varchar(20))');
  const custom = !absent.has('U_DEF_EXT_USERS.CA_SEID') && !absent.has('TEACHERS.Users_DCID');
  const seid = !custom
    ? sif
    : `COALESCE(CASE WHEN TRIM(ux.CA_SEID) = '' THEN NULL ELSE TRIM(ux.CA_SEID) END, ${sif})`;
  return {
    sql: `SELECT tc.ID AS teacher_id, tc.TeacherNumber AS staff_id,
  ${seid} AS state_staff_id,
  tc.Last_Name AS last_name, tc.First_Name AS first_name, tc.Email_Addr AS email
FROM TEACHERS tc
JOIN (SELECT MIN(t2.ID) AS first_id FROM TEACHERS t2 WHERE t2.TeacherNumber IS NOT NULL GROUP BY t2.TeacherNumber) f
  ON f.first_id = tc.ID${custom ? '\nLEFT JOIN U_DEF_EXT_USERS ux ON ux.UsersDCID = tc.Users_DCID' : ''}
ORDER BY tc.TeacherNumber`,
  };
};

const staff: EntityExtractSpec = {
  entity: 'staff',
  nativeTables: ['TEACHERS', 'U_DEF_EXT_USERS'],
  query: staffQuery(new Set()),
  queryWithout: staffQuery,
  native: {
    required: cols('TEACHERS', 'ID TeacherNumber Last_Name First_Name Email_Addr'),
    optional: [
      // Without the custom field SIF_StatePrid alone (no field lost; without both, state_staff_id is).
      { name: 'U_DEF_EXT_USERS.CA_SEID', fields: [] },
      { name: 'TEACHERS.SIF_StatePrid', fields: ['state_staff_id'] },
      { name: 'TEACHERS.Users_DCID', fields: [] },
    ],
  },
  keyPrefix: 'TEACHERS',
  keyColumns: ['teacher_id'],
  fields: {
    staff_id: { column: 'staff_id', label: 'TEACHERS.TeacherNumber' },
    state_staff_id: {
      column: 'state_staff_id',
      label: 'U_DEF_EXT_USERS.CA_SEID / TEACHERS.SIF_StatePrid',
    },
    last_name: { column: 'last_name', label: 'TEACHERS.Last_Name' },
    first_name: { column: 'first_name', label: 'TEACHERS.First_Name' },
    email: { column: 'email', label: 'TEACHERS.Email_Addr' },
  },
};

const YEAR_SECTIONS = `JOIN TERMS tm ON tm.ID = se.TermID AND tm.SchoolID = se.SchoolID`;

/**
 * Every staff member of the year's sections. SECTIONTEACHER holds one row per teacher of a section (the lead and
 * co-teachers, RoleID → ROLEDEF.Name: "Lead Teacher", "Co-teacher" …) with the dates of the assignment
 * (Start_Date / End_Date, taken as inclusive [L]); a lead teacher (SECTIONS.Teacher) without a SECTIONTEACHER
 * row of their own is added, undated. Without ROLEDEF the section's lead is the teacher, the others
 * co-teachers; without SECTIONTEACHER (older versions) the lead teacher alone, undated.
 */
const sectionStaffQuery = (absent: ReadonlySet<string>): ExtractQuery => {
  const lead = `SELECT 'SECTIONS' AS source_table, se.DCID AS row_dcid, ${SECTION_ID} AS section_id, se.SchoolID AS school_id,
  tc.TeacherNumber AS staff_id, 'teacher' AS role, CAST(NULL AS date) AS begin_date, CAST(NULL AS date) AS end_date
FROM SECTIONS se
${YEAR_SECTIONS}
JOIN TEACHERS tc ON tc.ID = se.Teacher`;
  if (absent.has('SECTIONTEACHER'))
    return {
      sql: `SELECT u.* FROM (${lead}
WHERE tm.YearID = :schoolYear - 1990) u
ORDER BY u.school_id, u.section_id, u.source_table, u.row_dcid`,
    };
  const roledef = !absent.has('ROLEDEF');
  const role = `CASE${
    roledef
      ? ` WHEN UPPER(rd.Name) LIKE '%LEAD%' THEN 'teacher' WHEN UPPER(rd.Name) LIKE '%CO%TEACH%' THEN 'co_teacher'
    WHEN rd.ID IS NOT NULL THEN 'other'`
      : ''
  } WHEN st.TeacherID = se.Teacher THEN 'teacher' ELSE 'co_teacher' END`;
  return {
    sql: `SELECT u.* FROM (
SELECT 'SECTIONTEACHER' AS source_table, st.DCID AS row_dcid, ${SECTION_ID} AS section_id, se.SchoolID AS school_id,
  tc.TeacherNumber AS staff_id, ${role} AS role, st.Start_Date AS begin_date, st.End_Date AS end_date
FROM SECTIONTEACHER st
JOIN SECTIONS se ON se.ID = st.SectionID
${YEAR_SECTIONS}
JOIN TEACHERS tc ON tc.ID = st.TeacherID${roledef ? '\nLEFT JOIN ROLEDEF rd ON rd.ID = st.RoleID' : ''}
WHERE tm.YearID = :schoolYear - 1990
UNION ALL
${lead}
LEFT JOIN (SELECT DISTINCT l.SectionID, l.TeacherID FROM SECTIONTEACHER l) lt
  ON lt.SectionID = se.ID AND lt.TeacherID = se.Teacher
WHERE tm.YearID = :schoolYear - 1990 AND lt.SectionID IS NULL
) u
ORDER BY u.school_id, u.section_id, u.source_table, u.row_dcid`,
  };
};

const sectionStaff: EntityExtractSpec = {
  entity: 'section_staff',
  nativeTables: ['SECTIONS', 'TERMS', 'TEACHERS', 'SECTIONTEACHER', 'ROLEDEF'],
  query: sectionStaffQuery(new Set()),
  queryWithout: sectionStaffQuery,
  native: {
    required: [
      ...cols('SECTIONS', 'ID DCID SchoolID Section_Number TermID Teacher'),
      ...cols('TERMS', 'ID SchoolID YearID'),
      ...cols('TEACHERS', 'ID TeacherNumber'),
    ],
    optional: [
      { name: 'SECTIONTEACHER', fields: ['begin_date', 'end_date'] },
      // Without it the role comes from the lead teacher: no field lost.
      { name: 'ROLEDEF', fields: [] },
    ],
  },
  keyPrefix: 'PS',
  keyColumns: ['source_table', 'row_dcid'],
  fields: {
    section_id: { column: 'section_id', label: 'SECTIONS.SchoolID+Section_Number' },
    school_id: { column: 'school_id', label: 'SECTIONS.SchoolID' },
    staff_id: { column: 'staff_id', label: 'TEACHERS.TeacherNumber' },
    role: { column: 'role', label: 'ROLEDEF.Name / SECTIONS.Teacher' },
    begin_date: { column: 'begin_date', date: true, label: 'SECTIONTEACHER.Start_Date' },
    end_date: { column: 'end_date', date: true, label: 'SECTIONTEACHER.End_Date' },
  },
};

/**
 * Grade_Level is district-defined; this is a CA default (TK −1, PK −2, K 0). Graduates parked in grade 99 are
 * extracted with no grade and excluded from state reporting (see the enrollment query), never an unmapped code.
 * Texas districts override with −1 PK, −2 EE → PR through the crosswalk.
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
      'TERMS.YearID = start year − 1990 (34 = 2024-25) for schedules; enrollments, students and programs by the comparison window (EntryDate / Enter_Date in it, or running into it).',
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
  changeTracking: {
    description:
      'TRANSACTION_DATE, stamped by PowerSchool on every insert and update of a row; rows deleted in the SIS leave the snapshot at the next full extraction. School and staff (small) are extracted in full every night.',
    // Ten minutes of overlap: a row stamped just before the clock but committed after it is read again.
    clock: {
      sql: `SELECT CAST(LOCALTIMESTAMP - INTERVAL '10' MINUTE AS varchar(32)) AS now`,
      variants: {
        oracle: `SELECT TO_CHAR(SYSDATE - INTERVAL '10' MINUTE, 'YYYY-MM-DD HH24:MI:SS') AS now FROM DUAL`,
      },
    },
  },
  entities: [school, student, enrollment, program, section, studentSection, staff, sectionStaff],
};
