import { CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';
import type { ModelDistrict, ModelEnrollment, ModelStudent } from 'connectors/generator/district-model.util';
import { emptyCounts, type SisEncoder } from 'connectors/generator/encoder.types';
import type { TableSink } from 'connectors/generator/replica-writer.util';

/** A grade name no calendar defines. */
export const IC_INVALID_GRADE = 'G9';
const STAFF_PERSON = 9_000_000;
const RACES = ['100', '201', '203', '208', '301', '600', '700'];

/** Infinite Campus: one calendar per school for the year; students and staff are Person + Identity rows. */
export class InfiniteCampusEncoder implements SisEncoder {
  readonly sis = 'infinite_campus' as const;
  readonly counts = emptyCounts();
  readonly tables = {
    School: ['schoolID', 'districtID', 'number', 'name', 'standardCode'],
    Calendar: [
      'calendarID',
      'schoolID',
      'endYear',
      'name',
      'startDate',
      'endDate',
      'summerSchool',
      'exclude',
    ],
    Person: ['personID', 'studentNumber', 'stateID', 'staffNumber', 'staffStateID', 'currentIdentityID'],
    Identity: [
      'identityID',
      'personID',
      'lastName',
      'firstName',
      'middleName',
      'suffix',
      'birthdate',
      'gender',
      'hispanicEthnicity',
    ],
    RaceEthnicity: ['raceID', 'code', 'name'],
    IdentityRaceEthnicity: ['identityID', 'raceID'],
    Enrollment: [
      'enrollmentID',
      'personID',
      'calendarID',
      'grade',
      'startDate',
      'startStatus',
      'endDate',
      'endStatus',
      'serviceType',
      'noShow',
      'stateExclude',
    ],
    Program: ['programID', 'code', 'name'],
    ProgramParticipation: ['participationID', 'personID', 'programID', 'startDate', 'endDate'],
    Course: ['courseID', 'calendarID', 'number', 'name', 'stateCode'],
    Section: ['sectionID', 'courseID', 'number', 'teacherPersonID'],
    Roster: ['rosterID', 'personID', 'sectionID', 'startDate', 'endDate'],
    Contact: ['personID', 'email'],
  } as const;
  private readonly sectionIds = new Map<string, number>();
  private seq = { enrollment: 0, participation: 0, roster: 0 };
  private calendarOf = (schoolCode: number): number => schoolCode * 100 + 1;
  /** The calendar of an enrollment's year: this year's, last year's (history), or an older one's. */
  private calendarFor(d: ModelDistrict, e: ModelEnrollment): number {
    const year = e.year ?? d.calendar.schoolYear;
    const back = d.calendar.schoolYear - year;
    return back === 0 ? this.calendarOf(e.schoolCode) : e.schoolCode * 100 + 1 - back * 10;
  }

  writeDistrict(d: ModelDistrict, sink: TableSink): void {
    const c = d.calendar;
    for (const s of d.schools) {
      sink.add('School', [1000 + s.code, 1, String(s.code), s.name, s.cds]);
      sink.add('Calendar', [
        this.calendarOf(s.code),
        1000 + s.code,
        c.schoolYear + 1,
        `${d.termName} ${s.name}`.slice(0, 50),
        c.firstDay,
        c.lastDay,
        0,
        s.active ? 0 : 1,
      ]);
      this.counts.school++;
      if (!d.history) continue;
      const p = d.priorCalendar;
      sink.add('Calendar', [
        s.code * 100 + 1 - 10,
        1000 + s.code,
        p.schoolYear + 1,
        `${p.schoolYear % 100}-${(p.schoolYear + 1) % 100} ${s.name}`.slice(0, 50),
        p.firstDay,
        p.lastDay,
        0,
        s.active ? 0 : 1,
      ]);
    }
    for (const t of d.staff) {
      const personId = STAFF_PERSON + t.id;
      sink.add('Person', [personId, null, null, String(t.id), t.stateId, personId]);
      sink.add('Identity', [personId, personId, t.last, t.first, null, null, null, null, null]);
      sink.add('Contact', [personId, t.email]);
      this.counts.staff++;
    }
    RACES.forEach((code, k) => sink.add('RaceEthnicity', [k + 1, code, `Race ${code}`]));
    CA_PROGRAM_CODES.forEach((code, k) => sink.add('Program', [k + 1, code, `Program ${code}`]));
    let courseId = 0;
    let sectionId = 0;
    for (const school of d.schools) {
      const courses = new Map<string, number>();
      for (const sec of school.sections) {
        let cid = courses.get(sec.courseCode);
        if (cid === undefined) {
          cid = ++courseId;
          courses.set(sec.courseCode, cid);
          sink.add('Course', [
            cid,
            this.calendarOf(school.code),
            sec.courseCode,
            sec.courseTitle,
            sec.stateCourseCode,
          ]);
        }
        sectionId++;
        this.sectionIds.set(sec.id, sectionId);
        sink.add('Section', [
          sectionId,
          cid,
          sec.number,
          sec.teacherId === null ? null : STAFF_PERSON + sec.teacherId,
        ]);
        this.counts.section++;
        if (sec.teacherId !== null) this.counts.section_staff++;
      }
    }
  }

  writeStudent(d: ModelDistrict, s: ModelStudent, sink: TableSink): void {
    const personId = 100_000 + s.index;
    sink.add('Person', [personId, s.id === null ? null : String(s.id), s.stateId, null, null, personId]);
    sink.add('Identity', [
      personId,
      personId,
      s.last,
      s.first,
      s.middle,
      null,
      s.birthDate,
      s.sex,
      s.hispanic ? 'Y' : 'N',
    ]);
    for (const race of s.races) sink.add('IdentityRaceEthnicity', [personId, RACES.indexOf(race) + 1]);
    if (!s.beforeWindow) this.counts.student++;
    for (const e of s.enrollments) {
      this.seq.enrollment++;
      sink.add('Enrollment', [
        this.seq.enrollment,
        personId,
        this.calendarFor(d, e),
        this.grade(e),
        e.entry,
        e.entryCode,
        e.exit,
        e.rawExitCode ?? e.exitCode,
        'P',
        e.status === 'no_show' ? 1 : 0,
        0,
      ]);
      if (!s.beforeWindow) this.counts.enrollment++;
    }
    for (const p of s.programs) {
      this.seq.participation++;
      sink.add('ProgramParticipation', [
        this.seq.participation,
        personId,
        CA_PROGRAM_CODES.indexOf(p.code as (typeof CA_PROGRAM_CODES)[number]) + 1,
        p.start,
        p.end,
      ]);
      if (!p.beforeWindow) this.counts.program++;
    }
    for (const r of s.rosters) {
      this.seq.roster++;
      sink.add('Roster', [
        this.seq.roster,
        personId,
        this.sectionIds.get(r.section.id) as number,
        r.begin,
        r.end,
      ]);
      this.counts.student_section++;
    }
  }

  private grade(e: ModelEnrollment): string {
    return e.invalidGrade ? IC_INVALID_GRADE : e.grade;
  }
}
