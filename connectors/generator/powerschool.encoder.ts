import { CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';
import { elasStart } from 'connectors/generator/aeries.encoder';
import { addDays } from 'connectors/generator/calendar.util';
import {
  buildStudent,
  type ModelDistrict,
  type ModelEnrollment,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import { emptyCounts, invertMap, type SisEncoder } from 'connectors/generator/encoder.types';
import type { TableSink } from 'connectors/generator/replica-writer.util';
import {
  CALPADS_ENTRY_CODES,
  POWERSCHOOL_GRADE_MAP,
  POWERSCHOOL_GRADUATED_SCHOOL,
} from 'connectors/powerschool/powerschool.connector';

const GRADE = invertMap(POWERSCHOOL_GRADE_MAP);
export const POWERSCHOOL_INVALID_GRADE = 22;
const STATUS: Record<ModelEnrollment['status'], number> = {
  pre_registered: -1,
  active: 0,
  inactive: 2,
  no_show: 2,
};
/** Enroll_Status of a student who graduated. */
const GRADUATED = 3;
const psGrade = (e: ModelEnrollment): number =>
  e.invalidGrade ? POWERSCHOOL_INVALID_GRADE : Number(GRADE[e.grade]);
const exitCode = (e: ModelEnrollment): string | null => e.rawExitCode ?? e.exitCode;
/** Programs written to S_CA_STU_CALPADSPROGRAMS_C (SPED, 504, free and reduced meals); the others to SPENROLLMENTS. */
const CALPADS_PROGRAMS_TABLE = new Set(['144', '101', '181', '182']);
/** ROLEDEF ids of the section roles. */
const LEAD_ROLE = 1;
const CO_TEACHER_ROLE = 2;
/** Model index of the student a district keeps flagged State_ExcludeFromReporting (a test student). */
const EXCLUDED_STUDENT_INDEX = 900_000;

/**
 * PowerSchool: the current enrollment (the open one, else the latest) on STUDENTS, the others in REENROLLMENTS.
 * ExitDate is written exclusive (inclusive exit + 1); a no-show has ExitDate = EntryDate; an active student
 * carries the year end + 1 as PowerSchool does. Dropped CC rows get negative SectionID/TermID. The ELAS and its
 * start date go to S_CA_STU_ELA_C (the same start date as the Aeries encoder writes in LAC, so migration pairs
 * agree); an RFEP student also carries the EL record it ended. The staff SEID is the custom field CA_SEID
 * (U_DEF_EXT_USERS) for most teachers, SIF_StatePrid for the others.
 */
export class PowerSchoolEncoder implements SisEncoder {
  readonly sis = 'powerschool' as const;
  readonly counts = emptyCounts();
  readonly tables = {
    SCHOOLS: [
      'ID',
      'DCID',
      'School_Number',
      'Name',
      'Abbreviation',
      'Low_Grade',
      'High_Grade',
      'Alternate_School_Number',
      'State_ExcludeFromReporting',
    ],
    STUDENTS: [
      'ID',
      'DCID',
      'Student_Number',
      'State_StudentNumber',
      'Last_Name',
      'First_Name',
      'Middle_Name',
      'DOB',
      'Gender',
      'Grade_Level',
      'SchoolID',
      'Enroll_Status',
      'EntryDate',
      'ExitDate',
      'EntryCode',
      'ExitCode',
      'FedEthnicity',
      'FedRaceDecline',
      'State_ExcludeFromReporting',
    ],
    REENROLLMENTS: [
      'ID',
      'DCID',
      'StudentID',
      'SchoolID',
      'EntryDate',
      'ExitDate',
      'EntryCode',
      'ExitCode',
      'Grade_Level',
      'ExitComment',
    ],
    StudentRace: ['ID', 'DCID', 'StudentID', 'RaceCD'],
    GEN: ['ID', 'DCID', 'Cat', 'Name', 'Value', 'SchoolID', 'YearID'],
    SPENROLLMENTS: [
      'ID',
      'DCID',
      'StudentID',
      'ProgramID',
      'SchoolID',
      'Enter_Date',
      'Exit_Date',
      'ExitCode',
      'GradeLevel',
    ],
    TERMS: [
      'ID',
      'DCID',
      'YearID',
      'SchoolID',
      'Name',
      'Abbreviation',
      'FirstDay',
      'LastDay',
      'IsYearRec',
      'Portion',
    ],
    COURSES: ['ID', 'DCID', 'Course_Number', 'Course_Name', 'Alt_Course_Number', 'Credit_Hours'],
    SECTIONS: [
      'ID',
      'DCID',
      'Course_Number',
      'Section_Number',
      'TermID',
      'SchoolID',
      'Teacher',
      'Expression',
      'Attendance_Type_Code',
    ],
    CC: [
      'ID',
      'DCID',
      'StudentID',
      'SectionID',
      'TermID',
      'SchoolID',
      'Course_Number',
      'Section_Number',
      'DateEnrolled',
      'DateLeft',
      'TeacherID',
    ],
    TEACHERS: [
      'ID',
      'DCID',
      'Users_DCID',
      'SchoolID',
      'TeacherNumber',
      'Last_Name',
      'First_Name',
      'Email_Addr',
      'SIF_StatePrid',
      'Status',
    ],
    U_DEF_EXT_USERS: ['UsersDCID', 'CA_SEID'],
    ROLEDEF: ['ID', 'DCID', 'Name', 'RoleCategory'],
    SECTIONTEACHER: [
      'ID',
      'DCID',
      'SectionID',
      'TeacherID',
      'RoleID',
      'Start_Date',
      'End_Date',
      'Allocation',
      'PriorityOrder',
    ],
    S_CA_STU_X: ['StudentsDCID', 'ELAStatus', 'PrimaryLanguage'],
    S_CA_STU_CALPADSPROGRAMS_C: ['ID', 'StudentsDCID', 'SchoolID', 'ProgramCode', 'StartDate', 'EndDate'],
    S_CA_STU_ELA_C: [
      'ID',
      'StudentsDCID',
      'ELAStatus',
      'ELAStatusStartDate',
      'ELAStatusEndDate',
      'PrimaryLanguage',
    ],
  } as const;
  private readonly sectionIds = new Map<string, number>();
  private readonly programIds = new Map<string, number>();
  private seq = { reenrollment: 0, race: 0, sp: 0, cc: 0, ela: 0, calpads: 0 };
  private yearTermId = 0;

  /**
   * `excludedRows`: also write what a district keeps but never reports to the state — the graduated-students
   * school 999999 (no CDS code in the state's directory) and a student flagged State_ExcludeFromReporting —
   * and co-teachers (SECTIONTEACHER), which the other side of a migration pair could not hold.
   */
  constructor(private readonly excludedRows = false) {}

  writeDistrict(d: ModelDistrict, sink: TableSink): void {
    const yearId = d.calendar.schoolYear - 1990;
    this.yearTermId = yearId * 100;
    const c = d.calendar;
    for (const s of d.schools) {
      sink.add('SCHOOLS', [
        s.code,
        10_000 + s.code,
        s.code,
        s.name,
        s.name.slice(0, 20),
        Number(GRADE[s.low]),
        Number(GRADE[s.high]),
        s.cds,
        // A closed school is still reported for its past records: closure is not "exclude from reporting".
        0,
      ]);
      this.counts.school++;
      let dcid = s.code * 10;
      sink.add('TERMS', [
        this.yearTermId,
        dcid++,
        yearId,
        s.code,
        `${d.termName} Year`,
        d.termName,
        c.firstDay,
        c.lastDay,
        1,
        1,
      ]);
      sink.add('TERMS', [
        this.yearTermId + 1,
        dcid++,
        yearId,
        s.code,
        'Semester 1',
        'S1',
        c.firstDay,
        c.s1LastDay,
        0,
        2,
      ]);
      sink.add('TERMS', [
        this.yearTermId + 2,
        dcid,
        yearId,
        s.code,
        'Semester 2',
        'S2',
        c.s2FirstDay,
        c.lastDay,
        0,
        2,
      ]);
    }
    d.courses.forEach((course, k) =>
      sink.add('COURSES', [k + 1, k + 1, course.code, course.title, course.stateCode, 10]),
    );
    for (const t of d.staff) {
      // The SEID as California districts keep it: the custom field CA_SEID (U_DEF_EXT_USERS), SIF_StatePrid
      // blank; every fourth teacher (entered before the custom field) has SIF_StatePrid alone, and every fourth
      // from the second on a stale SIF_StatePrid (the HR number) that CA_SEID overrides.
      const custom = t.id % 4 !== 0;
      const sif = !custom ? t.stateId : t.id % 4 === 1 ? `HR${t.id}` : null;
      sink.add('TEACHERS', [
        t.id,
        20_000 + t.id,
        30_000 + t.id,
        t.schoolCode,
        String(t.id),
        t.last,
        t.first,
        t.email,
        sif,
        1,
      ]);
      if (custom) sink.add('U_DEF_EXT_USERS', [30_000 + t.id, t.stateId]);
      this.counts.staff++;
    }
    sink.add('ROLEDEF', [LEAD_ROLE, LEAD_ROLE, 'Lead Teacher', 'section']);
    sink.add('ROLEDEF', [CO_TEACHER_ROLE, CO_TEACHER_ROLE, 'Co-teacher', 'section']);
    let sectionId = 0;
    let assignment = 0;
    const assign = (section: number, teacher: number, role: number, start: string): void => {
      assignment++;
      sink.add('SECTIONTEACHER', [
        assignment,
        50_000 + assignment,
        section,
        teacher,
        role,
        start,
        c.lastDay,
        role === LEAD_ROLE ? 1 : 0.5,
        role === LEAD_ROLE ? 1 : 2,
      ]);
    };
    for (const school of d.schools) {
      for (const sec of school.sections) {
        sectionId++;
        this.sectionIds.set(sec.id, sectionId);
        sink.add('SECTIONS', [
          sectionId,
          40_000 + sectionId,
          sec.courseCode,
          String(sec.number),
          this.yearTermId,
          sec.schoolCode,
          sec.teacherId,
          `${Math.max(1, sec.period)}(A)`,
          0,
        ]);
        this.counts.section++;
        if (sec.teacherId === null) continue;
        this.counts.section_staff++;
        // Every tenth section has no SECTIONTEACHER row (sections from before it existed): the lead alone.
        if (sectionId % 10 !== 0 || sec.duplicateTeacher)
          assign(sectionId, sec.teacherId, LEAD_ROLE, c.firstDay);
        if (sec.duplicateTeacher) {
          // Defect: the lead entered again as co-teacher (one SEID twice on the section, CALPADS CRSE0122).
          assign(sectionId, sec.teacherId, CO_TEACHER_ROLE, c.firstDay);
          this.counts.section_staff++;
        }
        const co = this.excludedRows
          ? d.staff.find((t) => t.schoolCode === sec.schoolCode && t.id !== sec.teacherId)
          : undefined;
        if (co && sectionId % 6 === 1) {
          // A co-teacher from the second semester on.
          assign(sectionId, co.id, CO_TEACHER_ROLE, c.s2FirstDay);
          this.counts.section_staff++;
        }
      }
    }
    CA_PROGRAM_CODES.forEach((code, k) => {
      this.programIds.set(code, 1000 + k);
      sink.add('GEN', [1000 + k, 1000 + k, 'specprog', `Program ${code}`, code, 0, 0]);
    });
    CALPADS_ENTRY_CODES.forEach((code, k) =>
      sink.add('GEN', [2000 + k, 2000 + k, 'entrycodes', code, code, 0, 0]),
    );
    if (this.excludedRows) this.writeExcluded(d, sink);
  }

  /** The rows a California district keeps but does not report (state rules must skip them). */
  private writeExcluded(d: ModelDistrict, sink: TableSink): void {
    const high = d.schools.filter((x) => x.level === 'high')[0] ?? d.schools[0];
    // PowerSchool's Graduated Students school; its code is unknown to the state's directory.
    sink.add('SCHOOLS', [
      POWERSCHOOL_GRADUATED_SCHOOL,
      10_000 + POWERSCHOOL_GRADUATED_SCHOOL,
      POWERSCHOOL_GRADUATED_SCHOOL,
      'Graduated Students',
      'Graduated',
      Number(GRADE[high.low]),
      Number(GRADE[high.high]),
      `${d.countyCode}${d.districtCode}9999999`,
      0,
    ]);
    this.counts.school++;
    this.writeStudent(d, buildStudent(d, EXCLUDED_STUDENT_INDEX), sink, true);
  }

  writeStudent(d: ModelDistrict, s: ModelStudent, sink: TableSink, excluded = false): void {
    const id = s.index + 1;
    const dcid = 100_000 + s.index;
    const current = s.enrollments.find((e) => e.exit === null) ?? s.enrollments[s.enrollments.length - 1];
    sink.add('STUDENTS', [
      id,
      dcid,
      s.id,
      s.stateId,
      s.last,
      s.first,
      s.middle,
      s.birthDate,
      s.sex,
      psGrade(current),
      current.schoolCode,
      current.graduated ? GRADUATED : STATUS[current.status],
      current.entry,
      this.exitDate(d, current),
      current.entryCode,
      exitCode(current),
      s.hispanic ? 1 : 0,
      0,
      excluded ? 1 : 0,
    ]);
    if (!s.beforeWindow) this.counts.student++;
    for (const e of s.enrollments) {
      if (!s.beforeWindow) this.counts.enrollment++;
      if (e === current) continue;
      this.seq.reenrollment++;
      sink.add('REENROLLMENTS', [
        this.seq.reenrollment,
        200_000 + this.seq.reenrollment,
        id,
        e.schoolCode,
        e.entry,
        this.exitDate(d, e),
        e.entryCode,
        exitCode(e),
        psGrade(e),
        null,
      ]);
    }
    for (const race of s.races) {
      this.seq.race++;
      sink.add('StudentRace', [this.seq.race, this.seq.race, id, race]);
    }
    sink.add('S_CA_STU_X', [dcid, s.elStatus, s.homeLanguage]);
    if (s.enrollments.length > 0) {
      const start = elasStart(d, s);
      if (s.elStatus === 'RFEP') {
        // Reclassified: the EL record it ended (two years before) stays in the history.
        this.seq.ela++;
        sink.add('S_CA_STU_ELA_C', [
          this.seq.ela,
          dcid,
          'EL',
          addDays(start, -730),
          addDays(start, -1),
          s.homeLanguage,
        ]);
      }
      this.seq.ela++;
      sink.add('S_CA_STU_ELA_C', [this.seq.ela, dcid, s.elStatus, start, null, s.homeLanguage]);
    }
    for (const p of s.programs) {
      if (!p.beforeWindow) this.counts.program++;
      if (CALPADS_PROGRAMS_TABLE.has(p.code)) {
        // Where California districts keep SPED, 504 and meal eligibility.
        this.seq.calpads++;
        sink.add('S_CA_STU_CALPADSPROGRAMS_C', [
          this.seq.calpads,
          dcid,
          p.schoolCode,
          p.code,
          p.start,
          p.end,
        ]);
        continue;
      }
      this.seq.sp++;
      sink.add('SPENROLLMENTS', [
        this.seq.sp,
        300_000 + this.seq.sp,
        id,
        this.programIds.get(p.code) ?? null,
        p.schoolCode,
        p.start,
        p.end,
        null,
        psGrade(current),
      ]);
    }
    for (const r of s.rosters) {
      this.seq.cc++;
      const sign = r.end === null ? 1 : -1;
      const dateLeft = addDays(r.end ?? d.calendar.lastDay, 1);
      sink.add('CC', [
        this.seq.cc,
        400_000 + this.seq.cc,
        id,
        sign * (this.sectionIds.get(r.section.id) as number),
        sign * this.yearTermId,
        r.section.schoolCode,
        r.section.courseCode,
        String(r.section.number),
        r.begin,
        dateLeft,
        r.section.teacherId,
      ]);
      this.counts.student_section++;
    }
  }

  private exitDate(d: ModelDistrict, e: ModelEnrollment): string {
    if (e.status === 'no_show') return e.entry;
    return addDays(e.exit ?? d.calendar.lastDay, 1);
  }
}
