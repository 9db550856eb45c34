import type { EdfiApiClient, Json, JsonObject } from 'connectors/sdk/drivers/edfi/edfi-api.client';
import {
  PROGRAM_ASSOCIATIONS,
  resourceOf,
  type EdfiReader,
  type EdfiRecordKind,
  type EdfiRecords,
  type Located,
  type SectionRef,
} from 'connectors/sdk/drivers/edfi/edfi-records';

function obj(v: Json | undefined): JsonObject | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function list(v: Json | undefined): JsonObject[] {
  return Array.isArray(v) ? v.map(obj).filter((x): x is JsonObject => x !== undefined) : [];
}

/** A scalar as trimmed text (numbers as the API sends them: `255901`), null when absent or empty. */
function str(v: Json | undefined): string | null {
  if (v === null || v === undefined || typeof v === 'object') return null;
  const t = String(v).trim();
  return t ? t : null;
}

function int(v: Json | undefined): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

/** A value inside `_ext.<any extension>`, e.g. TEA's `_ext.tx.leaverReasonDescriptor`. */
function ext(o: JsonObject, field: string): string | null {
  for (const e of Object.values(obj(o._ext) ?? {})) {
    const v = str(obj(e)?.[field]);
    if (v) return v;
  }
  return null;
}

function idCode(codes: JsonObject[], systemField: string, accept: RegExp): string | null {
  const hit = codes.find((c) => accept.test(str(c[systemField]) ?? ''));
  return hit ? str(hit.identificationCode) : null;
}

function sectionRef(r: JsonObject | undefined): SectionRef {
  return {
    sectionIdentifier: str(r?.sectionIdentifier),
    localCourseCode: str(r?.localCourseCode),
    schoolId: str(r?.schoolId),
    schoolYear: int(r?.schoolYear),
    sessionName: str(r?.sessionName),
  };
}

type Converter<K extends EdfiRecordKind> = (o: JsonObject, loc: Located) => EdfiRecords[K];

function required(loc: Located, value: string | null, what: string): string | null {
  if (value === null) loc.problems.push(`${loc.origin}: no ${what}`);
  return value;
}

const studentId = (o: JsonObject): string | null => str(obj(o.studentReference)?.studentUniqueId);

/** Booleans as the XML transport spells them, so both transports keep the same raw values. */
function boolText(v: Json | undefined): string | null {
  if (typeof v === 'boolean') return String(v);
  return str(v);
}

const CONVERTERS: { [K in EdfiRecordKind]: Converter<K> } = {
  schools: (o, loc) => ({
    ...loc,
    schoolId: required(loc, str(o.schoolId), 'schoolId'),
    stateSchoolId: idCode(
      list(o.identificationCodes),
      'educationOrganizationIdentificationSystemDescriptor',
      /#(SEA|State)$/i,
    ),
    name: str(o.nameOfInstitution),
    gradeLevels: list(o.gradeLevels)
      .map((g) => str(g.gradeLevelDescriptor))
      .filter((g): g is string => g !== null),
    operationalStatus: str(o.operationalStatusDescriptor),
  }),
  students: (o, loc) => ({
    ...loc,
    studentUniqueId: required(loc, str(o.studentUniqueId), 'studentUniqueId'),
    firstName: str(o.firstName),
    middleName: str(o.middleName),
    lastSurname: str(o.lastSurname),
    birthDate: str(o.birthDate),
    birthSex: str(o.birthSexDescriptor),
  }),
  studentEdOrgs: (o, loc) => {
    const home = list(o.languages).find((l) =>
      list(l.uses).some((u) => /#Home language$/i.test(str(u.languageUseDescriptor) ?? '')),
    );
    return {
      ...loc,
      studentUniqueId: required(loc, studentId(o), 'studentReference.studentUniqueId'),
      educationOrganizationId: str(obj(o.educationOrganizationReference)?.educationOrganizationId),
      sex: str(o.sexDescriptor),
      hispanic: boolText(o.hispanicLatinoEthnicity),
      races: list(o.races)
        .map((r) => str(r.raceDescriptor))
        .filter((r): r is string => r !== null),
      limitedEnglishProficiency: str(o.limitedEnglishProficiencyDescriptor),
      homeLanguage: home ? str(home.languageDescriptor) : null,
      stateStudentId: idCode(
        list(o.studentIdentificationCodes),
        'studentIdentificationSystemDescriptor',
        /#State$/i,
      ),
      uniqueStudentId: idCode(
        list(o.studentIdentificationCodes),
        'studentIdentificationSystemDescriptor',
        /#(TX-UniqueStudentID|Unique)$/i,
      ),
      emergentBilingual: ext(o, 'emergentBilingualIndicatorDescriptor'),
    };
  },
  studentSchools: (o, loc) => ({
    ...loc,
    studentUniqueId: required(loc, studentId(o), 'studentReference.studentUniqueId'),
    schoolId: required(loc, str(obj(o.schoolReference)?.schoolId), 'schoolReference.schoolId'),
    schoolYear:
      int(obj(o.schoolYearTypeReference)?.schoolYear) ??
      int(o.schoolYear) ??
      int(obj(o.calendarReference)?.schoolYear),
    entryDate: required(loc, str(o.entryDate), 'entryDate'),
    entryGradeLevel: str(o.entryGradeLevelDescriptor),
    entryType: str(o.entryTypeDescriptor),
    exitWithdrawDate: str(o.exitWithdrawDate),
    exitWithdrawType: str(o.exitWithdrawTypeDescriptor),
    leaverReason: ext(o, 'leaverReasonDescriptor'),
    enrollmentType: str(o.enrollmentTypeDescriptor),
  }),
  studentPrograms: (o, loc) => {
    const program = obj(o.programReference);
    return {
      ...loc,
      association: str(o.__association) ?? 'StudentProgramAssociation',
      studentUniqueId: required(loc, studentId(o), 'studentReference.studentUniqueId'),
      educationOrganizationId: str(obj(o.educationOrganizationReference)?.educationOrganizationId),
      programEducationOrganizationId: str(program?.educationOrganizationId),
      programName: str(program?.programName),
      programType: str(program?.programTypeDescriptor),
      beginDate: str(o.beginDate),
      endDate: str(o.endDate),
    };
  },
  sections: (o, loc) => {
    const ref = sectionRef({
      ...(obj(o.courseOfferingReference) ?? {}),
      sectionIdentifier: o.sectionIdentifier ?? null,
    });
    required(loc, ref.sectionIdentifier, 'sectionIdentifier');
    return { ...loc, section: ref, courseSequenceCode: ext(o, 'courseSequenceCodeDescriptor') };
  },
  courseOfferings: (o, loc) => {
    const session = obj(o.sessionReference);
    const course = obj(o.courseReference);
    return {
      ...loc,
      localCourseCode: str(o.localCourseCode),
      schoolId: str(obj(o.schoolReference)?.schoolId) ?? str(session?.schoolId),
      schoolYear: int(session?.schoolYear),
      sessionName: str(session?.sessionName),
      localCourseTitle: str(o.localCourseTitle),
      courseCode: str(course?.courseCode),
      courseEducationOrganizationId: str(course?.educationOrganizationId),
    };
  },
  courses: (o, loc) => ({
    ...loc,
    courseCode: str(o.courseCode),
    educationOrganizationId: str(obj(o.educationOrganizationReference)?.educationOrganizationId),
    courseTitle: str(o.courseTitle),
    stateCourseCode: idCode(
      list(o.identificationCodes),
      'courseIdentificationSystemDescriptor',
      /#State course code$/i,
    ),
  }),
  staffSections: (o, loc) => ({
    ...loc,
    staffUniqueId: str(obj(o.staffReference)?.staffUniqueId),
    section: sectionRef(obj(o.sectionReference)),
    classroomPosition: str(o.classroomPositionDescriptor),
    beginDate: str(o.beginDate),
    endDate: str(o.endDate),
  }),
  studentSections: (o, loc) => {
    const ref = sectionRef(obj(o.sectionReference));
    required(loc, ref.sectionIdentifier, 'sectionReference.sectionIdentifier');
    return {
      ...loc,
      studentUniqueId: required(loc, studentId(o), 'studentReference.studentUniqueId'),
      section: ref,
      beginDate: str(o.beginDate),
      endDate: str(o.endDate),
    };
  },
  staff: (o, loc) => {
    const mails = list(o.electronicMails);
    const work = mails.find((m) => /#Work$/i.test(str(m.electronicMailTypeDescriptor) ?? '')) ?? mails[0];
    return {
      ...loc,
      staffUniqueId: required(loc, str(o.staffUniqueId), 'staffUniqueId'),
      stateStaffId: idCode(list(o.identificationCodes), 'staffIdentificationSystemDescriptor', /#State$/i),
      firstName: str(o.firstName),
      lastSurname: str(o.lastSurname),
      email: str(work?.electronicMailAddress),
    };
  },
};

/** ODS/API resources (under `/data/v3/`) behind each record kind. */
export const API_RESOURCES: Record<EdfiRecordKind, readonly string[]> = {
  schools: ['ed-fi/schools'],
  students: ['ed-fi/students'],
  studentEdOrgs: ['ed-fi/studentEducationOrganizationAssociations'],
  studentSchools: ['ed-fi/studentSchoolAssociations'],
  studentPrograms: PROGRAM_ASSOCIATIONS.map((a) => `ed-fi/${resourceOf(a)}`),
  sections: ['ed-fi/sections'],
  courseOfferings: ['ed-fi/courseOfferings'],
  courses: ['ed-fi/courses'],
  staffSections: ['ed-fi/staffSectionAssociations'],
  studentSections: ['ed-fi/studentSectionAssociations'],
  staff: ['ed-fi/staffs'],
};

/**
 * The natural key of a deleted record (`keyValues`, flattened as the ODS/API tracks it) back in its resource's
 * shape, so the converter and the row assembler build the identity the snapshot holds. Only the resources of
 * entities read incrementally (see edfi-changes.ts).
 */
const KEY_SHAPES: Partial<Record<EdfiRecordKind, (k: JsonObject) => JsonObject>> = {
  students: (k) => ({ studentUniqueId: k.studentUniqueId ?? null }),
  studentEdOrgs: (k) => ({
    studentReference: { studentUniqueId: k.studentUniqueId ?? null },
    educationOrganizationReference: { educationOrganizationId: k.educationOrganizationId ?? null },
  }),
  studentSchools: (k) => ({
    entryDate: k.entryDate ?? null,
    schoolReference: { schoolId: k.schoolId ?? null },
    studentReference: { studentUniqueId: k.studentUniqueId ?? null },
  }),
  studentPrograms: (k) => ({
    beginDate: k.beginDate ?? null,
    educationOrganizationReference: { educationOrganizationId: k.educationOrganizationId ?? null },
    programReference: {
      educationOrganizationId: k.programEducationOrganizationId ?? null,
      programName: k.programName ?? null,
      programTypeDescriptor: k.programTypeDescriptor ?? null,
    },
    studentReference: { studentUniqueId: k.studentUniqueId ?? null },
  }),
  studentSections: (k) => ({
    beginDate: k.beginDate ?? null,
    sectionReference: {
      localCourseCode: k.localCourseCode ?? null,
      schoolId: k.schoolId ?? null,
      schoolYear: k.schoolYear ?? null,
      sectionIdentifier: k.sectionIdentifier ?? null,
      sessionName: k.sessionName ?? null,
    },
    studentReference: { studentUniqueId: k.studentUniqueId ?? null },
  }),
  staff: (k) => ({ staffUniqueId: k.staffUniqueId ?? null }),
};

/** Records from an Ed-Fi ODS/API, page by page. */
export class EdfiApiReader implements EdfiReader {
  constructor(private readonly client: EdfiApiClient) {}

  /** Every record of the kind's resources. */
  read<K extends EdfiRecordKind>(kind: K): AsyncGenerator<Array<EdfiRecords[K]>> {
    return this.records(kind, {});
  }

  /** The records changed at or after `minChangeVersion` (Change Queries), up to the pinned version. */
  readChanged<K extends EdfiRecordKind>(
    kind: K,
    minChangeVersion: number,
  ): AsyncGenerator<Array<EdfiRecords[K]>> {
    return this.records(kind, { minChangeVersion });
  }

  /** The records whose natural key (or reference keys) equal `where` (get-by-example), at the pinned version. */
  readWhere<K extends EdfiRecordKind>(
    kind: K,
    where: Record<string, string>,
  ): AsyncGenerator<Array<EdfiRecords[K]>> {
    return this.records(kind, { where });
  }

  /**
   * The natural keys gone since `minChangeVersion`, as records holding only their key: deleted records
   * (`/deletes`) and the old keys of records whose key changed (`/keyChanges`, v5.3+; the new key is among the
   * changed records). A delete without `keyValues` (ODS/API 5.1–5.3 without the change-query enhancements) cannot be matched to a row: an error.
   */
  async *readDeleted<K extends EdfiRecordKind>(
    kind: K,
    minChangeVersion: number,
  ): AsyncGenerator<Array<EdfiRecords[K]>> {
    const shape = KEY_SHAPES[kind];
    if (!shape) throw new Error(`no key shape for Ed-Fi ${kind} deletes`);
    const convert = CONVERTERS[kind] as Converter<K>;
    for (const resource of API_RESOURCES[kind]) {
      const name = nameOf(resource);
      const association = associationOf(name);
      for (const tracked of ['deletes', 'keyChanges'] as const) {
        const field = tracked === 'deletes' ? 'keyValues' : 'oldKeyValues';
        for await (const page of this.client.tombstones(resource, tracked, minChangeVersion)) {
          yield page.map((o) => {
            const key = obj(o[field]);
            if (!key)
              throw new Error(
                `${name}/${tracked} answers without ${field} (ODS/API 5.1–5.3 without the change-query enhancements cannot say which record was deleted): extract this link in full`,
              );
            const loc: Located = { origin: `${name}/${tracked} ${str(o.id) ?? ''}`.trim(), problems: [] };
            const body = shape(key);
            return convert(association ? { ...body, __association: association } : body, loc);
          });
        }
      }
    }
  }

  private async *records<K extends EdfiRecordKind>(
    kind: K,
    q: { minChangeVersion?: number; where?: Record<string, string> },
  ): AsyncGenerator<Array<EdfiRecords[K]>> {
    const convert = CONVERTERS[kind] as Converter<K>;
    for (const resource of API_RESOURCES[kind]) {
      const name = nameOf(resource);
      const association = associationOf(name);
      let n = 0;
      for await (const page of this.client.pages(resource, q)) {
        yield page.map((o) => {
          // The resource id locates the record whichever read found it (full, change window or by key).
          const id = str(o.id);
          const loc: Located = { origin: id ? `${name} ${id}` : `${name} #${n}`, problems: [] };
          n += 1;
          return convert(association ? { ...o, __association: association } : o, loc);
        });
      }
    }
  }
}

const nameOf = (resource: string): string => resource.slice(resource.indexOf('/') + 1);
const associationOf = (name: string): string | undefined =>
  PROGRAM_ASSOCIATIONS.find((a) => resourceOf(a) === name);
