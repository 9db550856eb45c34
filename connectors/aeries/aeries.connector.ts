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

const school: EntityExtractSpec = {
  entity: 'school',
  nativeTables: ['LOC'],
  query: {
    sql: `SELECT l.CD AS school_code, CONCAT(CONCAT(l.CC, l.DC), l.SC) AS state_school_id, l.NM AS name,
  l.LO AS low_grade, l.HI AS high_grade,
  CASE WHEN l.TG IS NULL OR l.TG = '' THEN 'Y' ELSE 'N' END AS active_flag
FROM LOC l
WHERE l.DEL = 0
ORDER BY l.CD`,
  },
  native: { required: cols('LOC', 'CD CC DC SC NM LO HI TG DEL') },
  keyPrefix: 'LOC',
  keyColumns: ['school_code'],
  fields: {
    school_id: { column: 'school_code', label: 'LOC.CD' },
    state_school_id: { column: 'state_school_id', label: 'LOC.CC+DC+SC' },
    name: { column: 'name', label: 'LOC.NM' },
    low_grade: { column: 'low_grade', codeSet: 'grade_level', label: 'LOC.LO' },
    high_grade: { column: 'high_grade', codeSet: 'grade_level', label: 'LOC.HI' },
    active: { column: 'active_flag', bool: { true: ['Y'], false: ['N'] }, label: 'LOC.TG' },
  },
  refine: refineStateSchoolId,
};

/**
 * One canonical student per ID: the STU row with the latest enter date (then the highest school code) wins.
 * Students are those with an enrollment in the window (STU also keeps long-gone students, tagged inactive).
 * Rows without an ID are each kept (partitioned by their own SC/SN) so the pipeline reports every one.
 */
/**
 * The student query without the optional STU columns the schema lacks: SX is the legacy sex code GN falls
 * back on (newer Aeries versions drop it), LF (EL status) and HL (home language) are district-maintained.
 */
const studentQuery = (absent: ReadonlySet<string>): ExtractQuery => ({
  sql: `SELECT x.ID AS student_id, x.SC AS school_code, x.SN AS student_number, x.CID AS state_student_id,
  x.LN AS last_name, x.FN AS first_name, x.MN AS middle_name, x.BD AS birth_date,
  ${unless(absent, 'STU.SX', "COALESCE(NULLIF(x.GN, ''), x.SX)", 'x.GN')} AS sex, x.ETH AS hispanic,
  x.RC1 AS race1, x.RC2 AS race2, x.RC3 AS race3, x.RC4 AS race4, x.RC5 AS race5,
  ${unless(absent, 'STU.LF', "CASE x.LF WHEN 'E' THEN 'EO' WHEN 'L' THEN 'EL' WHEN 'R' THEN 'RFEP' WHEN 'I' THEN 'IFEP' WHEN 'T' THEN 'TBD' ELSE x.LF END", 'CAST(NULL AS varchar(4))')} AS el_status,
  ${unless(absent, 'STU.HL', 'x.HL', 'CAST(NULL AS varchar(2))')} AS home_language
FROM (
  SELECT s.ID, s.SC, s.SN, s.CID, s.LN, s.FN, s.MN, s.BD, s.GN, ${optionalCols(absent, 'STU', ['SX', 'LF', 'HL'], 's')}s.ETH, s.RC1, s.RC2, s.RC3, s.RC4, s.RC5,
    ROW_NUMBER() OVER (
      PARTITION BY s.ID, CASE WHEN s.ID IS NULL THEN s.SC END, CASE WHEN s.ID IS NULL THEN s.SN END
      ORDER BY s.ED DESC, s.SC DESC, s.SN DESC) AS rn
  FROM STU s
  LEFT JOIN (${WINDOW_IDS}) w ON w.ID = s.ID
  WHERE s.DEL = 0 AND (s.ID IS NULL OR w.ID IS NOT NULL)
) x
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
      { name: 'STU.LF', fields: ['el_status'] },
      { name: 'STU.HL', fields: ['home_language'] },
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
    el_status: { column: 'el_status', label: 'STU.LF' },
    home_language: { column: 'home_language', label: 'STU.HL' },
  },
};

/**
 * ENR rows of the window's years. Status is derived (ENR has no status column): 'NS' no-show (LD = ED with exit
 * 470/N470), 'L' left (LD set; a completer exit becomes graduated), otherwise the STU.TG of the student's row at
 * that school ('A' when blank), from one pre-aggregated STU set (no sub-query per row).
 * Aeries has no entry code on ENR (the Ed-Fi mapping hard-codes "Other"), so entry_code is not supplied.
 */
const enrollment: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['ENR', 'STU'],
  query: {
    sql: `SELECT e.ID AS student_id, e.SC AS school_code, e.YR AS school_year, e.ED AS entry_date, e.LD AS exit_date,
  e.GR AS grade_level, e.ER AS exit_code,
  CASE
    WHEN e.LD IS NOT NULL AND e.LD = e.ED AND e.ER IN ('470', 'N470') THEN 'NS'
    WHEN e.LD IS NOT NULL THEN 'L'
    ELSE COALESCE(tg.tag, 'A')
  END AS status_tag
FROM ENR e
LEFT JOIN (SELECT p.ID, p.SC, MAX(NULLIF(p.TG, '')) AS tag FROM STU p WHERE p.DEL = 0 GROUP BY p.ID, p.SC) tg
  ON tg.ID = e.ID AND tg.SC = e.SC
WHERE e.DEL = 0 AND e.YR >= :firstYear AND e.YR <= :schoolYear
ORDER BY e.ID, e.ED, e.SC`,
  },
  native: { required: [...cols('ENR', 'ID SC YR ED LD GR ER DEL'), ...cols('STU', 'ID SC TG DEL')] },
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
  },
  refine: refineGraduation,
};

/** PGM participation dates (PSD/PED) are the program span, in the window; PGM carries no school. */
const program: EntityExtractSpec = {
  entity: 'program',
  nativeTables: ['PGM'],
  query: {
    sql: `SELECT g.PID AS student_id, g.CD AS program_code, g.PSD AS start_date, g.PED AS end_date
FROM PGM g
WHERE g.DEL = 0 AND ${inWindow('g.PSD', 'g.PED')}
ORDER BY g.PID, g.CD, g.PSD`,
  },
  native: { required: cols('PGM', 'PID CD PSD PED DEL') },
  keyPrefix: 'PGM',
  keyColumns: ['student_id', 'program_code', 'start_date'],
  fields: {
    student_id: { column: 'student_id', label: 'PGM.PID' },
    program_code: { column: 'program_code', codeSet: 'program_code', label: 'PGM.CD' },
    start_date: { column: 'start_date', date: true, label: 'PGM.PSD' },
    end_date: { column: 'end_date', date: true, label: 'PGM.PED' },
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

/** SEC is the current schedule only (no dates; history lives in CAR), so begin/end dates are not supplied. */
const studentSection: EntityExtractSpec = {
  entity: 'student_section',
  nativeTables: ['SEC', 'STU'],
  query: {
    sql: `SELECT s.ID AS student_id, ${SECTION_ID('x')} AS section_id, x.SC AS school_code, x.SN AS student_number,
  x.SE AS section_number
FROM SEC x
JOIN STU s ON s.SC = x.SC AND s.SN = x.SN AND s.DEL = 0
WHERE x.DEL = 0
ORDER BY x.SC, x.SN, x.SE`,
  },
  native: { required: [...cols('SEC', 'SC SN SE DEL'), ...cols('STU', 'ID SC SN DEL')] },
  keyPrefix: 'SEC',
  keyColumns: ['student_id', 'school_code', 'student_number', 'section_number'],
  fields: {
    student_id: { column: 'student_id', label: 'STU.ID' },
    section_id: { column: 'section_id', label: 'SEC.SC+SE' },
    school_id: { column: 'school_code', label: 'SEC.SC' },
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
