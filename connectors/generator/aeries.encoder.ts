import {
  AERIES_EXIT_CODE_MAP,
  AERIES_GRADE_MAP,
  AERIES_PSEUDO_SCHOOL,
} from 'connectors/aeries/aeries.connector';
import { addDays } from 'connectors/generator/calendar.util';
import {
  firstEntryOf,
  type ModelDistrict,
  type ModelEnrollment,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import { emptyCounts, invertMap, type SisEncoder } from 'connectors/generator/encoder.types';
import type { TableSink } from 'connectors/generator/replica-writer.util';

const GRADE = invertMap(AERIES_GRADE_MAP);
/** Aeries keeps most CALPADS exit reasons as their number (160), E155 and N470 with the letter. */
const EXIT = invertMap(AERIES_EXIT_CODE_MAP, (native) => /^\d+$/.test(native));
EXIT['E155'] = 'E155';
EXIT['N470'] = 'N470';
const LF: Record<string, string> = { EO: 'E', EL: 'L', RFEP: 'R', IFEP: 'I', TBD: 'T' };
/**
 * The ELAS start date: the student's first enrollment in the district (when the home language survey set the
 * status). A TBD status is recent (at most two weeks before the as-of date): a TBD older than 30 days is
 * CALPADS CERT106's finding, not clean data (the elas_tbd_overdue defect sets such a date).
 */
export function elasStart(d: ModelDistrict, s: ModelStudent): string {
  if (s.elasStartDate !== undefined) return s.elasStartDate;
  // As built (a defect or a migration difference may change the enrollments, not the survey date).
  const first = s.firstEntry ?? firstEntryOf(s) ?? d.calendar.firstDay;
  if (s.elStatus !== 'TBD') return first;
  const recent = addDays(d.asOf, -14);
  return first > recent ? first : recent;
}

/** An Aeries grade number outside −2..18 (and the default map). */
export const AERIES_INVALID_GRADE = 22;

const aeriesGrade = (e: ModelEnrollment): number =>
  e.invalidGrade ? AERIES_INVALID_GRADE : Number(GRADE[e.grade]);
const exitCode = (e: ModelEnrollment): string | null =>
  e.rawExitCode ?? (e.exitCode === null ? null : EXIT[e.exitCode]);

/** Aeries: LOC/STF/TCH/CRS/MST/COD for the district; STU per school, ENR, PGM, SEC per student. DEL = 0 live rows. */
export class AeriesEncoder implements SisEncoder {
  readonly sis = 'aeries' as const;
  readonly counts = emptyCounts();
  readonly tables = {
    LOC: ['CD', 'NM', 'SNM', 'CC', 'DC', 'SC', 'LO', 'HI', 'TG', 'DNR', 'DEL'],
    STU: [
      'ID',
      'SC',
      'SN',
      'LN',
      'FN',
      'MN',
      'BD',
      'GR',
      'SX',
      'GN',
      'CID',
      'ED',
      'LD',
      'DD',
      'TG',
      'ETH',
      'RC1',
      'RC2',
      'RC3',
      'RC4',
      'RC5',
      'LF',
      'HL',
      'DEL',
    ],
    ENR: ['ID', 'SC', 'YR', 'GR', 'ED', 'LD', 'ER', 'IT', 'TR', 'DEL'],
    PGM: ['PID', 'CD', 'ESD', 'EED', 'PSD', 'PED', 'DEL'],
    CSE: ['ID', 'ED', 'XD', 'DI', 'DEL'],
    FOF: ['ID', 'SD', 'ED', 'DEL'],
    FRE: ['ID', 'CD', 'SD', 'ED', 'DEL'],
    LAC: ['ID', 'ELAS', 'ESD', 'DEL'],
    CAR: ['SC', 'SN', 'SE', 'DS', 'DE', 'DEL'],
    CRS: ['CN', 'CO', 'C3', 'DEL'],
    MST: ['SC', 'SE', 'CN', 'TN', 'PD', 'ST', 'DEL'],
    SEC: ['SC', 'SN', 'SE', 'DEL'],
    TCH: ['SC', 'TN', 'ID', 'TLN', 'TF', 'EM', 'DEL'],
    STF: ['ID', 'LN', 'FN', 'SID', 'EM', 'DEL'],
    COD: ['TC', 'FC', 'CD', 'DE', 'AC', 'TG', 'DEL'],
  } as const;
  private readonly nextSn = new Map<number, number>();

  /** `excludedRows`: also write the district pseudo-school 999 (LOC.DNR set), never reported to the state. */
  constructor(private readonly excludedRows = false) {}

  writeDistrict(d: ModelDistrict, sink: TableSink): void {
    for (const s of d.schools) {
      sink.add('LOC', [
        s.code,
        s.name.slice(0, 30),
        s.name.slice(0, 15),
        d.countyCode,
        d.districtCode,
        s.cds.slice(7),
        Number(GRADE[s.low]),
        Number(GRADE[s.high]),
        s.active ? '' : 'C',
        '',
        0,
      ]);
      this.counts.school++;
    }
    if (this.excludedRows) {
      // The district pseudo-school: no CDS code the state knows, flagged "do not report". State rules skip it.
      sink.add('LOC', [
        AERIES_PSEUDO_SCHOOL,
        'District Office',
        'District',
        d.countyCode,
        d.districtCode,
        '9999999',
        Number(GRADE['KG']),
        Number(GRADE['12']),
        'I',
        'Y',
        0,
      ]);
      this.counts.school++;
    }
    sink.add('LOC', [
      32000,
      'Deleted Test School',
      'Deleted',
      d.countyCode,
      d.districtCode,
      '0000000',
      0,
      5,
      '',
      '',
      1,
    ]);
    for (const t of d.staff) {
      sink.add('STF', [t.id, t.last, t.first, t.stateId, t.email, 0]);
      sink.add('TCH', [t.schoolCode, t.teacherNumber, t.id, t.last, t.first, t.email, 0]);
      this.counts.staff++;
    }
    sink.add('STF', [4999, 'Deleted', 'Staff', null, null, 1]);
    for (const c of d.courses) sink.add('CRS', [c.code, c.title, c.stateCode, 0]);
    const teacherNumber = new Map(d.staff.map((t) => [t.id, t.teacherNumber]));
    for (const school of d.schools) {
      for (const sec of school.sections) {
        // TN 0 matches no TCH row: the section has no teacher.
        sink.add('MST', [
          sec.schoolCode,
          sec.number,
          sec.courseCode,
          sec.teacherId === null ? 0 : (teacherNumber.get(sec.teacherId) ?? 0),
          sec.period,
          '',
          0,
        ]);
        this.counts.section++;
        if (sec.teacherId !== null && teacherNumber.has(sec.teacherId)) this.counts.section_staff++;
      }
    }
    for (const [native, canonical] of Object.entries(AERIES_GRADE_MAP))
      sink.add('COD', ['STU', 'GR', native, canonical, native, '', 0]);
    for (const [canonical, native] of Object.entries(EXIT))
      sink.add('COD', ['ATT', 'RS', native, canonical, native, '', 0]);
  }

  writeStudent(d: ModelDistrict, s: ModelStudent, sink: TableSink): void {
    const schools = [
      ...new Set([...s.enrollments.map((e) => e.schoolCode), ...s.rosters.map((r) => r.section.schoolCode)]),
    ];
    const sn = new Map<number, number>();
    const firstEntry = s.enrollments.map((e) => e.entry).sort()[0];
    for (const sc of schools) {
      const number = this.sn(sc);
      sn.set(sc, number);
      const at = s.enrollments.filter((e) => e.schoolCode === sc);
      const latest = at.length > 0 ? at.reduce((a, b) => (b.entry > a.entry ? b : a)) : null;
      if (latest) {
        const tg = latest.status === 'pre_registered' ? '*' : latest.exit === null ? '' : 'W';
        sink.add(
          'STU',
          this.stuRow(s, sc, number, aeriesGrade(latest), latest.entry, latest.exit, firstEntry, tg, 0),
        );
      } else {
        // Stale STU row from an earlier year (no ENR row this year): the roster-without-enrollment defect.
        const grade = aeriesGrade(s.enrollments[0]);
        sink.add(
          'STU',
          this.stuRow(
            s,
            sc,
            number,
            grade,
            addDays(d.calendar.firstDay, -365),
            addDays(d.calendar.firstDay, -200),
            firstEntry,
            'W',
            0,
          ),
        );
      }
    }
    if (!s.beforeWindow) this.counts.student++;
    for (const e of s.enrollments) {
      sink.add('ENR', [
        s.id,
        e.schoolCode,
        e.year ?? d.calendar.schoolYear,
        aeriesGrade(e),
        e.entry,
        e.exit,
        exitCode(e),
        '',
        '',
        0,
      ]);
      if (!s.beforeWindow) this.counts.enrollment++;
    }
    for (const p of s.programs) {
      // Where California districts keep them: SPED in CSE, 504 in FOF, meals in FRE, the others in PGM.
      if (p.code === '144') sink.add('CSE', [s.id, p.start, p.end, '320', 0]);
      else if (p.code === '101') sink.add('FOF', [s.id, p.start, p.end, 0]);
      else if (p.code === '181' || p.code === '182')
        sink.add('FRE', [s.id, p.code === '181' ? 'F' : 'R', p.start, p.end, 0]);
      else sink.add('PGM', [s.id, p.code, p.start, p.end, p.start, p.end, 0]);
      if (!p.beforeWindow) this.counts.program++;
    }
    if (s.id !== null && s.enrollments.length > 0) sink.add('LAC', [s.id, s.elStatus, elasStart(d, s), 0]);
    for (const r of s.rosters) {
      const number = sn.get(r.section.schoolCode) as number;
      // CAR: every class with its dates; SEC: the live schedule only.
      sink.add('CAR', [r.section.schoolCode, number, r.section.number, r.begin, r.end, 0]);
      if (r.end === null) sink.add('SEC', [r.section.schoolCode, number, r.section.number, 0]);
      this.counts.student_section++;
    }
    this.writeDeletedNoise(d, s, sink, schools);
  }

  /** ~1% of students get soft-deleted rows that would win the one-row-per-ID pick if DEL were ignored. */
  private writeDeletedNoise(d: ModelDistrict, s: ModelStudent, sink: TableSink, schools: number[]): void {
    if (s.noise < 0.99 || s.id === null) return;
    const other = d.schools.find((x) => x.active && !schools.includes(x.code));
    if (!other) return;
    const e = s.enrollments[0];
    sink.add(
      'STU',
      this.stuRow(
        { ...s, last: `${s.last}X` },
        other.code,
        this.sn(other.code),
        aeriesGrade(e),
        d.asOf,
        null,
        d.asOf,
        '',
        1,
      ),
    );
    sink.add('ENR', [s.id, other.code, d.calendar.schoolYear, aeriesGrade(e), d.asOf, null, null, '', '', 1]);
    sink.add('CSE', [s.id, d.asOf, null, '320', 1]);
    sink.add('LAC', [s.id, 'TBD', d.asOf, 1]);
  }

  private sn(sc: number): number {
    const next = (this.nextSn.get(sc) ?? 0) + 1;
    this.nextSn.set(sc, next);
    return next;
  }

  private stuRow(
    s: ModelStudent,
    sc: number,
    sn: number,
    gr: number,
    ed: string,
    ld: string | null,
    dd: string,
    tg: string,
    del: number,
  ): (string | number | null)[] {
    // ~10% legacy records carry the sex only in SX (GN blank); the connector falls back to SX.
    const legacy = s.noise < 0.1 && s.sex !== 'X';
    const races = [...s.races, null, null, null, null, null].slice(0, 5);
    return [
      s.id,
      sc,
      sn,
      s.last,
      s.first,
      s.middle,
      s.birthDate,
      gr,
      s.sex === 'X' ? '' : s.sex,
      legacy ? '' : s.sex,
      s.stateId,
      ed,
      ld,
      dd,
      tg,
      s.hispanic ? 'Y' : 'N',
      ...races,
      LF[s.elStatus],
      s.homeLanguage,
      del,
    ];
  }
}
