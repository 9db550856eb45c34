import type { ConnectorDefinition, EntityExtractSpec, ExtractQuery } from 'connectors/sdk/connector.types';
import { CALPADS_EXIT_CODES, CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';
import { CALPADS_ENTRY_CODES } from 'connectors/powerschool/powerschool.connector';
import { cols } from 'connectors/sdk/native-schema';
import { inWindow, refineGraduation, refineStateSchoolId } from 'connectors/sdk/window.util';

/**
 * Infinite Campus (SQL Server). Enrollment per calendar (Calendar.endYear = start year + 1), endDate inclusive,
 * serviceType 'P' = primary, 'S' = secondary (partial), 'N' = special-education services only (not reported
 * to the state as an enrollment). The district student id is Person.studentNumber, staff use Person.staffNumber.
 * Summer-school calendars (Calendar.summerSchool) are not the school year and are never read; sections and
 * rosters come from the active schedule trial only (Trial.active, Section.trialID, Roster.trialID), the state
 * grade from GradeLevel.stateGrade (Enrollment.grade is the calendar's local grade name).
 * `Identity` is reserved on SQL Server: the mssql variant of every query reading it brackets the name.
 */
function withIdentity(sql: string): ExtractQuery {
  return { sql, variants: { mssql: sql.replace(/\bIdentity\b/g, '[Identity]') } };
}

const IN_YEAR_CALENDAR = `c.endYear = :schoolYear + 1 AND c.summerSchool = 0`;
/** Calendars of the comparison window's school years (enrollment history); summer school is not a school year. */
const IN_WINDOW_CALENDAR = `c.endYear >= :firstYear + 1 AND c.endYear <= :schoolYear + 1 AND c.summerSchool = 0`;
/** The active schedule trial of a section (inactive trials are scheduling drafts: their sections never ran). */
const ACTIVE_TRIAL = `JOIN Trial tr ON tr.trialID = s.trialID AND tr.active = 1`;

const school: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['School', 'Calendar'],
  query: {
    sql: `SELECT sc.schoolID AS internal_id, sc.number AS school_id, sc.standardCode AS state_school_id, sc.name AS name,
  CASE WHEN ca.schoolID IS NOT NULL THEN 'Y' ELSE 'N' END AS active_flag
FROM School sc
LEFT JOIN (SELECT DISTINCT c.schoolID FROM Calendar c WHERE ${IN_YEAR_CALENDAR} AND c.exclude = 0) ca
  ON ca.schoolID = sc.schoolID
ORDER BY sc.number`,
  },
  native: {
    required: [
      ...cols('School', 'schoolID number standardCode name'),
      ...cols('Calendar', 'schoolID endYear exclude summerSchool'),
    ],
  },
  keyPrefix: 'School',
  keyColumns: ['internal_id'],
  fields: {
    school_id: { column: 'school_id', label: 'School.number' },
    state_school_id: { column: 'state_school_id', label: 'School.standardCode' },
    name: { column: 'name', label: 'School.name' },
    // A school is active for the year when it has a non-excluded calendar; grade spans live per calendar (not supplied).
    active: { column: 'active_flag', bool: { true: ['Y'], false: ['N'] }, label: 'Calendar.exclude' },
  },
  refine: refineStateSchoolId,
};

const student: EntityExtractSpec = {
  entity: 'student',
  nativeTables: ['Person', 'Identity', 'IdentityRaceEthnicity', 'RaceEthnicity', 'Enrollment', 'Calendar'],
  query:
    withIdentity(`SELECT p.personID AS person_id, p.studentNumber AS student_id, p.stateID AS state_student_id,
  i.lastName AS last_name, i.firstName AS first_name, i.middleName AS middle_name, i.birthdate AS birth_date,
  i.gender AS sex, i.hispanicEthnicity AS hispanic, i.ssn AS tx_student_id,
  r.race1 AS race1, r.race2 AS race2, r.race3 AS race3, r.race4 AS race4, r.race5 AS race5
FROM Person p
JOIN Identity i ON i.identityID = p.currentIdentityID
LEFT JOIN (
  SELECT q.identityID,
    MAX(CASE WHEN q.rn = 1 THEN q.code END) AS race1, MAX(CASE WHEN q.rn = 2 THEN q.code END) AS race2,
    MAX(CASE WHEN q.rn = 3 THEN q.code END) AS race3, MAX(CASE WHEN q.rn = 4 THEN q.code END) AS race4,
    MAX(CASE WHEN q.rn = 5 THEN q.code END) AS race5
  FROM (SELECT ir.identityID, re.code, ROW_NUMBER() OVER (PARTITION BY ir.identityID ORDER BY re.code) AS rn
        FROM IdentityRaceEthnicity ir JOIN RaceEthnicity re ON re.raceID = ir.raceID) q
  GROUP BY q.identityID
) r ON r.identityID = i.identityID
JOIN (SELECT DISTINCT e.personID FROM Enrollment e JOIN Calendar c ON c.calendarID = e.calendarID
      WHERE ${IN_WINDOW_CALENDAR}) w ON w.personID = p.personID
ORDER BY p.studentNumber, p.personID`),
  native: {
    required: [
      ...cols('Person', 'personID studentNumber stateID currentIdentityID'),
      ...cols('Identity', 'identityID lastName firstName middleName birthdate gender hispanicEthnicity ssn'),
      ...cols('IdentityRaceEthnicity', 'identityID raceID'),
      ...cols('RaceEthnicity', 'raceID code'),
      ...cols('Enrollment', 'personID calendarID'),
      ...cols('Calendar', 'calendarID endYear summerSchool'),
    ],
  },
  keyPrefix: 'Person',
  // studentNumber is part of the key so a person without one is reported as a null key.
  keyColumns: ['student_id', 'person_id'],
  fields: {
    student_id: { column: 'student_id', label: 'Person.studentNumber' },
    state_student_id: { column: 'state_student_id', label: 'Person.stateID' },
    // Texas: Person.stateID is the TX Unique Student ID (E1523); the STUDENT-ID (E0001, SSN or 'S' number) is
    // Identity.ssn. Both are read for every district; only the TX pack reads them.
    tx_unique_id: { column: 'state_student_id', label: 'Person.stateID' },
    tx_student_id: { column: 'tx_student_id', label: 'Identity.ssn' },
    last_name: { column: 'last_name', label: 'Identity.lastName' },
    first_name: { column: 'first_name', label: 'Identity.firstName' },
    middle_name: { column: 'middle_name', label: 'Identity.middleName' },
    birth_date: { column: 'birth_date', date: true, label: 'Identity.birthdate' },
    sex: { column: 'sex', codeSet: 'sex', label: 'Identity.gender' },
    hispanic: {
      column: 'hispanic',
      bool: { true: ['Y'], false: ['N'] },
      label: 'Identity.hispanicEthnicity',
    },
    races: { columns: ['race1', 'race2', 'race3', 'race4', 'race5'], label: 'RaceEthnicity.code' },
  },
};

/**
 * An endDate on the current calendar's last instructional day (its last Day with instruction, else the
 * calendar's endDate) without an endStatus is the year's end pre-filled, not an exit: the student is enrolled.
 */
const YEAR_END_FILL = `(e.endStatus IS NULL AND c.endYear = :schoolYear + 1
    AND e.endDate = COALESCE(ld.lastDay, c.endDate))`;

/**
 * Enrollments on the window's calendars. Status is derived: 'NS' noShow = 1, 'E' ended (endDate set and not the
 * year-end fill), 'F' future start (after :asOf), else 'A'. Enrollment.stateExclude and serviceType 'N' are
 * flagged state_reporting_excluded (kept and shown to the district, marked as not reported to the state).
 */
const enrollment: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['Enrollment', 'Calendar', 'School', 'Person', 'GradeLevel', 'Day'],
  query: {
    sql: `SELECT e.enrollmentID AS enrollment_id, p.studentNumber AS student_id, sc.number AS school_id,
  c.endYear - 1 AS school_year, e.startDate AS entry_date,
  CASE WHEN ${YEAR_END_FILL} THEN NULL ELSE e.endDate END AS exit_date,
  COALESCE(gl.stateGrade, e.grade) AS grade_level,
  e.startStatus AS entry_code, e.endStatus AS exit_code,
  CASE WHEN e.serviceType = 'P' THEN 'primary' WHEN e.serviceType = 'N' THEN 'special_ed_services' ELSE 'secondary' END
    AS enrollment_type,
  CASE WHEN e.stateExclude = 1 OR e.serviceType = 'N' THEN 'Y' ELSE 'N' END AS state_excluded,
  CASE WHEN e.noShow = 1 THEN 'NS' WHEN e.endDate IS NOT NULL AND NOT ${YEAR_END_FILL} THEN 'E'
    WHEN e.startDate > :asOf THEN 'F' ELSE 'A' END AS status_code
FROM Enrollment e
JOIN Calendar c ON c.calendarID = e.calendarID
JOIN School sc ON sc.schoolID = c.schoolID
LEFT JOIN Person p ON p.personID = e.personID
LEFT JOIN GradeLevel gl ON gl.calendarID = e.calendarID AND gl.name = e.grade
LEFT JOIN (SELECT d.calendarID, MAX(d.date) AS lastDay FROM Day d WHERE d.instruction = 1 GROUP BY d.calendarID) ld
  ON ld.calendarID = e.calendarID
WHERE ${IN_WINDOW_CALENDAR}
ORDER BY p.studentNumber, e.startDate, e.enrollmentID`,
  },
  native: {
    required: [
      ...cols(
        'Enrollment',
        'enrollmentID personID calendarID startDate endDate grade startStatus endStatus serviceType noShow stateExclude',
      ),
      ...cols('Calendar', 'calendarID endYear schoolID endDate summerSchool'),
      ...cols('GradeLevel', 'calendarID name stateGrade'),
      ...cols('Day', 'calendarID date instruction'),
      ...cols('School', 'schoolID number'),
      ...cols('Person', 'personID studentNumber'),
    ],
  },
  keyPrefix: 'Enrollment',
  keyColumns: ['student_id', 'enrollment_id'],
  fields: {
    student_id: { column: 'student_id', label: 'Person.studentNumber' },
    school_id: { column: 'school_id', label: 'School.number' },
    school_year: { column: 'school_year', label: 'Calendar.endYear' },
    entry_date: { column: 'entry_date', date: true, label: 'Enrollment.startDate' },
    exit_date: { column: 'exit_date', date: true, label: 'Enrollment.endDate' },
    grade_level: { column: 'grade_level', codeSet: 'grade_level', label: 'GradeLevel.stateGrade' },
    entry_code: { column: 'entry_code', codeSet: 'entry_code', label: 'Enrollment.startStatus' },
    exit_code: { column: 'exit_code', codeSet: 'exit_code', label: 'Enrollment.endStatus' },
    enrollment_type: { column: 'enrollment_type', label: 'Enrollment.serviceType' },
    state_reporting_excluded: {
      column: 'state_excluded',
      bool: { true: ['Y'], false: ['N'] },
      label: 'Enrollment.stateExclude/serviceType',
    },
    status: { column: 'status_code', codeSet: 'enrollment_status', label: 'Enrollment.noShow/endDate' },
  },
  refine: refineGraduation,
};

/** Participations in the comparison window (by their dates, like every connector's programs). */
const program: EntityExtractSpec = {
  entity: 'program',
  nativeTables: ['ProgramParticipation', 'Program', 'Person'],
  query: {
    sql: `SELECT pp.participationID AS participation_id, p.studentNumber AS student_id, pr.code AS program_code,
  pp.startDate AS start_date, pp.endDate AS end_date
FROM ProgramParticipation pp
JOIN Person p ON p.personID = pp.personID
LEFT JOIN Program pr ON pr.programID = pp.programID
WHERE ${inWindow('pp.startDate', 'pp.endDate')}
ORDER BY p.studentNumber, pp.participationID`,
  },
  native: {
    required: [
      ...cols('ProgramParticipation', 'participationID personID programID startDate endDate'),
      ...cols('Person', 'personID studentNumber'),
      ...cols('Program', 'programID code'),
    ],
  },
  keyPrefix: 'ProgramParticipation',
  keyColumns: ['student_id', 'participation_id'],
  fields: {
    student_id: { column: 'student_id', label: 'Person.studentNumber' },
    program_code: { column: 'program_code', codeSet: 'program_code', label: 'Program.code' },
    start_date: { column: 'start_date', date: true, label: 'ProgramParticipation.startDate' },
    end_date: { column: 'end_date', date: true, label: 'ProgramParticipation.endDate' },
  },
};

const SECTION_ID = `CONCAT(CONCAT(sc.number, '-'), CAST(s.number AS varchar(10)))`;

const section: EntityExtractSpec = {
  entity: 'section',
  nativeTables: ['Section', 'Trial', 'Course', 'Calendar', 'School', 'Person'],
  query: {
    sql: `SELECT s.sectionID AS internal_id, ${SECTION_ID} AS section_id, sc.number AS school_id, co.number AS course_code,
  co.name AS course_title, co.stateCode AS state_course_code, tp.staffNumber AS teacher_staff_id,
  s.courseSequenceCode AS course_sequence_code
FROM Section s
${ACTIVE_TRIAL}
JOIN Course co ON co.courseID = s.courseID
JOIN Calendar c ON c.calendarID = co.calendarID
JOIN School sc ON sc.schoolID = c.schoolID
LEFT JOIN Person tp ON tp.personID = s.teacherPersonID
WHERE ${IN_YEAR_CALENDAR}
ORDER BY sc.number, s.number`,
  },
  native: {
    required: [
      ...cols('Section', 'sectionID number courseID teacherPersonID trialID courseSequenceCode'),
      ...cols('Trial', 'trialID active'),
      ...cols('Course', 'courseID calendarID number name stateCode'),
      ...cols('Calendar', 'calendarID schoolID endYear summerSchool'),
      ...cols('School', 'schoolID number'),
      ...cols('Person', 'personID staffNumber'),
    ],
  },
  keyPrefix: 'Section',
  keyColumns: ['internal_id'],
  fields: {
    section_id: { column: 'section_id', label: 'School.number+Section.number' },
    school_id: { column: 'school_id', label: 'School.number' },
    course_code: { column: 'course_code', label: 'Course.number' },
    course_title: { column: 'course_title', label: 'Course.name' },
    state_course_code: { column: 'state_course_code', label: 'Course.stateCode' },
    teacher_staff_id: { column: 'teacher_staff_id', label: 'Section.teacherPersonID' },
    course_sequence_code: { column: 'course_sequence_code', label: 'Section.courseSequenceCode' },
  },
};

const studentSection: EntityExtractSpec = {
  entity: 'student_section',
  nativeTables: ['Roster', 'Section', 'Trial', 'Course', 'Calendar', 'School', 'Person'],
  query: {
    sql: `SELECT r.rosterID AS roster_id, p.studentNumber AS student_id, ${SECTION_ID} AS section_id, sc.number AS school_id,
  r.startDate AS begin_date, r.endDate AS end_date
FROM Roster r
JOIN Section s ON s.sectionID = r.sectionID AND s.trialID = r.trialID
${ACTIVE_TRIAL}
JOIN Course co ON co.courseID = s.courseID
JOIN Calendar c ON c.calendarID = co.calendarID
JOIN School sc ON sc.schoolID = c.schoolID
JOIN Person p ON p.personID = r.personID
WHERE ${IN_YEAR_CALENDAR}
ORDER BY p.studentNumber, r.rosterID`,
  },
  native: {
    required: [
      ...cols('Roster', 'rosterID sectionID personID trialID startDate endDate'),
      ...cols('Section', 'sectionID courseID number trialID'),
      ...cols('Trial', 'trialID active'),
      ...cols('Course', 'courseID calendarID'),
      ...cols('Calendar', 'calendarID schoolID endYear summerSchool'),
      ...cols('School', 'schoolID number'),
      ...cols('Person', 'personID studentNumber'),
    ],
  },
  keyPrefix: 'Roster',
  keyColumns: ['student_id', 'roster_id'],
  fields: {
    student_id: { column: 'student_id', label: 'Person.studentNumber' },
    section_id: { column: 'section_id', label: 'Roster.sectionID' },
    school_id: { column: 'school_id', label: 'School.number' },
    begin_date: { column: 'begin_date', date: true, label: 'Roster.startDate' },
    end_date: { column: 'end_date', date: true, label: 'Roster.endDate' },
  },
};

const staff: EntityExtractSpec = {
  entity: 'staff',
  nativeTables: ['Person', 'Identity', 'Contact'],
  query:
    withIdentity(`SELECT p.personID AS person_id, p.staffNumber AS staff_id, p.staffStateID AS state_staff_id,
  i.lastName AS last_name, i.firstName AS first_name, ct.email AS email
FROM Person p
JOIN Identity i ON i.identityID = p.currentIdentityID
LEFT JOIN Contact ct ON ct.personID = p.personID
WHERE p.staffNumber IS NOT NULL
ORDER BY p.staffNumber`),
  native: {
    required: [
      ...cols('Person', 'personID staffNumber staffStateID currentIdentityID'),
      ...cols('Identity', 'identityID lastName firstName'),
      ...cols('Contact', 'personID email'),
    ],
  },
  keyPrefix: 'Person',
  keyColumns: ['person_id'],
  fields: {
    staff_id: { column: 'staff_id', label: 'Person.staffNumber' },
    state_staff_id: { column: 'state_staff_id', label: 'Person.staffStateID' },
    last_name: { column: 'last_name', label: 'Identity.lastName' },
    first_name: { column: 'first_name', label: 'Identity.firstName' },
    email: { column: 'email', label: 'Contact.email' },
  },
};

/** The teacher of record of each active-trial section (Section.teacherPersonID); co-teachers are not read yet. */
const sectionStaff: EntityExtractSpec = {
  entity: 'section_staff',
  nativeTables: ['Section', 'Trial', 'Course', 'Calendar', 'School', 'Person'],
  query: {
    sql: `SELECT s.sectionID AS internal_id, ${SECTION_ID} AS section_id, sc.number AS school_id, tp.staffNumber AS staff_id
FROM Section s
${ACTIVE_TRIAL}
JOIN Course co ON co.courseID = s.courseID
JOIN Calendar c ON c.calendarID = co.calendarID
JOIN School sc ON sc.schoolID = c.schoolID
JOIN Person tp ON tp.personID = s.teacherPersonID
WHERE ${IN_YEAR_CALENDAR}
ORDER BY sc.number, s.number`,
  },
  native: {
    required: [
      ...cols('Section', 'sectionID number courseID teacherPersonID trialID'),
      ...cols('Trial', 'trialID active'),
      ...cols('Course', 'courseID calendarID'),
      ...cols('Calendar', 'calendarID schoolID endYear summerSchool'),
      ...cols('School', 'schoolID number'),
      ...cols('Person', 'personID staffNumber'),
    ],
  },
  keyPrefix: 'Section',
  keyColumns: ['internal_id'],
  fields: {
    section_id: { column: 'section_id', label: 'School.number+Section.number' },
    school_id: { column: 'school_id', label: 'School.number' },
    staff_id: { column: 'staff_id', label: 'Section.teacherPersonID' },
    role: { value: 'teacher' },
  },
};

/** Grade names as calendars define them; both zero-padded and bare numbers are common. */
export const INFINITE_CAMPUS_GRADE_MAP: Record<string, string> = {
  IT: 'IT',
  PR: 'PR',
  PS: 'PR',
  PK: 'PK',
  TK: 'TK',
  KG: 'KG',
  K: 'KG',
  ...Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => {
      const g = String(i + 1).padStart(2, '0');
      return [
        [g, g],
        [String(i + 1), g],
      ];
    }).flat(),
  ),
  '13': '13',
  UG: 'UG',
  AD: 'AD',
  // GradeLevel.stateGrade in Texas (C050): EE = early education.
  EE: 'PR',
};

export const infiniteCampusConnector: ConnectorDefinition = {
  kind: 'infinite_campus',
  title: 'Infinite Campus',
  vendor: 'Infinite Campus',
  dialect: 'mssql',
  transports: ['direct', 'agent'],
  schoolYear: {
    mode: 'column',
    description:
      'Calendar.endYear = start year + 1 (2027 for 2026-27); every enrollment, section and roster hangs off a calendar.',
  },
  defaultCodeMaps: {
    grade_level: INFINITE_CAMPUS_GRADE_MAP,
    sex: { F: 'F', M: 'M', X: 'X', N: 'X', U: 'U' },
    entry_code: Object.fromEntries(CALPADS_ENTRY_CODES.map((c) => [c, c])),
    exit_code: Object.fromEntries(CALPADS_EXIT_CODES.map((c) => [c, c])),
    program_code: Object.fromEntries(CA_PROGRAM_CODES.map((c) => [c, c])),
    // Derived codes of the enrollment query.
    enrollment_status: { A: 'active', F: 'pre_registered', E: 'inactive', NS: 'no_show' },
  },
  // Texas districts report PEIMS codes (leaver reasons C162: 01, 24, 88, 90, 98 …; local mover codes), not
  // CALPADS ones: their entry, exit and program codes are the canonical codes unchanged.
  stateCodeMaps: { TX: { entry_code: {}, exit_code: {}, program_code: {} } },
  entities: [school, student, enrollment, program, section, studentSection, staff, sectionStaff],
};
