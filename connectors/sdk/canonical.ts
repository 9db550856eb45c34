/**
 * Canonical model v1: the entities and fields every connector maps into (the snap_* tables).
 * Rule availability is computed from the fields a connector declares it supplies.
 */
export const CANONICAL_ENTITIES = [
  'school',
  'student',
  'enrollment',
  'program',
  'section',
  'student_section',
  'staff',
  'section_staff',
] as const;
export type CanonicalEntity = (typeof CANONICAL_ENTITIES)[number];

export type CanonicalFieldType = 'text' | 'int' | 'date' | 'bool' | 'text[]';

/** Canonical fields per entity with their SQL type. `*_raw` columns hold the native value next to each code/date. */
export const CANONICAL_FIELDS: Record<CanonicalEntity, Record<string, CanonicalFieldType>> = {
  school: {
    school_id: 'text',
    state_school_id: 'text',
    name: 'text',
    low_grade: 'text',
    high_grade: 'text',
    active: 'bool',
    /** The SIS marks the school "do not report to the state" (PowerSchool SCHOOLS.State_ExcludeFromReporting, Aeries LOC.DNR); not closure. */
    state_reporting_excluded: 'bool',
    /**
     * The state's school directory's view of the school (CDE CDS / TEA AskTED, table state_school_directory),
     * matched on state_school_id when the schools are extracted: `open` | `closed`, or `missing` when the
     * directory of the district's state is loaded but does not list the code; null when none is loaded.
     * Supplied for every connector (see DIRECTORY_FIELDS).
     */
    directory_status: 'text',
    directory_low_grade: 'text',
    directory_high_grade: 'text',
    directory_type: 'text',
  },
  student: {
    student_id: 'text',
    state_student_id: 'text',
    last_name: 'text',
    first_name: 'text',
    middle_name: 'text',
    birth_date: 'date',
    sex: 'text',
    hispanic: 'bool',
    races: 'text[]',
    el_status: 'text',
    home_language: 'text',
    /** CALPADS Race Missing Indicator: the student/parent declined to state a race (all race codes null). */
    race_missing_indicator: 'bool',
    /** CALPADS Ethnicity Missing Indicator: the family declined to state Hispanic/Latino ethnicity (hispanic null). */
    ethnicity_missing_indicator: 'bool',
    /** Start date of the current English Language Acquisition Status (CALPADS SELA 12.14). */
    elas_start_date: 'date',
    /** The student is flagged not to be reported to the state (PowerSchool STUDENTS.State_ExcludeFromReporting). */
    state_reporting_excluded: 'bool',
    /** Texas STUDENT-ID (E0001): SSN or a state-assigned 'S' number, 9 characters. */
    tx_student_id: 'text',
    /** TX Unique Student ID (E1523): 10 digits, issued by the TSDS Unique ID system. */
    tx_unique_id: 'text',
  },
  enrollment: {
    student_id: 'text',
    school_id: 'text',
    school_year: 'int',
    entry_date: 'date',
    exit_date: 'date',
    grade_level: 'text',
    entry_code: 'text',
    exit_code: 'text',
    enrollment_type: 'text',
    status: 'text',
    /** The enrollment is not reported to the state (e.g. Infinite Campus Enrollment.stateExclude, PowerSchool SchoolID 999999). */
    state_reporting_excluded: 'bool',
  },
  program: {
    student_id: 'text',
    school_id: 'text',
    program_code: 'text',
    start_date: 'date',
    end_date: 'date',
  },
  section: {
    section_id: 'text',
    school_id: 'text',
    course_code: 'text',
    course_title: 'text',
    state_course_code: 'text',
    teacher_staff_id: 'text',
    term: 'text',
    /** TSDS COURSE-SEQUENCE-CODE (E0948, C134): which part of a sequenced course the section is. */
    course_sequence_code: 'text',
  },
  student_section: {
    student_id: 'text',
    section_id: 'text',
    school_id: 'text',
    begin_date: 'date',
    end_date: 'date',
  },
  staff: {
    staff_id: 'text',
    state_staff_id: 'text',
    last_name: 'text',
    first_name: 'text',
    email: 'text',
  },
  /**
   * Every staff member assigned to a section, with a role (lead teacher and co-teachers; PowerSchool
   * SECTIONTEACHER, Aeries MST.TN/T2…, Infinite Campus section staff). `role`: teacher | co_teacher | other.
   */
  section_staff: {
    section_id: 'text',
    school_id: 'text',
    staff_id: 'text',
    role: 'text',
    begin_date: 'date',
    end_date: 'date',
  },
};

/** Fields the pipeline fills from the state's school directory, whichever connector supplied the school. */
export const DIRECTORY_FIELDS: Partial<Record<CanonicalEntity, string[]>> = {
  school: ['directory_status', 'directory_low_grade', 'directory_high_grade', 'directory_type'],
};

/** Snapshot table per entity. */
export function snapshotTable(entity: CanonicalEntity): string {
  return `snap_${entity}`;
}

/**
 * Canonical code values. Grade levels use CEDS/Ed-Fi-style codes so CA and TX packs can map to their own:
 * IT, PR, PK, TK, KG, 01..12, 13, UG, AD. Sex: F, M, X (non-binary), U (unknown/not selected).
 * Enrollment type: primary | secondary | special_ed_services (special-education services only, e.g. Infinite
 * Campus serviceType N: never the primary enrollment, not reported to the state as an enrollment). Enrollment status: active | inactive | pre_registered | graduated | no_show.
 * Entry/exit and program codes are the state's codes where the state defines them (CALPADS E155, T160 …;
 * PEIMS leaver 01, 98 …), else the district's code unchanged.
 */
export const CANONICAL_GRADES = [
  'IT',
  'PR',
  'PK',
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
  '13',
  'UG',
  'AD',
] as const;
export const CANONICAL_SEX = ['F', 'M', 'X', 'U'] as const;
export const ENROLLMENT_TYPES = ['primary', 'secondary', 'special_ed_services'] as const;
/** Section staff roles: the lead teacher of record, a co-teacher (team teaching), anyone else (aide, support). */
export const SECTION_STAFF_ROLES = ['teacher', 'co_teacher', 'other'] as const;
export const ENROLLMENT_STATUSES = ['active', 'inactive', 'pre_registered', 'graduated', 'no_show'] as const;
