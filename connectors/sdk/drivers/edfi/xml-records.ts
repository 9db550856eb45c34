import {
  edfiSchoolYear,
  PROGRAM_ASSOCIATIONS,
  type CourseOfferingRecord,
  type CourseRecord,
  type EdfiRecordKind,
  type EdfiRecords,
  type Located,
  type SchoolRecord,
  type SectionRecord,
  type SectionRef,
  type StaffRecord,
  type StaffSectionRecord,
  type StudentEdOrgRecord,
  type StudentProgramRecord,
  type StudentRecord,
  type StudentSchoolRecord,
  type StudentSectionRecord,
} from 'connectors/sdk/drivers/edfi/edfi-records';
import {
  childrenNamed,
  findDeep,
  nodeAt,
  textAt,
  type XmlNode,
  type XmlRecord,
} from 'connectors/sdk/drivers/edfi/interchange-reader';

/** Which interchange (root element) holds each record kind, and the record's element name(s) in it. */
export const XML_SOURCES: Record<EdfiRecordKind, { interchange: string; elements: readonly string[] }> = {
  schools: { interchange: 'InterchangeEducationOrganization', elements: ['School'] },
  courses: { interchange: 'InterchangeEducationOrganization', elements: ['Course'] },
  students: { interchange: 'InterchangeStudent', elements: ['Student'] },
  studentEdOrgs: {
    interchange: 'InterchangeStudentEnrollment',
    elements: ['StudentEducationOrganizationAssociation'],
  },
  studentSchools: { interchange: 'InterchangeStudentEnrollment', elements: ['StudentSchoolAssociation'] },
  studentSections: { interchange: 'InterchangeStudentEnrollment', elements: ['StudentSectionAssociation'] },
  studentPrograms: { interchange: 'InterchangeStudentProgram', elements: PROGRAM_ASSOCIATIONS },
  sections: { interchange: 'InterchangeMasterSchedule', elements: ['Section'] },
  courseOfferings: { interchange: 'InterchangeMasterSchedule', elements: ['CourseOffering'] },
  staffSections: { interchange: 'InterchangeStaffAssociation', elements: ['StaffSectionAssociation'] },
  staff: { interchange: 'InterchangeStaffAssociation', elements: ['Staff'] },
};

/**
 * A descriptor value: the URI text of DS 3+ (`uri://ed-fi.org/GradeLevelDescriptor#Fifth grade`), or the
 * older `<CodeValue>`/`<Namespace>` pair, joined into the same URI.
 */
function descriptor(node: XmlNode | undefined): string | null {
  if (!node) return null;
  const code = textAt(node, 'CodeValue');
  if (code) {
    const ns = textAt(node, 'Namespace');
    return ns ? `${ns}#${code}` : code;
  }
  return node.text || null;
}

const descriptorAt = (node: XmlNode, path: string): string | null => descriptor(nodeAt(node, path));

/** A school id inside any `…Reference/SchoolIdentity` (or `SchoolId` directly). */
function schoolIdIn(ref: XmlNode | undefined): string | null {
  return textAt(ref, 'SchoolIdentity/SchoolId') ?? textAt(ref, 'SchoolId');
}

function edOrgIdIn(ref: XmlNode | undefined): string | null {
  if (!ref) return null;
  return (
    textAt(ref, 'EducationOrganizationIdentity/EducationOrganizationId') ??
    textAt(ref, 'EducationOrganizationId') ??
    schoolIdIn(ref) ??
    textAt(ref, 'LocalEducationAgencyIdentity/LocalEducationAgencyId')
  );
}

function located(rec: XmlRecord): Located {
  return { origin: `${rec.file}:${rec.node.line}`, problems: [...rec.errors] };
}

function requireValue(loc: Located, rec: XmlRecord, value: string | null, what: string): string | null {
  if (value === null) loc.problems.push(`${rec.file}:${rec.node.line}: ${rec.node.name} has no ${what}`);
  return value;
}

function sectionRefOf(ref: XmlNode | undefined): SectionRef {
  const id = nodeAt(ref, 'SectionIdentity') ?? ref;
  const offering = nodeAt(id, 'CourseOfferingReference/CourseOfferingIdentity');
  const session = nodeAt(offering, 'SessionReference/SessionIdentity');
  return {
    sectionIdentifier: textAt(id, 'SectionIdentifier') ?? textAt(id, 'UniqueSectionCode'),
    localCourseCode: textAt(offering, 'LocalCourseCode'),
    schoolId:
      schoolIdIn(nodeAt(offering, 'SchoolReference')) ?? schoolIdIn(nodeAt(session, 'SchoolReference')),
    schoolYear: edfiSchoolYear(textAt(session, 'SchoolYear')),
    sessionName: textAt(session, 'SessionName'),
  };
}

function identificationCode(node: XmlNode, element: string, system: string, accept: RegExp): string | null {
  for (const c of childrenNamed(node, element)) {
    const sys = descriptorAt(c, system);
    if (sys && accept.test(sys)) return textAt(c, 'IdentificationCode');
  }
  return null;
}

/** xs:boolean (`1`/`0`/`true`/`false`) as `true`/`false`, the JSON spelling, so both transports agree. */
function xmlBool(v: string | null): string | null {
  if (v === '1' || v === 'true') return 'true';
  if (v === '0' || v === 'false') return 'false';
  return v;
}

type Converter<K extends EdfiRecordKind> = (rec: XmlRecord) => EdfiRecords[K];

const school: Converter<'schools'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  return {
    ...loc,
    schoolId: requireValue(loc, rec, textAt(n, 'SchoolId'), 'SchoolId'),
    stateSchoolId: identificationCode(
      n,
      'EducationOrganizationIdentificationCode',
      'EducationOrganizationIdentificationSystem',
      /#(SEA|State)$/i,
    ),
    name: textAt(n, 'NameOfInstitution'),
    gradeLevels: childrenNamed(n, 'GradeLevel')
      .map((g) => descriptor(nodeAt(g, 'GradeLevelDescriptor') ?? g))
      .filter((g): g is string => g !== null),
    operationalStatus: descriptorAt(n, 'OperationalStatus'),
  } satisfies SchoolRecord;
};

const student: Converter<'students'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  return {
    ...loc,
    studentUniqueId: requireValue(loc, rec, textAt(n, 'StudentUniqueId'), 'StudentUniqueId'),
    firstName: textAt(n, 'Name/FirstName'),
    middleName: textAt(n, 'Name/MiddleName'),
    lastSurname: textAt(n, 'Name/LastSurname'),
    birthDate: textAt(n, 'BirthData/BirthDate'),
    birthSex: descriptorAt(n, 'BirthData/BirthSex') ?? descriptorAt(n, 'BirthSex'),
  } satisfies StudentRecord;
};

const studentEdOrg: Converter<'studentEdOrgs'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  const home = childrenNamed(n, 'Language').find((l) =>
    childrenNamed(l, 'LanguageUse').some((u) => /#Home language$/i.test(descriptor(u) ?? '')),
  );
  return {
    ...loc,
    studentUniqueId: requireValue(
      loc,
      rec,
      textAt(n, 'StudentReference/StudentIdentity/StudentUniqueId'),
      'StudentUniqueId',
    ),
    educationOrganizationId: edOrgIdIn(nodeAt(n, 'EducationOrganizationReference')),
    sex: descriptorAt(n, 'Sex'),
    hispanic: xmlBool(textAt(n, 'HispanicLatinoEthnicity')),
    races: childrenNamed(n, 'Race')
      .map((r) => descriptor(nodeAt(r, 'RaceDescriptor') ?? r))
      .filter((r): r is string => r !== null),
    limitedEnglishProficiency: descriptorAt(n, 'LimitedEnglishProficiency'),
    homeLanguage: home ? descriptorAt(home, 'Language') : null,
    stateStudentId: identificationCode(
      n,
      'StudentIdentificationCode',
      'StudentIdentificationSystem',
      /#State$/i,
    ),
    uniqueStudentId: identificationCode(
      n,
      'StudentIdentificationCode',
      'StudentIdentificationSystem',
      /#(TX-UniqueStudentID|Unique)$/i,
    ),
    emergentBilingual: descriptor(findDeep(n, 'EmergentBilingualIndicator')),
  } satisfies StudentEdOrgRecord;
};

const studentSchool: Converter<'studentSchools'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  return {
    ...loc,
    studentUniqueId: requireValue(
      loc,
      rec,
      textAt(n, 'StudentReference/StudentIdentity/StudentUniqueId'),
      'StudentUniqueId',
    ),
    schoolId: requireValue(loc, rec, schoolIdIn(nodeAt(n, 'SchoolReference')), 'SchoolId'),
    schoolYear:
      edfiSchoolYear(textAt(n, 'SchoolYear')) ??
      edfiSchoolYear(textAt(n, 'CalendarReference/CalendarIdentity/SchoolYear')),
    entryDate: requireValue(loc, rec, textAt(n, 'EntryDate'), 'EntryDate'),
    entryGradeLevel: descriptorAt(n, 'EntryGradeLevel'),
    entryType: descriptorAt(n, 'EntryType'),
    exitWithdrawDate: textAt(n, 'ExitWithdrawDate'),
    exitWithdrawType: descriptorAt(n, 'ExitWithdrawType'),
    leaverReason: descriptor(findDeep(n, 'LeaverReason')),
    enrollmentType: descriptorAt(n, 'EnrollmentType'),
  } satisfies StudentSchoolRecord;
};

const studentProgram: Converter<'studentPrograms'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  const program = nodeAt(n, 'ProgramReference/ProgramIdentity');
  return {
    ...loc,
    association: n.name,
    studentUniqueId: requireValue(
      loc,
      rec,
      textAt(n, 'StudentReference/StudentIdentity/StudentUniqueId'),
      'StudentUniqueId',
    ),
    educationOrganizationId: edOrgIdIn(nodeAt(n, 'EducationOrganizationReference')),
    programEducationOrganizationId: edOrgIdIn(nodeAt(program, 'EducationOrganizationReference')),
    programName: textAt(program, 'ProgramName'),
    programType: descriptorAt(program ?? n, 'ProgramType'),
    beginDate: textAt(n, 'BeginDate'),
    endDate: textAt(n, 'EndDate'),
  } satisfies StudentProgramRecord;
};

const section: Converter<'sections'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  // A Section carries SectionIdentifier beside its CourseOfferingReference, like a SectionIdentity.
  const ref = sectionRefOf(n);
  requireValue(loc, rec, ref.sectionIdentifier, 'SectionIdentifier');
  return {
    ...loc,
    section: ref,
    courseSequenceCode: descriptor(findDeep(n, 'CourseSequenceCode')),
  } satisfies SectionRecord;
};

const courseOffering: Converter<'courseOfferings'> = (rec) => {
  const n = rec.node;
  const session = nodeAt(n, 'SessionReference/SessionIdentity');
  const course = nodeAt(n, 'CourseReference/CourseIdentity');
  return {
    ...located(rec),
    localCourseCode: textAt(n, 'LocalCourseCode'),
    schoolId: schoolIdIn(nodeAt(n, 'SchoolReference')) ?? schoolIdIn(nodeAt(session, 'SchoolReference')),
    schoolYear: edfiSchoolYear(textAt(session, 'SchoolYear')),
    sessionName: textAt(session, 'SessionName'),
    localCourseTitle: textAt(n, 'LocalCourseTitle'),
    courseCode: textAt(course, 'CourseCode'),
    courseEducationOrganizationId: edOrgIdIn(nodeAt(course, 'EducationOrganizationReference')),
  } satisfies CourseOfferingRecord;
};

const course: Converter<'courses'> = (rec) => {
  const n = rec.node;
  return {
    ...located(rec),
    courseCode: textAt(n, 'CourseCode'),
    educationOrganizationId: edOrgIdIn(nodeAt(n, 'EducationOrganizationReference')),
    courseTitle: textAt(n, 'CourseTitle'),
    stateCourseCode: identificationCode(
      n,
      'CourseIdentificationCode',
      'CourseIdentificationSystem',
      /#State course code$/i,
    ),
  } satisfies CourseRecord;
};

const staffSection: Converter<'staffSections'> = (rec) => {
  const n = rec.node;
  return {
    ...located(rec),
    staffUniqueId: textAt(n, 'StaffReference/StaffIdentity/StaffUniqueId'),
    section: sectionRefOf(nodeAt(n, 'SectionReference')),
    classroomPosition: descriptorAt(n, 'ClassroomPosition'),
    beginDate: textAt(n, 'BeginDate'),
    endDate: textAt(n, 'EndDate'),
  } satisfies StaffSectionRecord;
};

const studentSection: Converter<'studentSections'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  const ref = sectionRefOf(nodeAt(n, 'SectionReference'));
  requireValue(loc, rec, ref.sectionIdentifier, 'SectionIdentifier');
  return {
    ...loc,
    studentUniqueId: requireValue(
      loc,
      rec,
      textAt(n, 'StudentReference/StudentIdentity/StudentUniqueId'),
      'StudentUniqueId',
    ),
    section: ref,
    beginDate: textAt(n, 'BeginDate'),
    endDate: textAt(n, 'EndDate'),
  } satisfies StudentSectionRecord;
};

const staff: Converter<'staff'> = (rec) => {
  const n = rec.node;
  const loc = located(rec);
  const mails = childrenNamed(n, 'ElectronicMail');
  const work = mails.find((m) => /#Work$/i.test(descriptorAt(m, 'ElectronicMailType') ?? '')) ?? mails[0];
  return {
    ...loc,
    staffUniqueId: requireValue(loc, rec, textAt(n, 'StaffUniqueId'), 'StaffUniqueId'),
    stateStaffId: identificationCode(n, 'StaffIdentificationCode', 'StaffIdentificationSystem', /#State$/i),
    firstName: textAt(n, 'Name/FirstName'),
    lastSurname: textAt(n, 'Name/LastSurname'),
    email: textAt(work, 'ElectronicMailAddress'),
  } satisfies StaffRecord;
};

export const XML_CONVERTERS: { [K in EdfiRecordKind]: Converter<K> } = {
  schools: school,
  students: student,
  studentEdOrgs: studentEdOrg,
  studentSchools: studentSchool,
  studentPrograms: studentProgram,
  sections: section,
  courseOfferings: courseOffering,
  courses: course,
  staffSections: staffSection,
  studentSections: studentSection,
  staff,
};
