import { CA_PROGRAM_CODES } from 'connectors/aeries/aeries.connector';
import { addDays, isWeekday, schoolCalendar, weekday } from 'connectors/generator/calendar.util';
import {
  gradeOrder,
  type ModelDistrict,
  type ModelEnrollment,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import { emptyCounts, type SisEncoder } from 'connectors/generator/encoder.types';
import type { TableSink } from 'connectors/generator/replica-writer.util';

/** A grade name no calendar defines. */
export const IC_INVALID_GRADE = 'G9';
const STAFF_PERSON = 9_000_000;
const RACES = ['100', '201', '203', '208', '301', '600', '700'];

/**
 * A valid PEIMS STUDENT-ID (E0001) for a Texas student: every tenth a state-assigned 'S' number, the others
 * SSN-style (area 100-799 but never 666, group 10-98, serial 1000-9999, so no rule of 40100-0012..0015 fires).
 */
export function texasStudentId(index: number): string {
  if (index % 10 === 0) return `S${String(index).padStart(8, '0')}`;
  const area = 100 + ((index * 37) % 700);
  const group = 10 + (index % 89);
  const serial = 1000 + ((index * 13) % 9000);
  const id = `${area === 666 ? 667 : area}${group}${serial}`;
  return /^(\d)\1+$/.test(id) ? `${id.slice(0, 8)}${(Number(id[8]) + 1) % 10}` : id;
}

/** The calendar's local grade name (what Enrollment.grade holds): GradeLevel.stateGrade carries the state code. */
export function icLocalGrade(grade: string): string {
  if (grade === 'KG') return 'K';
  if (grade === 'PK') return 'PK4';
  return /^\d\d$/.test(grade) ? String(Number(grade)) : grade;
}

/**
 * Rows a real Infinite Campus database holds that the connector must not read as the school year, written in
 * every district (their canonical result is the same as without them): a copy of each school's first section
 * in an inactive schedule trial, rostered like the original; a summer-school calendar with enrollments; and an
 * endDate pre-filled with the last instructional day on some current enrollments.
 */
export type IcTrap = 'summer_school' | 'year_end_fill' | 'state_exclude' | 'special_ed_services';
/**
 * Texas districts also hold rows the connector keeps but flags state_reporting_excluded: a second enrollment
 * marked Enrollment.stateExclude, and a special-education-services-only enrollment (serviceType N). They are
 * written in Texas districts only: the migration pairs compare California districts across SIS, and the other
 * SIS there has no such row.
 */
export function icTrapOf(d: ModelDistrict, s: ModelStudent): IcTrap | null {
  const e = s.enrollments[0];
  if (s.scenario !== 'continuing' || s.enrollments.length !== 1 || e.exit !== null || e.exitCode !== null)
    return null;
  if (s.index % 40 === 7) return 'summer_school';
  if (s.index % 40 === 27) return 'year_end_fill';
  if (d.state === 'TX' && s.index % 40 === 17) return 'state_exclude';
  if (d.state === 'TX' && s.index % 40 === 37) return 'special_ed_services';
  return null;
}

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
    Day: ['dayID', 'calendarID', 'date', 'instruction'],
    GradeLevel: ['gradeLevelID', 'calendarID', 'name', 'stateGrade'],
    Trial: ['trialID', 'calendarID', 'name', 'active'],
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
      'ssn',
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
    Section: ['sectionID', 'courseID', 'number', 'teacherPersonID', 'trialID', 'courseSequenceCode'],
    Roster: ['rosterID', 'personID', 'sectionID', 'trialID', 'startDate', 'endDate'],
    Contact: ['personID', 'email'],
  } as const;
  private readonly sectionIds = new Map<string, number>();
  /** Section (model id) → its copy in the inactive trial. */
  private readonly draftCopies = new Map<string, number>();
  private seq = { enrollment: 0, participation: 0, roster: 0, day: 0, gradeLevel: 0 };
  private lastInstructionalDay = '';
  private calendarOf = (schoolCode: number): number => schoolCode * 100 + 1;
  private summerCalendarOf = (schoolCode: number): number => schoolCode * 100 + 2;
  private activeTrialOf = (calendarId: number): number => calendarId * 10 + 1;
  private draftTrialOf = (calendarId: number): number => calendarId * 10 + 2;
  /** The calendar of an enrollment's year: this year's, last year's (history), or an older one's. */
  private calendarFor(d: ModelDistrict, e: ModelEnrollment): number {
    const year = e.year ?? d.calendar.schoolYear;
    const back = d.calendar.schoolYear - year;
    return back === 0 ? this.calendarOf(e.schoolCode) : e.schoolCode * 100 + 1 - back * 10;
  }

  /**
   * The calendars of two and three years back (outside the comparison window): the enrollments the migration
   * pair files there (alumni, older history) are real rows on a real calendar, left out by the window alone.
   */
  private writeOlderCalendars(d: ModelDistrict, s: ModelDistrict['schools'][number], sink: TableSink): void {
    for (const back of [2, 3]) {
      const cal = schoolCalendar(d.calendar.schoolYear - back);
      const id = s.code * 100 + 1 - back * 10;
      sink.add('Calendar', [
        id,
        1000 + s.code,
        cal.schoolYear + 1,
        `${cal.schoolYear % 100}-${(cal.schoolYear + 1) % 100} ${s.name}`.slice(0, 50),
        cal.firstDay,
        cal.lastDay,
        0,
        s.active ? 0 : 1,
      ]);
      this.writeCalendarDays(d, id, cal.firstDay, cal.lastDay, sink);
    }
  }

  /** Instructional days (weekdays) and grade levels of one calendar. */
  private writeCalendarDays(
    d: ModelDistrict,
    calendarId: number,
    first: string,
    last: string,
    sink: TableSink,
  ): void {
    for (let day = first; day <= last; day = addDays(day, 1)) {
      if (isWeekday(day)) sink.add('Day', [++this.seq.day, calendarId, day, 1]);
    }
    for (const g of gradeOrder(d.state))
      sink.add('GradeLevel', [++this.seq.gradeLevel, calendarId, icLocalGrade(g), g]);
  }

  writeDistrict(d: ModelDistrict, sink: TableSink): void {
    const c = d.calendar;
    this.lastInstructionalDay = weekday(c.lastDay, -1);
    for (const s of d.schools) {
      const calendarId = this.calendarOf(s.code);
      sink.add('School', [1000 + s.code, 1, String(s.code), s.name, s.cds]);
      sink.add('Calendar', [
        calendarId,
        1000 + s.code,
        c.schoolYear + 1,
        `${d.termName} ${s.name}`.slice(0, 50),
        c.firstDay,
        c.lastDay,
        0,
        s.active ? 0 : 1,
      ]);
      this.writeCalendarDays(d, calendarId, c.firstDay, c.lastDay, sink);
      sink.add('Trial', [this.activeTrialOf(calendarId), calendarId, 'Trial 1', 1]);
      sink.add('Trial', [this.draftTrialOf(calendarId), calendarId, 'Trial 2 (draft)', 0]);
      // Last summer's session: a summer-school calendar of the prior school year.
      const summer = this.summerCalendarOf(s.code);
      sink.add('Calendar', [
        summer,
        1000 + s.code,
        c.schoolYear,
        `Summer ${c.schoolYear} ${s.name}`.slice(0, 50),
        `${c.schoolYear}-06-08`,
        `${c.schoolYear}-07-02`,
        1,
        0,
      ]);
      this.writeCalendarDays(d, summer, `${c.schoolYear}-06-08`, `${c.schoolYear}-07-02`, sink);
      this.counts.school++;
      // Last year's calendar (enrollment history, prior-year leavers).
      const p = d.priorCalendar;
      const prior = s.code * 100 + 1 - 10;
      sink.add('Calendar', [
        prior,
        1000 + s.code,
        p.schoolYear + 1,
        `${p.schoolYear % 100}-${(p.schoolYear + 1) % 100} ${s.name}`.slice(0, 50),
        p.firstDay,
        p.lastDay,
        0,
        s.active ? 0 : 1,
      ]);
      this.writeCalendarDays(d, prior, p.firstDay, p.lastDay, sink);
      this.writeOlderCalendars(d, s, sink);
    }
    for (const t of d.staff) {
      const personId = STAFF_PERSON + t.id;
      sink.add('Person', [personId, null, null, String(t.id), t.stateId, personId]);
      sink.add('Identity', [personId, personId, t.last, t.first, null, null, null, null, null, null]);
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
        const teacher = sec.teacherId === null ? null : STAFF_PERSON + sec.teacherId;
        const calendarId = this.calendarOf(school.code);
        sink.add('Section', [sectionId, cid, sec.number, teacher, this.activeTrialOf(calendarId), '0']);
        this.counts.section++;
        if (sec.teacherId !== null) this.counts.section_staff++;
        if (sec === school.sections[0]) {
          // The same section in a draft trial (same number): never part of the schedule.
          sectionId++;
          this.draftCopies.set(sec.id, sectionId);
          sink.add('Section', [sectionId, cid, sec.number, teacher, this.draftTrialOf(calendarId), '0']);
        }
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
      d.state === 'TX' ? (s.txStudentId ?? texasStudentId(s.index)) : null,
    ]);
    for (const race of s.races) sink.add('IdentityRaceEthnicity', [personId, RACES.indexOf(race) + 1]);
    if (!s.beforeWindow) this.counts.student++;
    const trap = s.beforeWindow ? null : icTrapOf(d, s);
    for (const e of s.enrollments) {
      this.seq.enrollment++;
      sink.add('Enrollment', [
        this.seq.enrollment,
        personId,
        this.calendarFor(d, e),
        this.grade(e),
        e.entry,
        e.entryCode,
        trap === 'year_end_fill' ? this.lastInstructionalDay : e.exit,
        e.rawExitCode ?? e.exitCode,
        'P',
        e.status === 'no_show' ? 1 : 0,
        0,
      ]);
      if (!s.beforeWindow) this.counts.enrollment++;
    }
    if (trap === 'state_exclude' || trap === 'special_ed_services') {
      // Same school and grade as the primary enrollment, from the next week: kept, flagged not reported.
      const e = s.enrollments[0];
      this.seq.enrollment++;
      sink.add('Enrollment', [
        this.seq.enrollment,
        personId,
        this.calendarFor(d, e),
        this.grade(e),
        weekday(addDays(e.entry, 7)),
        e.entryCode,
        null,
        null,
        trap === 'state_exclude' ? 'S' : 'N',
        0,
        trap === 'state_exclude' ? 1 : 0,
      ]);
      this.counts.enrollment++;
    }
    if (trap === 'summer_school') {
      const e = s.enrollments[0];
      this.seq.enrollment++;
      sink.add('Enrollment', [
        this.seq.enrollment,
        personId,
        this.summerCalendarOf(e.schoolCode),
        this.grade(e),
        `${d.calendar.schoolYear}-06-08`,
        null,
        `${d.calendar.schoolYear}-07-02`,
        null,
        'P',
        0,
        0,
      ]);
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
      const calendarId = this.calendarOf(r.section.schoolCode);
      sink.add('Roster', [
        this.seq.roster,
        personId,
        this.sectionIds.get(r.section.id) as number,
        this.activeTrialOf(calendarId),
        r.begin,
        r.end,
      ]);
      this.counts.student_section++;
      const draft = this.draftCopies.get(r.section.id);
      if (draft === undefined) continue;
      this.seq.roster++;
      sink.add('Roster', [this.seq.roster, personId, draft, this.draftTrialOf(calendarId), r.begin, r.end]);
    }
  }

  private grade(e: ModelEnrollment): string {
    return e.invalidGrade ? IC_INVALID_GRADE : icLocalGrade(e.grade);
  }
}
