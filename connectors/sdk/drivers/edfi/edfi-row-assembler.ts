import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { NativeRow } from 'connectors/sdk/connector.types';
import {
  codeValue,
  offeringKey,
  sectionKey,
  type EdfiReader,
  type EdfiRecordKind,
  type EdfiRecords,
  type Located,
  type StaffRecord,
  type StudentEdOrgRecord,
  type StudentProgramRecord,
  type StudentRecord,
  type StudentSchoolRecord,
  type StudentSectionRecord,
} from 'connectors/sdk/drivers/edfi/edfi-records';

/** Record kinds that alone make a canonical entity's rows (enrollment, program, student section, staff). */
export type SingleResourceKind = 'studentSchools' | 'studentPrograms' | 'studentSections' | 'staff';

/** Races are pivoted into this many columns (Ed-Fi defines nine race descriptors). */
export const RACE_COLUMNS = Array.from({ length: 9 }, (_, i) => `race${i + 1}`);

/** Native column holding a record's located defects (`Student.xml:12: …`); the connector's refine reports them. */
export const PROBLEMS_COLUMN = '_problems';

/** Grade CodeValues in school order, Ed-Fi's and TEA's (PEIMS C050) spellings side by side. */
const GRADE_ORDER: string[][] = [
  ['Infant/toddler'],
  ['Preschool', 'Early Education', 'EE'],
  ['Prekindergarten', 'Preschool/Prekindergarten', 'PK'],
  ['Transitional Kindergarten', 'TK'],
  ['Kindergarten', 'KG'],
  ...[
    'First',
    'Second',
    'Third',
    'Fourth',
    'Fifth',
    'Sixth',
    'Seventh',
    'Eighth',
    'Ninth',
    'Tenth',
    'Eleventh',
    'Twelfth',
  ].map((g, i) => [`${g} grade`, String(i + 1).padStart(2, '0')]),
  ['Grade 13'],
];
const GRADE_RANK = new Map<string, number>(
  GRADE_ORDER.flatMap((codes, rank) => codes.map((c) => [c.toLowerCase(), rank] as [string, number])),
);
const rankOf = (descriptor: string): number | undefined =>
  GRADE_RANK.get((codeValue(descriptor) ?? '').toLowerCase());

/** Lowest and highest grade a school offers (ungraded and unknown descriptors only when nothing else is). */
function gradeSpan(grades: string[]): [string | null, string | null] {
  if (grades.length === 0) return [null, null];
  const ranked = grades.filter((g) => rankOf(g) !== undefined);
  if (ranked.length === 0) return [grades[0], grades[grades.length - 1]];
  ranked.sort((a, b) => (rankOf(a) ?? 0) - (rankOf(b) ?? 0));
  return [ranked[0], ranked[ranked.length - 1]];
}

/** Ed-Fi school year (end year) → canonical school year (start year); else the July–June year of a date. */
function canonicalYear(edfiYear: number | null, date: string | null): number | null {
  if (edfiYear !== null) return edfiYear - 1;
  const m = date ? /^(\d{4})-(\d{2})/.exec(date) : null;
  if (!m) return null;
  return Number(m[2]) >= 7 ? Number(m[1]) : Number(m[1]) - 1;
}

function problems(rec: Located): string | null {
  return rec.problems.length ? rec.problems.join('; ') : null;
}

export interface Demographics {
  sex: string | null;
  hispanic: string | null;
  races: string[];
  el: string | null;
  homeLanguage: string | null;
  stateStudentId: string | null;
  uniqueStudentId: string | null;
}

/**
 * Builds the native rows of each canonical entity from Ed-Fi records, identically for both transports.
 * Joins that Ed-Fi spreads over resources are done through small keyed indexes read first (demographics per
 * student from StudentEducationOrganizationAssociation, course offerings and courses, teachers of record per
 * section); the entity's own records stream through in batches.
 */
export class EdfiRowAssembler {
  constructor(
    private readonly reader: EdfiReader,
    private readonly asOf: string,
    private readonly batchSize = 2_000,
  ) {}

  rows(entity: CanonicalEntity): AsyncIterable<NativeRow[]> {
    switch (entity) {
      case 'school':
        return this.map('schools', (r) => {
          const [low, high] = gradeSpan(r.gradeLevels);
          const status = codeValue(r.operationalStatus);
          return {
            schoolid: r.schoolId,
            stateschoolid: r.stateSchoolId,
            nameofinstitution: r.name,
            lowgrade: low,
            highgrade: high,
            operationalstatus: r.operationalStatus,
            active: status === null ? null : String(!/^(Closed|Inactive|Future)$/i.test(status)),
            [PROBLEMS_COLUMN]: problems(r),
          };
        });
      case 'student':
        return this.students();
      case 'enrollment':
        return this.map('studentSchools', (r) => this.row('studentSchools', r));
      case 'program':
        return this.map('studentPrograms', (r) => this.row('studentPrograms', r));
      case 'section':
        return this.sections();
      case 'student_section':
        return this.map('studentSections', (r) => this.row('studentSections', r));
      case 'section_staff':
        return this.map('staffSections', (r) => ({
          sectionid: sectionKey(r.section),
          schoolid: r.section.schoolId,
          staffuniqueid: r.staffUniqueId,
          role: staffRole(r.classroomPosition),
          classroomposition: r.classroomPosition,
          begindate: r.beginDate,
          enddate: r.endDate,
          [PROBLEMS_COLUMN]: problems(r),
        }));
      case 'staff':
        return this.map('staff', (r) => this.row('staff', r));
    }
  }

  /**
   * The native row of a record of a kind that is a canonical entity's only resource (enrollment, program,
   * student section, staff); incremental reads build changed and deleted records' rows with it.
   */
  row<K extends SingleResourceKind>(kind: K, rec: EdfiRecords[K]): NativeRow {
    switch (kind) {
      case 'studentSchools': {
        const r = rec as StudentSchoolRecord;
        return {
          studentuniqueid: r.studentUniqueId,
          schoolid: r.schoolId,
          entrydate: r.entryDate,
          schoolyear: canonicalYear(r.schoolYear, r.entryDate),
          exitwithdrawdate: r.exitWithdrawDate,
          entrygradelevel: r.entryGradeLevel,
          entrytype: r.entryType,
          exitcode: r.leaverReason ?? r.exitWithdrawType,
          status: this.status(r.entryDate, r.exitWithdrawDate, r.exitWithdrawType),
          [PROBLEMS_COLUMN]: problems(r),
        };
      }
      case 'studentPrograms': {
        const r = rec as StudentProgramRecord;
        return {
          association: r.association,
          studentuniqueid: r.studentUniqueId,
          educationorganizationid: r.educationOrganizationId,
          programeducationorganizationid: r.programEducationOrganizationId,
          programname: r.programName,
          programtype: r.programType,
          begindate: r.beginDate,
          enddate: r.endDate,
          [PROBLEMS_COLUMN]: problems(r),
        };
      }
      case 'studentSections': {
        const r = rec as StudentSectionRecord;
        return {
          studentuniqueid: r.studentUniqueId,
          sectionid: sectionKey(r.section),
          schoolid: r.section.schoolId,
          begindate: r.beginDate,
          enddate: r.endDate,
          [PROBLEMS_COLUMN]: problems(r),
        };
      }
      case 'staff': {
        const r = rec as StaffRecord;
        return {
          staffuniqueid: r.staffUniqueId,
          statestaffid: r.stateStaffId,
          firstname: r.firstName,
          lastsurname: r.lastSurname,
          email: r.email,
          [PROBLEMS_COLUMN]: problems(r),
        };
      }
    }
  }

  /** Canonical status from dates: exited before the as-of date → inactive (or graduated / no show). */
  private status(entry: string | null, exit: string | null, exitType: string | null): string {
    const type = codeValue(exitType);
    if (exit && exit < this.asOf) {
      if (type && /^Graduated$/i.test(type)) return 'graduated';
      if (type && /^No show$/i.test(type)) return 'no_show';
      return 'inactive';
    }
    if (entry && entry > this.asOf) return 'pre_registered';
    return 'active';
  }

  private async *map<K extends EdfiRecordKind>(
    kind: K,
    fn: (r: EdfiRecords[K]) => NativeRow,
  ): AsyncGenerator<NativeRow[]> {
    let out: NativeRow[] = [];
    for await (const batch of this.reader.read(kind)) {
      for (const r of batch) {
        out.push(fn(r));
        if (out.length >= this.batchSize) {
          yield out;
          out = [];
        }
      }
    }
    if (out.length) yield out;
  }

  private async index<K extends EdfiRecordKind, V>(
    kind: K,
    key: (r: EdfiRecords[K]) => string | null,
    value: (r: EdfiRecords[K], prev: V | undefined) => V,
  ): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    for await (const batch of this.reader.read(kind)) {
      for (const r of batch) {
        const k = key(r);
        if (k !== null) out.set(k, value(r, out.get(k)));
      }
    }
    return out;
  }

  private async *students(): AsyncGenerator<NativeRow[]> {
    // Several associations per student (LEA, schools): the first value of each field wins.
    const demo = await this.index<'studentEdOrgs', Demographics>(
      'studentEdOrgs',
      (r) => r.studentUniqueId,
      (r, prev) => mergeDemographics(prev, r),
    );
    yield* this.map('students', (r) =>
      studentRow(r, r.studentUniqueId ? demo.get(r.studentUniqueId) : undefined),
    );
  }

  private async *sections(): AsyncGenerator<NativeRow[]> {
    const courses = await this.index(
      'courses',
      (r) => `${r.courseCode ?? ''}|${r.educationOrganizationId ?? ''}`,
      (r) => r,
    );
    const offerings = await this.index(
      'courseOfferings',
      (r) => offeringKey(r.localCourseCode, r.schoolId, r.schoolYear, r.sessionName),
      (r) => r,
    );
    // The teacher of record (else the first staff member) per section.
    const teachers = await this.index<'staffSections', { staff: string | null; ofRecord: boolean }>(
      'staffSections',
      (r) => sectionKey(r.section),
      (r, prev) => {
        const ofRecord = /#Teacher of Record$/i.test(r.classroomPosition ?? '');
        if (prev && (prev.ofRecord || !ofRecord)) return prev;
        return { staff: r.staffUniqueId, ofRecord };
      },
    );
    yield* this.map('sections', (r) => {
      const s = r.section;
      const offering = offerings.get(offeringKey(s.localCourseCode, s.schoolId, s.schoolYear, s.sessionName));
      const course = offering
        ? courses.get(`${offering.courseCode ?? ''}|${offering.courseEducationOrganizationId ?? ''}`)
        : undefined;
      const key = sectionKey(s);
      return {
        sectionid: key,
        sectionidentifier: s.sectionIdentifier,
        schoolid: s.schoolId,
        localcoursecode: s.localCourseCode,
        coursetitle: offering?.localCourseTitle ?? course?.courseTitle ?? null,
        statecoursecode: course?.stateCourseCode ?? null,
        teacherstaffid: key ? (teachers.get(key)?.staff ?? null) : null,
        sessionname: s.sessionName,
        coursesequencecode: codeValue(r.courseSequenceCode),
        [PROBLEMS_COLUMN]: problems(r),
      };
    });
  }
}

/** ClassroomPosition → canonical role: teacher of record, co-teacher (assistant/support), else other. */
function staffRole(position: string | null): string | null {
  const c = codeValue(position);
  if (c === null) return null;
  if (/^Teacher of Record$/i.test(c)) return 'teacher';
  if (/^(Assistant|Support) Teacher$/i.test(c)) return 'co_teacher';
  return 'other';
}

/** A student's native row: the Student record and its demographics (merged StudentEducationOrganizationAssociations). */
export function studentRow(r: StudentRecord, d: Demographics | undefined): NativeRow {
  const row: NativeRow = {
    studentuniqueid: r.studentUniqueId,
    // The state id: TEA's unique id where the ODS has one, else the `State` identification code.
    statestudentid: d?.uniqueStudentId ?? d?.stateStudentId ?? null,
    txuniqueid: d?.uniqueStudentId ?? null,
    txstudentid: d?.stateStudentId ?? null,
    firstname: r.firstName,
    middlename: r.middleName,
    lastsurname: r.lastSurname,
    birthdate: r.birthDate,
    sex: d?.sex ?? r.birthSex,
    hispanic: d?.hispanic ?? null,
    elstatus: d?.el ?? null,
    homelanguage: d?.homeLanguage ?? null,
    [PROBLEMS_COLUMN]: problems(r),
  };
  RACE_COLUMNS.forEach((c, i) => (row[c] = d?.races[i] ?? null));
  return row;
}

/** Several associations per student (LEA, schools): the first value of each field wins, in the ODS's order. */
export function mergeDemographics(prev: Demographics | undefined, r: StudentEdOrgRecord): Demographics {
  const el = r.emergentBilingual ?? r.limitedEnglishProficiency;
  const next: Demographics = {
    sex: r.sex,
    hispanic: r.hispanic,
    races: r.races.map((x) => codeValue(x) ?? x),
    el: codeValue(el),
    homeLanguage: codeValue(r.homeLanguage),
    stateStudentId: r.stateStudentId,
    uniqueStudentId: r.uniqueStudentId,
  };
  if (!prev) return next;
  return {
    sex: prev.sex ?? next.sex,
    hispanic: prev.hispanic ?? next.hispanic,
    races: prev.races.length ? prev.races : next.races,
    el: prev.el ?? next.el,
    homeLanguage: prev.homeLanguage ?? next.homeLanguage,
    stateStudentId: prev.stateStudentId ?? next.stateStudentId,
    uniqueStudentId: prev.uniqueStudentId ?? next.uniqueStudentId,
  };
}
