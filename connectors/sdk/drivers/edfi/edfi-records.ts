/**
 * The Ed-Fi records the connector reads, in one typed form for both transports: the XML interchange reader
 * and the ODS/API reader each turn their own shape (elements with `…Identity` wrappers and `ref`s; JSON with
 * flattened references and integer school years) into these, and `EdfiRowAssembler` builds native rows from
 * them. `origin` locates the record (`Student.xml:123` or `students offset 500`); `problems` are its
 * located defects (malformed XML, a missing key), reported on the row instead of stopping the extraction.
 */
export interface Located {
  origin: string;
  problems: string[];
}

export interface SectionRef {
  sectionIdentifier: string | null;
  localCourseCode: string | null;
  schoolId: string | null;
  /** Ed-Fi school year: the END year (2022 for 2021-2022), as the API carries it. */
  schoolYear: number | null;
  sessionName: string | null;
}

export interface SchoolRecord extends Located {
  schoolId: string | null;
  stateSchoolId: string | null;
  name: string | null;
  gradeLevels: string[];
  operationalStatus: string | null;
}

export interface StudentRecord extends Located {
  studentUniqueId: string | null;
  firstName: string | null;
  middleName: string | null;
  lastSurname: string | null;
  birthDate: string | null;
  birthSex: string | null;
}

/** StudentEducationOrganizationAssociation: where Ed-Fi keeps demographics (sex, ethnicity, race, EL). */
export interface StudentEdOrgRecord extends Located {
  studentUniqueId: string | null;
  educationOrganizationId: string | null;
  sex: string | null;
  hispanic: string | null;
  races: string[];
  limitedEnglishProficiency: string | null;
  homeLanguage: string | null;
  /** StudentIdentificationCode of the `State` system (Texas: STUDENT-ID, E0001). */
  stateStudentId: string | null;
  /** StudentIdentificationCode of TEA's unique-id system (TX Unique Student ID, E1523). */
  uniqueStudentId: string | null;
  /** TEA extension: emergent-bilingual indicator (TSDS C061), when the ODS carries the TX extension. */
  emergentBilingual: string | null;
}

export interface StudentSchoolRecord extends Located {
  studentUniqueId: string | null;
  schoolId: string | null;
  schoolYear: number | null;
  entryDate: string | null;
  entryGradeLevel: string | null;
  entryType: string | null;
  exitWithdrawDate: string | null;
  exitWithdrawType: string | null;
  /** TEA extension: PEIMS leaver reason (C162), when the ODS carries the TX extension. */
  leaverReason: string | null;
  enrollmentType: string | null;
}

export interface StudentProgramRecord extends Located {
  /** The association's type: StudentProgramAssociation or one of its subtypes (special education …). */
  association: string;
  studentUniqueId: string | null;
  educationOrganizationId: string | null;
  programEducationOrganizationId: string | null;
  programName: string | null;
  programType: string | null;
  beginDate: string | null;
  endDate: string | null;
}

export interface SectionRecord extends Located {
  section: SectionRef;
  /** TEA extension: COURSE-SEQUENCE-CODE (C134). */
  courseSequenceCode: string | null;
}

export interface CourseOfferingRecord extends Located {
  localCourseCode: string | null;
  schoolId: string | null;
  schoolYear: number | null;
  sessionName: string | null;
  localCourseTitle: string | null;
  courseCode: string | null;
  courseEducationOrganizationId: string | null;
}

export interface CourseRecord extends Located {
  courseCode: string | null;
  educationOrganizationId: string | null;
  courseTitle: string | null;
  stateCourseCode: string | null;
}

export interface StaffSectionRecord extends Located {
  staffUniqueId: string | null;
  section: SectionRef;
  classroomPosition: string | null;
  beginDate: string | null;
  endDate: string | null;
}

export interface StudentSectionRecord extends Located {
  studentUniqueId: string | null;
  section: SectionRef;
  beginDate: string | null;
  endDate: string | null;
}

export interface StaffRecord extends Located {
  staffUniqueId: string | null;
  stateStaffId: string | null;
  firstName: string | null;
  lastSurname: string | null;
  email: string | null;
}

export interface EdfiRecords {
  schools: SchoolRecord;
  students: StudentRecord;
  studentEdOrgs: StudentEdOrgRecord;
  studentSchools: StudentSchoolRecord;
  studentPrograms: StudentProgramRecord;
  sections: SectionRecord;
  courseOfferings: CourseOfferingRecord;
  courses: CourseRecord;
  staffSections: StaffSectionRecord;
  studentSections: StudentSectionRecord;
  staff: StaffRecord;
}
export type EdfiRecordKind = keyof EdfiRecords;

/** Where records come from: an ODS/API or a folder of XML interchange files. Batches, never a whole district. */
export interface EdfiReader {
  read<K extends EdfiRecordKind>(kind: K): AsyncIterable<Array<EdfiRecords[K]>>;
}

/**
 * The program association types read as canonical programs: the base association and every subtype the
 * Grand Bend sample carries (special education, language instruction, homeless …). XML element name;
 * the ODS/API resource is the same name in camelCase plural.
 */
export const PROGRAM_ASSOCIATIONS = [
  'StudentProgramAssociation',
  'StudentSpecialEducationProgramAssociation',
  'StudentCTEProgramAssociation',
  'StudentTitleIPartAProgramAssociation',
  'StudentMigrantEducationProgramAssociation',
  'StudentLanguageInstructionProgramAssociation',
  'StudentHomelessProgramAssociation',
  'StudentNeglectedOrDelinquentProgramAssociation',
  'StudentSchoolFoodServiceProgramAssociation',
  'StudentSection504ProgramAssociation',
] as const;

/** `StudentCTEProgramAssociation` → `studentCTEProgramAssociations` (the ODS/API resource name). */
export function resourceOf(elementName: string): string {
  return `${elementName.charAt(0).toLowerCase()}${elementName.slice(1)}s`;
}

/** `2021-2022` (XML) or `2022` (API) → 2022, the Ed-Fi school year (its end year); null when unreadable. */
export function edfiSchoolYear(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  const t = value.trim();
  const span = /^(\d{4})\s*-\s*(\d{4})$/.exec(t);
  if (span) return Number(span[2]);
  return /^\d{4}$/.test(t) ? Number(t) : null;
}

/** The CodeValue of a descriptor URI (`uri://ed-fi.org/SexDescriptor#Female` → `Female`); plain codes unchanged. */
export function codeValue(descriptor: string | null): string | null {
  if (descriptor === null) return null;
  const i = descriptor.lastIndexOf('#');
  return i < 0 ? descriptor : descriptor.slice(i + 1);
}

/** The natural key of a section, as the canonical section id (section identifiers repeat across offerings). */
export function sectionKey(ref: SectionRef): string | null {
  if (!ref.sectionIdentifier) return null;
  return [ref.schoolId, ref.schoolYear, ref.sessionName, ref.localCourseCode, ref.sectionIdentifier]
    .map((p) => (p === null ? '' : String(p)))
    .join('|');
}

/** Course offering key (local course code, school, year, session). */
export function offeringKey(
  localCourseCode: string | null,
  schoolId: string | null,
  schoolYear: number | null,
  sessionName: string | null,
): string {
  return [localCourseCode, schoolId, schoolYear, sessionName].map((p) => String(p ?? '')).join('|');
}
