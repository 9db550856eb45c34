import type { ConnectorDefinition, EntityExtractSpec, ExtractQuery } from 'connectors/sdk/connector.types';
import { cols, unless } from 'connectors/sdk/native-schema';
import { inWindow, refineGraduation, refineStateSchoolId } from 'connectors/sdk/window.util';

/**
 * Aeries SIS (SQL Server). One database per school year, soft deletes with DEL (every query filters DEL = 0),
 * STU holds one row per student per school. Dates are inclusive (LD = last day attended). ENR is the
 * enrollment history (every year, carried into each year database): it scopes enrollments and students to the
 * comparison window (`YR` from `:firstYear` to `:schoolYear`); PGM by its dates; SEC/MST are the year's own.
 */

/** District ids with an ENR row in the window: one set, hash-joined. */
const WINDOW_IDS = `SELECT DISTINCT we.ID FROM ENR we WHERE we.DEL = 0 AND we.YR >= :firstYear AND we.YR <= :schoolYear`;

/** Section ids are `<school code>-<section number>`: MST's key (SC, SE) made district-unique, portable concat. */
const SECTION_ID = (alias: string): string =>
  `CONCAT(CONCAT(CAST(${alias}.SC AS varchar(6)), '-'), CAST(${alias}.SE AS varchar(6)))`;

/** District pseudo-schools (Aeries SC 999: district office, placeholders) are never reported to the state. */
export const AERIES_PSEUDO_SCHOOL = 999;

/**
 * LOC.DNR ("do not report") and the pseudo-school 999 mark a school excluded from state reporting: kept, shown to
 * the district, skipped by state rules. Without LOC.DNR (older versions) the pseudo-school alone is excluded.
 */
const schoolQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT l.CD AS school_code, CONCAT(CONCAT(l.CC, l.DC), l.SC) AS state_school_id, l.NM AS name,
  l.LO AS low_grade, l.HI AS high_grade,
  CASE WHEN l.TG IS NULL OR l.TG = '' THEN 'Y' ELSE 'N' END AS active_flag,
  CASE WHEN l.CD = ${AERIES_PSEUDO_SCHOOL}${unless(absent, 'LOC.DNR', " OR (l.DNR IS NOT NULL AND l.DNR <> '')", '')} THEN 'Y' ELSE 'N' END AS excluded_flag
FROM LOC l
WHERE l.DEL = 0
ORDER BY l.CD`,
});

const school: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['LOC'],
  query: schoolQuery(new Set()),
  queryWithout: schoolQuery,
  native: {
    required: cols('LOC', 'CD CC DC SC NM LO HI TG DEL'),
    optional: [{ name: 'LOC.DNR', fields: [] }],
  },
  keyPrefix: 'LOC',
  keyColumns: ['school_code'],
  fields: {
    school_id: { column: 'school_code', label: 'LOC.CD' },
    state_school_id: { column: 'state_school_id', label: 'LOC.CC+DC+SC' },
    name: { column: 'name', label: 'LOC.NM' },
    low_grade: { column: 'low_grade', codeSet: 'grade_level', label: 'LOC.LO' },
    high_grade: { column: 'high_grade', codeSet: 'grade_level', label: 'LOC.HI' },
    active: { column: 'active_flag', bool: { true: ['Y'], false: ['N'] }, label: 'LOC.TG' },
    state_reporting_excluded: {
      column: 'excluded_flag',
      bool: { true: ['Y'], false: ['N'] },
      label: 'LOC.DNR / SC 999',
    },
  },
  refine: refineStateSchoolId,
};

/**
 * One canonical student per ID: the STU row with the latest enter date (then the highest school code) wins.
 * Students are those with an enrollment in the window (STU also keeps long-gone students, tagged inactive).
 * Rows without an ID are each kept (partitioned by their own SC/SN) so the pipeline reports every one.
 */
/**
 * The student query without the optional names the schema lacks: STU.SX is the legacy sex code GN falls back on
 * (newer Aeries versions drop it), STU.HL (home language) is district-maintained, and LAC (language acquisition)
 * holds the English Language Acquisition Status and its start date — the current LAC row (latest start) wins.
 * STU.LF (letter codes E/L/R/I/T) is deprecated (the county's validation DA 1.3) and no longer read.
 */
const studentQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT x.ID AS student_id, x.SC AS school_code, x.SN AS student_number, x.CID AS state_student_id,
  x.LN AS last_name, x.FN AS first_name, x.MN AS middle_name, x.BD AS birth_date,
  ${unless(absent, 'STU.SX', "COALESCE(NULLIF(x.GN, ''), x.SX)", 'x.GN')} AS sex, x.ETH AS hispanic,
  x.RC1 AS race1, x.RC2 AS race2, x.RC3 AS race3, x.RC4 AS race4, x.RC5 AS race5,
  ${unless(absent, 'LAC', 'la.ELAS', 'CAST(NULL AS varchar(4))')} AS el_status,
  ${unless(absent, 'LAC', 'la.ESD', 'CAST(NULL AS date)')} AS elas_start_date,
  ${unless(absent, 'STU.HL', 'x.HL', 'CAST(NULL AS varchar(2))')} AS home_language
FROM (
  SELECT s.ID, s.SC, s.SN, s.CID, s.LN, s.FN, s.MN, s.BD, s.GN, ${optionalCols(absent, 'STU', ['SX', 'HL'], 's')}s.ETH, s.RC1, s.RC2, s.RC3, s.RC4, s.RC5,
    ROW_NUMBER() OVER (
      PARTITION BY s.ID, CASE WHEN s.ID IS NULL THEN s.SC END, CASE WHEN s.ID IS NULL THEN s.SN END
      ORDER BY s.ED DESC, s.SC DESC, s.SN DESC) AS rn
  FROM STU s
  LEFT JOIN (${WINDOW_IDS}) w ON w.ID = s.ID
  WHERE s.DEL = 0 AND (s.ID IS NULL OR w.ID IS NOT NULL)
) x${
    absent.has('LAC')
      ? ''
      : `
LEFT JOIN (
  SELECT a.ID, a.ELAS, a.ESD, ROW_NUMBER() OVER (PARTITION BY a.ID ORDER BY a.ESD DESC) AS rn
  FROM LAC a WHERE a.DEL = 0
) la ON la.ID = x.ID AND la.rn = 1`
  }
WHERE x.rn = 1
ORDER BY x.ID, x.SC, x.SN`,
});

/** `alias.COL, ` for each of `columns` of `table` the schema has. */
const optionalCols = (absent: ReadonlySet<string>, table: string, columns: string[], alias: string): string =>
  columns
    .filter((c) => !absent.has(`${table}.${c}`))
    .map((c) => `${alias}.${c}, `)
    .join('');

/**
 * One canonical student per ID: the STU row with the latest enter date (then the highest school code) wins.
 * Students are those with an enrollment in the window (STU also keeps long-gone students, tagged inactive).
 * Rows without an ID are each kept (partitioned by their own SC/SN) so the pipeline reports every one.
 */
const student: EntityExtractSpec = {
  entity: 'student',
  nativeTables: ['STU'],
  query: studentQuery(new Set()),
  queryWithout: studentQuery,
  native: {
    required: [
      ...cols('STU', 'ID SC SN CID LN FN MN BD GN ETH RC1 RC2 RC3 RC4 RC5 ED DEL'),
      ...cols('ENR', 'ID YR DEL'),
    ],
    optional: [
      { name: 'STU.SX', fields: [] },
      { name: 'STU.HL', fields: ['home_language'] },
      { name: 'LAC', fields: ['el_status', 'elas_start_date'] },
    ],
  },
  keyPrefix: 'STU',
  // The district id is part of the key so a row without one is reported as a null key.
  keyColumns: ['student_id', 'school_code', 'student_number'],
  fields: {
    student_id: { column: 'student_id', label: 'STU.ID' },
    state_student_id: { column: 'state_student_id', label: 'STU.CID' },
    last_name: { column: 'last_name', label: 'STU.LN' },
    first_name: { column: 'first_name', label: 'STU.FN' },
    middle_name: { column: 'middle_name', label: 'STU.MN' },
    birth_date: { column: 'birth_date', date: true, label: 'STU.BD' },
    sex: { column: 'sex', codeSet: 'sex', label: 'STU.GN' },
    hispanic: { column: 'hispanic', bool: { true: ['Y'], false: ['N'] }, label: 'STU.ETH' },
    races: { columns: ['race1', 'race2', 'race3', 'race4', 'race5'], label: 'STU.RC1..RC5' },
    el_status: { column: 'el_status', label: 'LAC.ELAS' },
    elas_start_date: { column: 'elas_start_date', date: true, label: 'LAC.ESD' },
    home_language: { column: 'home_language', label: 'STU.HL' },
  },
};

/**
 * ENR rows of the window's years. Status is derived (ENR has no status column): 'NS' no-show (LD = ED with exit
 * 470/N470), 'L' left (LD set; a completer exit becomes graduated), otherwise the STU.TG of the student's row at
 * that school ('A' when blank), from one pre-aggregated STU set (no sub-query per row).
 * Aeries has no entry code on ENR (the Ed-Fi mapping hard-codes "Other"), so entry_code is not supplied.
 */
const enrollmentQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT e.ID AS student_id, e.SC AS school_code, e.YR AS school_year, e.ED AS entry_date, e.LD AS exit_date,
  e.GR AS grade_level, e.ER AS exit_code,
  CASE
    WHEN e.LD IS NOT NULL AND e.LD = e.ED AND e.ER IN ('470', 'N470') THEN 'NS'
    WHEN e.LD IS NOT NULL THEN 'L'
    ELSE COALESCE(tg.tag, 'A')
  END AS status_tag,
  CASE WHEN e.SC = ${AERIES_PSEUDO_SCHOOL}${unless(absent, 'LOC.DNR', ' OR dnr.CD IS NOT NULL', '')} THEN 'Y' ELSE 'N' END AS excluded_flag
FROM ENR e
LEFT JOIN (SELECT p.ID, p.SC, MAX(NULLIF(p.TG, '')) AS tag FROM STU p WHERE p.DEL = 0 GROUP BY p.ID, p.SC) tg
  ON tg.ID = e.ID AND tg.SC = e.SC${unless(
    absent,
    'LOC.DNR',
    `
LEFT JOIN (SELECT DISTINCT l.CD FROM LOC l WHERE l.DEL = 0 AND l.DNR IS NOT NULL AND l.DNR <> '') dnr ON dnr.CD = e.SC`,
    '',
  )}
WHERE e.DEL = 0 AND e.YR >= :firstYear AND e.YR <= :schoolYear
ORDER BY e.ID, e.ED, e.SC`,
});

/** An enrollment at a "do not report" school (LOC.DNR) or at the pseudo-school 999 is excluded from state reporting. */
const enrollment: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['ENR', 'STU', 'LOC'],
  query: enrollmentQuery(new Set()),
  queryWithout: enrollmentQuery,
  native: {
    required: [
      ...cols('ENR', 'ID SC YR ED LD GR ER DEL'),
      ...cols('STU', 'ID SC TG DEL'),
      ...cols('LOC', 'CD DEL'),
    ],
    optional: [{ name: 'LOC.DNR', fields: [] }],
  },
  keyPrefix: 'ENR',
  keyColumns: ['student_id', 'school_code', 'entry_date'],
  fields: {
    student_id: { column: 'student_id', label: 'ENR.ID' },
    school_id: { column: 'school_code', label: 'ENR.SC' },
    school_year: { column: 'school_year', label: 'ENR.YR' },
    entry_date: { column: 'entry_date', date: true, label: 'ENR.ED' },
    exit_date: { column: 'exit_date', date: true, label: 'ENR.LD' },
    grade_level: { column: 'grade_level', codeSet: 'grade_level', label: 'ENR.GR' },
    exit_code: { column: 'exit_code', codeSet: 'exit_code', label: 'ENR.ER' },
    status: { column: 'status_tag', codeSet: 'enrollment_status', label: 'STU.TG' },
    state_reporting_excluded: {
      column: 'excluded_flag',
      bool: { true: ['Y'], false: ['N'] },
      label: 'LOC.DNR / SC 999',
    },
  },
  refine: refineGraduation,
};

/**
 * Programs as California districts keep them in Aeries: PGM (participation dates PSD/PED; LIP 300–307, foster,
 * homeless …), special education in CSE (entry ED / exit XD → 144), Section 504 plans in FOF (SD/ED → 101) and
 * free/reduced meal eligibility in FRE (CD F → 181, R → 182; SD/ED). Each in the window. CSE, FOF and FRE are
 * optional: an Aeries without one still runs, without those programs (no canonical field is lost). [L] column
 * names of CSE/FOF/FRE follow the county's validation queries, not vendor documentation. PGM carries no school.
 */
const PROGRAM_SOURCES: { table: string; sql: string }[] = [
  {
    table: 'CSE',
    sql: `SELECT c.ID AS student_id, '144' AS program_code, c.ED AS start_date, c.XD AS end_date
FROM CSE c WHERE c.DEL = 0 AND ${inWindow('c.ED', 'c.XD')}`,
  },
  {
    table: 'FOF',
    sql: `SELECT f.ID AS student_id, '101' AS program_code, f.SD AS start_date, f.ED AS end_date
FROM FOF f WHERE f.DEL = 0 AND ${inWindow('f.SD', 'f.ED')}`,
  },
  {
    table: 'FRE',
    sql: `SELECT r.ID AS student_id, CASE r.CD WHEN 'F' THEN '181' WHEN 'R' THEN '182' ELSE r.CD END AS program_code,
  r.SD AS start_date, r.ED AS end_date
FROM FRE r WHERE r.DEL = 0 AND ${inWindow('r.SD', 'r.ED')}`,
  },
];

const programQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT u.student_id, u.program_code, u.start_date, u.end_date FROM (
SELECT g.PID AS student_id, g.CD AS program_code, g.PSD AS start_date, g.PED AS end_date
FROM PGM g
WHERE g.DEL = 0 AND ${inWindow('g.PSD', 'g.PED')}${PROGRAM_SOURCES.filter((p) => !absent.has(p.table))
    .map((p) => `\nUNION ALL\n${p.sql}`)
    .join('')}
) u
ORDER BY u.student_id, u.program_code, u.start_date`,
});

const program: EntityExtractSpec = {
  entity: 'program',
  nativeTables: ['PGM', 'CSE', 'FOF', 'FRE'],
  query: programQuery(new Set()),
  queryWithout: programQuery,
  native: {
    required: cols('PGM', 'PID CD PSD PED DEL'),
    optional: PROGRAM_SOURCES.map((p) => ({ name: p.table, fields: [] })),
  },
  keyPrefix: 'PGM',
  keyColumns: ['student_id', 'program_code', 'start_date'],
  fields: {
    student_id: { column: 'student_id', label: 'PGM.PID / CSE.ID / FOF.ID / FRE.ID' },
    program_code: {
      column: 'program_code',
      codeSet: 'program_code',
      label: 'PGM.CD / CSE 144 / FOF 101 / FRE.CD',
    },
    start_date: { column: 'start_date', date: true, label: 'PGM.PSD / CSE.ED / FOF.SD / FRE.SD' },
    end_date: { column: 'end_date', date: true, label: 'PGM.PED / CSE.XD / FOF.ED / FRE.ED' },
  },
};

/** MST + CRS; the teacher is MST.TN → TCH(SC, TN).ID (0 = no staff link) → STF.ID. MST has no term column here. */
const sectionQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT ${SECTION_ID('m')} AS section_id, m.SC AS school_code, m.SE AS section_number, m.CN AS course_code,
  c.CO AS course_title, ${unless(absent, 'CRS.C3', 'c.C3', 'CAST(NULL AS varchar(4))')} AS state_course_code,
  NULLIF(t.ID, 0) AS teacher_staff_id
FROM MST m
LEFT JOIN CRS c ON c.CN = m.CN AND c.DEL = 0
LEFT JOIN TCH t ON t.SC = m.SC AND t.TN = m.TN AND t.DEL = 0
WHERE m.DEL = 0
ORDER BY m.SC, m.SE`,
});

const section: EntityExtractSpec = {
  entity: 'section',
  nativeTables: ['MST', 'CRS', 'TCH'],
  query: sectionQuery(new Set()),
  queryWithout: sectionQuery,
  native: {
    required: [
      ...cols('MST', 'SC SE CN TN DEL'),
      ...cols('CRS', 'CN CO DEL'),
      ...cols('TCH', 'SC TN ID DEL'),
    ],
    optional: [{ name: 'CRS.C3', fields: ['state_course_code'] }],
  },
  keyPrefix: 'MST',
  keyColumns: ['school_code', 'section_number'],
  fields: {
    section_id: { column: 'section_id', label: 'MST.SC+SE' },
    school_id: { column: 'school_code', label: 'MST.SC' },
    course_code: { column: 'course_code', label: 'MST.CN' },
    course_title: { column: 'course_title', label: 'CRS.CO' },
    state_course_code: { column: 'state_course_code', label: 'CRS.C3' },
    teacher_staff_id: { column: 'teacher_staff_id', label: 'TCH.ID' },
  },
};

/**
 * SEC is the live schedule (no dates); CAR is the class history with dates (DS start, DE end; DE null = still in
 * the class). A live SEC row takes its begin date from its open CAR row; a CAR row that ended (DE set) within the
 * window is a past class, no longer in SEC. Without CAR (optional), SEC alone, undated.
 */
const studentSectionQuery = (absent: ReadonlySet<string>): ExtractQuery => {
  const car = !absent.has('CAR');
  const live = `SELECT s.ID AS student_id, ${SECTION_ID('x')} AS section_id, x.SC AS school_code, x.SN AS student_number,
  x.SE AS section_number, 'SEC' AS source_table, ${car ? 'c.DS' : 'CAST(NULL AS date)'} AS begin_date,
  CAST(NULL AS date) AS end_date
FROM SEC x
JOIN STU s ON s.SC = x.SC AND s.SN = x.SN AND s.DEL = 0${
    car
      ? `
LEFT JOIN (SELECT o.SC, o.SN, o.SE, MIN(o.DS) AS DS FROM CAR o WHERE o.DEL = 0 AND o.DE IS NULL GROUP BY o.SC, o.SN, o.SE) c
  ON c.SC = x.SC AND c.SN = x.SN AND c.SE = x.SE`
      : ''
  }
WHERE x.DEL = 0`;
  const past = `SELECT s.ID AS student_id, ${SECTION_ID('h')} AS section_id, h.SC AS school_code, h.SN AS student_number,
  h.SE AS section_number, 'CAR' AS source_table, h.DS AS begin_date, h.DE AS end_date
FROM CAR h
JOIN STU s ON s.SC = h.SC AND s.SN = h.SN AND s.DEL = 0
WHERE h.DEL = 0 AND h.DE IS NOT NULL AND ${inWindow('h.DS', 'h.DE')}`;
  return {
    sql: `SELECT u.student_id, u.section_id, u.school_code, u.student_number, u.section_number, u.source_table,
  u.begin_date, u.end_date
FROM (${live}${car ? `\nUNION ALL\n${past}` : ''}) u
ORDER BY u.school_code, u.student_number, u.section_number, u.source_table`,
  };
};

const studentSection: EntityExtractSpec = {
  entity: 'student_section',
  nativeTables: ['SEC', 'STU', 'CAR'],
  query: studentSectionQuery(new Set()),
  queryWithout: studentSectionQuery,
  native: {
    required: [...cols('SEC', 'SC SN SE DEL'), ...cols('STU', 'ID SC SN DEL')],
    optional: [{ name: 'CAR', fields: ['begin_date', 'end_date'] }],
  },
  keyPrefix: 'SEC',
  // A live class is keyed by its SEC row, a past one by its CAR row.
  keyColumns: ['student_id', 'school_code', 'student_number', 'section_number', 'source_table'],
  fields: {
    student_id: { column: 'student_id', label: 'STU.ID' },
    section_id: { column: 'section_id', label: 'SEC.SC+SE' },
    school_id: { column: 'school_code', label: 'SEC.SC' },
    begin_date: { column: 'begin_date', date: true, label: 'CAR.DS' },
    end_date: { column: 'end_date', date: true, label: 'CAR.DE' },
  },
};

const staff: EntityExtractSpec = {
  entity: 'staff',
  nativeTables: ['STF'],
  query: {
    sql: `SELECT f.ID AS staff_id, f.SID AS state_staff_id, f.LN AS last_name, f.FN AS first_name, f.EM AS email
FROM STF f
WHERE f.DEL = 0
ORDER BY f.ID`,
  },
  native: { required: cols('STF', 'ID SID LN FN EM DEL') },
  keyPrefix: 'STF',
  keyColumns: ['staff_id'],
  fields: {
    staff_id: { column: 'staff_id', label: 'STF.ID' },
    state_staff_id: { column: 'state_staff_id', label: 'STF.SID' },
    last_name: { column: 'last_name', label: 'STF.LN' },
    first_name: { column: 'first_name', label: 'STF.FN' },
    email: { column: 'email', label: 'STF.EM' },
  },
};

/** The section's teacher of record (MST.TN → TCH.ID); Aeries keeps no dates on MST. */
const sectionStaff: EntityExtractSpec = {
  entity: 'section_staff',
  nativeTables: ['MST', 'TCH'],
  query: {
    sql: `SELECT ${SECTION_ID('m')} AS section_id, m.SC AS school_code, m.SE AS section_number, t.ID AS staff_id
FROM MST m
JOIN TCH t ON t.SC = m.SC AND t.TN = m.TN AND t.DEL = 0
WHERE m.DEL = 0 AND t.ID <> 0
ORDER BY m.SC, m.SE`,
  },
  native: {
    required: [...cols('MST', 'SC SE TN DEL'), ...cols('TCH', 'SC TN ID DEL')],
  },
  keyPrefix: 'MST',
  keyColumns: ['school_code', 'section_number'],
  fields: {
    section_id: { column: 'section_id', label: 'MST.SC+SE' },
    school_id: { column: 'school_code', label: 'MST.SC' },
    staff_id: { column: 'staff_id', label: 'TCH.ID' },
    role: { value: 'teacher' },
  },
};

/**
 * Default STU.GR map (Aeries: −1 TK, 0 K, 1–12; 13 graduating seniors; 14 adult; 16 preschool; 17 infant).
 * −2 is no longer a valid Aeries grade (the county's validation flags it), so it stays unmapped and is reported.
 */
export const AERIES_GRADE_MAP: Record<string, string> = {
  '-1': 'TK',
  '0': 'KG',
  ...Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1).padStart(2, '0')]),
  ),
  '13': '13',
  '14': 'AD',
  '16': 'PR',
  '17': 'IT',
};

/**
 * CALPADS exit codes: Aeries stores most as their number (160 = T160 TransCASchRegular) and some with the
 * letter (E155, N470); both spellings map to the CALPADS code, canonical codes pass through.
 */
export const CALPADS_EXIT_CODES = [
  'E125',
  'E130',
  'E140',
  'E150',
  'E155',
  'E156',
  // Non-primary (secondary/short-term) enrollment exit: the only exit SENR0302 allows on status 20.
  'E170',
  'E230',
  'E300',
  'E400',
  'E410',
  'E490',
  'T160',
  'T165',
  'T167',
  'T180',
  'T200',
  'T240',
  'T260',
  'T270',
  'T280',
  'T310',
  'T370',
  'T380',
  'T460',
  'N420',
  'N470',
] as const;

export const AERIES_EXIT_CODE_MAP: Record<string, string> = Object.fromEntries(
  CALPADS_EXIT_CODES.flatMap((c) => [
    [c, c],
    [c.slice(1), c],
  ]),
);

/**
 * CALPADS Education Program codes (code set "Education Program"), passed through: 101 Section 504,
 * 108 Opportunity, 113 California Partnership Academy, 122 Title I Part A, 127 GATE, 135 Migrant, 144 SPED,
 * 162 pregnant/parenting, 174 Title I Part D Neglected, 181/182 free/reduced meals, 185 TK, 190 foster,
 * 191 homeless, 192 armed-forces family, 300–307 Language Instruction Programs.
 */
export const CA_PROGRAM_CODES = [
  '101',
  '108',
  '113',
  '122',
  '127',
  '135',
  '144',
  '162',
  '174',
  '181',
  '182',
  '185',
  '190',
  '191',
  '192',
  '300',
  '301',
  '302',
  '303',
  '304',
  '305',
  '306',
  '307',
] as const;

export const aeriesConnector: ConnectorDefinition = {
  kind: 'aeries',
  title: 'Aeries SIS',
  vendor: 'Aeries Software',
  dialect: 'mssql',
  transports: ['direct', 'agent'],
  schoolYear: {
    mode: 'database_per_year',
    description:
      'One SQL Server database per school year (e.g. DST26000…); connect the link to the year database. ENR (history) is filtered on YR within the comparison window.',
  },
  defaultCodeMaps: {
    grade_level: AERIES_GRADE_MAP,
    // GN (SB-179 gender) with the legacy SX as fallback; N = Aeries' shipped "nonbinary" code.
    sex: { F: 'F', M: 'M', X: 'X', N: 'X', U: 'U' },
    exit_code: AERIES_EXIT_CODE_MAP,
    program_code: Object.fromEntries(CA_PROGRAM_CODES.map((c) => [c, c])),
    // Derived tags (see enrollment query) plus common STU.TG values: '*' pre-enrolled, other tags inactive.
    enrollment_status: {
      A: 'active',
      '*': 'pre_registered',
      L: 'inactive',
      NS: 'no_show',
      W: 'inactive',
      I: 'inactive',
      R: 'inactive',
      G: 'graduated',
    },
  },
  entities: [school, student, enrollment, program, section, studentSection, staff, sectionStaff],
};
