import { EDFI_DEFAULT_CODE_MAPS, EDFI_TX_CODE_MAPS } from 'connectors/edfi/edfi-descriptors';
import { PROBLEMS_COLUMN, RACE_COLUMNS } from 'connectors/sdk/drivers/edfi/edfi-row-assembler';
import { EDFI_QUERY_PREFIX } from 'connectors/sdk/drivers/edfi/edfi.driver';
import {
  EDFI_CHANGES_PREFIX,
  EDFI_CLOCK_QUERY,
  EDFI_INCREMENTAL,
} from 'connectors/sdk/drivers/edfi/edfi-changes';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type {
  CanonicalRow,
  ConnectorDefinition,
  EntityExtractSpec,
  NativeRow,
} from 'connectors/sdk/connector.types';

/**
 * A record's located defects (`StudentEnrollment.xml:16290: StudentSchoolAssociation has no EntryDate`,
 * malformed XML) become an extraction issue on its row; the row itself is kept.
 */
function reportProblems(_row: CanonicalRow, native: NativeRow): void {
  const p = native[PROBLEMS_COLUMN];
  if (typeof p === 'string' && p) throw new Error(p);
}

const query = (entity: CanonicalEntity): EntityExtractSpec['query'] => ({
  sql: `${EDFI_QUERY_PREFIX}${entity}`,
});

const school: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['schools'],
  query: query('school'),
  keyPrefix: 'School',
  keyColumns: ['schoolid'],
  fields: {
    school_id: { column: 'schoolid', label: 'School.SchoolId' },
    state_school_id: {
      column: 'stateschoolid',
      label: 'School.EducationOrganizationIdentificationCode (SEA)',
    },
    name: { column: 'nameofinstitution', label: 'School.NameOfInstitution' },
    low_grade: { column: 'lowgrade', codeSet: 'grade_level', label: 'School.GradeLevel' },
    high_grade: { column: 'highgrade', codeSet: 'grade_level', label: 'School.GradeLevel' },
    active: {
      column: 'active',
      bool: { true: ['true'], false: ['false'] },
      label: 'School.OperationalStatus',
    },
  },
  refine: reportProblems,
};

/** Student + its StudentEducationOrganizationAssociation: Ed-Fi keeps sex, ethnicity, race and EL there. */
const student: EntityExtractSpec = {
  entity: 'student',
  nativeTables: ['students', 'studentEducationOrganizationAssociations'],
  query: query('student'),
  keyPrefix: 'Student',
  keyColumns: ['studentuniqueid'],
  fields: {
    student_id: { column: 'studentuniqueid', label: 'Student.StudentUniqueId' },
    state_student_id: {
      column: 'statestudentid',
      label: 'StudentEducationOrganizationAssociation.StudentIdentificationCode (State)',
    },
    tx_unique_id: {
      column: 'txuniqueid',
      label: 'StudentEducationOrganizationAssociation.StudentIdentificationCode (TX-UniqueStudentID)',
    },
    tx_student_id: {
      column: 'txstudentid',
      label: 'StudentEducationOrganizationAssociation.StudentIdentificationCode (State)',
    },
    last_name: { column: 'lastsurname', label: 'Student.LastSurname' },
    first_name: { column: 'firstname', label: 'Student.FirstName' },
    middle_name: { column: 'middlename', label: 'Student.MiddleName' },
    birth_date: { column: 'birthdate', date: true, label: 'Student.BirthDate' },
    sex: { column: 'sex', codeSet: 'sex', label: 'StudentEducationOrganizationAssociation.Sex' },
    hispanic: {
      column: 'hispanic',
      bool: { true: ['true', '1'], false: ['false', '0'] },
      label: 'StudentEducationOrganizationAssociation.HispanicLatinoEthnicity',
    },
    races: { columns: RACE_COLUMNS, label: 'StudentEducationOrganizationAssociation.Race' },
    el_status: {
      column: 'elstatus',
      label: 'StudentEducationOrganizationAssociation.LimitedEnglishProficiency',
    },
    home_language: { column: 'homelanguage', label: 'StudentEducationOrganizationAssociation.Language' },
  },
  refine: reportProblems,
};

const enrollment: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['studentSchoolAssociations'],
  query: query('enrollment'),
  keyPrefix: 'StudentSchoolAssociation',
  keyColumns: ['studentuniqueid', 'schoolid', 'entrydate'],
  fields: {
    student_id: { column: 'studentuniqueid', label: 'StudentSchoolAssociation.StudentReference' },
    school_id: { column: 'schoolid', label: 'StudentSchoolAssociation.SchoolReference' },
    school_year: { column: 'schoolyear', label: 'StudentSchoolAssociation.SchoolYear' },
    entry_date: { column: 'entrydate', date: true, label: 'StudentSchoolAssociation.EntryDate' },
    exit_date: { column: 'exitwithdrawdate', date: true, label: 'StudentSchoolAssociation.ExitWithdrawDate' },
    grade_level: {
      column: 'entrygradelevel',
      codeSet: 'grade_level',
      label: 'StudentSchoolAssociation.EntryGradeLevel',
    },
    entry_code: { column: 'entrytype', codeSet: 'entry_code', label: 'StudentSchoolAssociation.EntryType' },
    exit_code: {
      column: 'exitcode',
      codeSet: 'exit_code',
      label: 'StudentSchoolAssociation.ExitWithdrawType',
    },
    status: { column: 'status', codeSet: 'enrollment_status', label: 'StudentSchoolAssociation (dates)' },
  },
  refine: reportProblems,
};

const program: EntityExtractSpec = {
  entity: 'program',
  nativeTables: ['studentProgramAssociations (and subtypes)'],
  query: query('program'),
  keyPrefix: 'StudentProgramAssociation',
  keyColumns: [
    'association',
    'studentuniqueid',
    'programeducationorganizationid',
    'programname',
    'begindate',
  ],
  fields: {
    student_id: { column: 'studentuniqueid', label: 'StudentProgramAssociation.StudentReference' },
    school_id: {
      column: 'educationorganizationid',
      label: 'StudentProgramAssociation.EducationOrganizationReference',
    },
    program_code: {
      column: 'programtype',
      codeSet: 'program_code',
      label: 'StudentProgramAssociation.ProgramReference.ProgramType',
    },
    start_date: { column: 'begindate', date: true, label: 'StudentProgramAssociation.BeginDate' },
    end_date: { column: 'enddate', date: true, label: 'StudentProgramAssociation.EndDate' },
  },
  refine: reportProblems,
};

/** Section ids are the Ed-Fi natural key (school|year|session|local course code|section identifier). */
const section: EntityExtractSpec = {
  entity: 'section',
  nativeTables: ['sections', 'courseOfferings', 'courses', 'staffSectionAssociations'],
  query: query('section'),
  keyPrefix: 'Section',
  keyColumns: ['sectionid'],
  fields: {
    section_id: { column: 'sectionid', label: 'Section (natural key)' },
    school_id: { column: 'schoolid', label: 'Section.CourseOfferingReference.SchoolId' },
    course_code: { column: 'localcoursecode', label: 'Section.CourseOfferingReference.LocalCourseCode' },
    course_title: { column: 'coursetitle', label: 'CourseOffering.LocalCourseTitle / Course.CourseTitle' },
    state_course_code: {
      column: 'statecoursecode',
      label: 'Course.CourseIdentificationCode (State course code)',
    },
    teacher_staff_id: { column: 'teacherstaffid', label: 'StaffSectionAssociation (Teacher of Record)' },
    term: { column: 'sessionname', label: 'Section.CourseOfferingReference.SessionName' },
    course_sequence_code: { column: 'coursesequencecode', label: 'Section TX extension CourseSequenceCode' },
  },
  refine: reportProblems,
};

const studentSection: EntityExtractSpec = {
  entity: 'student_section',
  nativeTables: ['studentSectionAssociations'],
  query: query('student_section'),
  keyPrefix: 'StudentSectionAssociation',
  keyColumns: ['studentuniqueid', 'sectionid', 'begindate'],
  fields: {
    student_id: { column: 'studentuniqueid', label: 'StudentSectionAssociation.StudentReference' },
    section_id: { column: 'sectionid', label: 'StudentSectionAssociation.SectionReference' },
    school_id: { column: 'schoolid', label: 'StudentSectionAssociation.SectionReference.SchoolId' },
    begin_date: { column: 'begindate', date: true, label: 'StudentSectionAssociation.BeginDate' },
    end_date: { column: 'enddate', date: true, label: 'StudentSectionAssociation.EndDate' },
  },
  refine: reportProblems,
};

const staff: EntityExtractSpec = {
  entity: 'staff',
  nativeTables: ['staffs'],
  query: query('staff'),
  keyPrefix: 'Staff',
  keyColumns: ['staffuniqueid'],
  fields: {
    staff_id: { column: 'staffuniqueid', label: 'Staff.StaffUniqueId' },
    state_staff_id: { column: 'statestaffid', label: 'Staff.StaffIdentificationCode (State)' },
    last_name: { column: 'lastsurname', label: 'Staff.LastSurname' },
    first_name: { column: 'firstname', label: 'Staff.FirstName' },
    email: { column: 'email', label: 'Staff.ElectronicMail (Work)' },
  },
  refine: reportProblems,
};

/** Every StaffSectionAssociation: teacher of record, assistant and support teachers, substitutes. */
const sectionStaff: EntityExtractSpec = {
  entity: 'section_staff',
  nativeTables: ['staffSectionAssociations'],
  query: query('section_staff'),
  keyPrefix: 'StaffSectionAssociation',
  keyColumns: ['staffuniqueid', 'sectionid', 'begindate'],
  fields: {
    section_id: { column: 'sectionid', label: 'StaffSectionAssociation.SectionReference' },
    school_id: { column: 'schoolid', label: 'StaffSectionAssociation.SectionReference.SchoolId' },
    staff_id: { column: 'staffuniqueid', label: 'StaffSectionAssociation.StaffReference' },
    role: { column: 'role', label: 'StaffSectionAssociation.ClassroomPosition' },
    begin_date: { column: 'begindate', date: true, label: 'StaffSectionAssociation.BeginDate' },
    end_date: { column: 'enddate', date: true, label: 'StaffSectionAssociation.EndDate' },
  },
  refine: reportProblems,
};

/** Entities Change Queries can update (EDFI_INCREMENTAL) get their `changes` query; the rest are read in full. */
function withChanges(spec: EntityExtractSpec): EntityExtractSpec {
  return EDFI_INCREMENTAL[spec.entity]
    ? { ...spec, changes: { sql: `${EDFI_CHANGES_PREFIX}${spec.entity}` } }
    : spec;
}

export const edfiConnector: ConnectorDefinition = {
  kind: 'edfi',
  title: 'Ed-Fi ODS',
  vendor: 'Ed-Fi Alliance (ODS/API v5–v7, XML interchange)',
  dialect: 'edfi',
  transports: ['direct', 'agent'],
  schoolYear: {
    mode: 'column',
    description:
      'StudentSchoolAssociation.SchoolYear (XML "2021-2022", API 2022: the end year) → the start year; without one, the July–June year of the entry date. An ODS is usually one year; every record is read.',
  },
  defaultCodeMaps: EDFI_DEFAULT_CODE_MAPS,
  stateCodeMaps: { TX: EDFI_TX_CODE_MAPS },
  extensionFields: {
    TX: {
      extension: 'the TEA TX extension / TEA descriptors (TSDS)',
      fields: {
        enrollment: { exit_code: 'StudentSchoolAssociation LeaverReasonDescriptor (PEIMS C162)' },
        student: {
          el_status: 'StudentEducationOrganizationAssociation EmergentBilingualIndicatorDescriptor (C061)',
          tx_unique_id: 'StudentIdentificationCode, TEA system TX-UniqueStudentID (E1523)',
          tx_student_id: 'StudentIdentificationCode, system State (E0001)',
        },
        section: { course_sequence_code: 'Section CourseSequenceCode (C134)' },
      },
    },
  },
  changeTracking: {
    clock: { sql: EDFI_CLOCK_QUERY },
    description:
      'ODS/API Change Queries: the newest change version (availableChangeVersions), pinned for the whole extraction; the next nightly run reads the records changed after it and the /deletes (and /keyChanges) of each resource. XML files and an ODS/API without Change Queries are extracted in full.',
  },
  entities: [school, student, enrollment, program, section, studentSection, staff, sectionStaff].map(
    withChanges,
  ),
};
