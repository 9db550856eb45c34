import { randomUUID } from 'node:crypto';
import { CONNECTORS, suppliedFields } from 'connectors/index';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { schoolCalendar, weekday } from 'connectors/generator/calendar.util';
import type { GeneratorState } from 'connectors/generator/district-model.util';
import {
  DEFECT_KINDS,
  DEFECT_SIS,
  defectKindsFor,
  type DefectKind,
  type DistrictManifest,
  type InjectedDefect,
} from 'connectors/generator/generator.types';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { StateDirectoryRepository } from 'src/reference-data/state-directory.repository';
import { loadStateDirectory } from 'src/reference-data/state-directory.service';
import { extractSnapshot } from 'src/extraction/extraction.service';
import type { IssueKind } from 'src/extraction/extraction.types';
import { createRuleEngine } from 'src/rule-engine/rule-engine.factory';
import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { selectRulesFrom } from 'src/rule-engine/rule-selection.service';
import type { Rule } from 'src/rule-engine/rule.types';
import type { SisKind } from 'src/districts/district.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';

/**
 * Defect recall and precision of the rule packs: a generated district evaluated clean (nothing may fire) and with
 * every defect kind injected (each injected defect must be found by the rule meant for it, and every finding must
 * be explained by an injected defect). Prints precision and recall per defect kind and SIS.
 */

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };
const STUDENTS = 400;
const CASES: { sis: SisKind; state: GeneratorState }[] = [
  { sis: 'aeries', state: 'CA' },
  { sis: 'powerschool', state: 'CA' },
  { sis: 'infinite_campus', state: 'TX' },
];

interface IssueChannel {
  entity: CanonicalEntity;
  kind: IssueKind;
  field: string;
}

/**
 * What is "meant for" each defect kind: the rules (any one selected for the district must find the defect;
 * rules of other states' packs or needing fields the connector lacks are simply not selected) and, for data
 * exceptions, the extraction issue the pipeline must report. A defect is found when every declared channel finds
 * it on the right record.
 */
const DEFECT_RULES: Record<DefectKind, { rules?: string[]; extractionIssue?: IssueChannel }> = {
  missing_birth_date: { rules: ['COM-STU-003', 'TX-40100-0017'] },
  future_birth_date: { rules: ['COM-STU-009', 'CA-IVR0668'] },
  duplicate_state_id: { rules: ['COM-STU-013', 'TX-40100-000A'] },
  same_name_birth_two_ids: { rules: ['COM-STU-014'] },
  // COM-ENR-009 / CA-SENR0027 need the primary/secondary indicator (Infinite Campus); COM-ENR-022 covers Aeries/PowerSchool.
  overlapping_enrollment: { rules: ['COM-ENR-009', 'CA-SENR0027', 'COM-ENR-022'] },
  exit_before_entry: { rules: ['COM-ENR-006', 'CA-SENR0018'] },
  exit_date_without_code: { rules: ['COM-ENR-007', 'CA-SENR0020'] },
  exit_code_without_date: { rules: ['COM-ENR-008', 'CA-SENR0015'] },
  invalid_grade_code: {
    extractionIssue: { entity: 'enrollment', kind: 'unmapped_code', field: 'grade_level' },
    rules: ['COM-ENR-001'],
  },
  unmapped_exit_code: {
    extractionIssue: { entity: 'enrollment', kind: 'unmapped_code', field: 'exit_code' },
  },
  // Infinite Campus supplies no school grade span (it lives per calendar): there the grade/age rules find the wrong grade.
  grade_outside_school_span: {
    rules: ['COM-ENR-013', 'CA-SENR0269', 'COM-ENR-018', 'CA-IVR0262', 'COM-ENR-020'],
  },
  // CA-SENR0184 reads the state's directory (the closed school is closed there too); TX-40110-0003 reads AskTED,
  // which Texas districts of the generator do not ship: there COM-ENR-012 (the SIS's active flag) finds it.
  enrolled_inactive_school: { rules: ['COM-ENR-012', 'TX-40110-0003', 'CA-SENR0184'] },
  section_without_teacher: { rules: ['COM-SCH-001', 'TX-10050-TEACHER'] },
  roster_without_enrollment: { rules: ['COM-SCH-005', 'CA-CERT005'] },
  program_outside_enrollment: { rules: ['COM-PRG-004', 'CA-SPRG-HOMELESS-ENR'] },
  missing_state_id: { rules: ['COM-STU-001'] },
  null_key_row: { extractionIssue: { entity: 'student', kind: 'null_key', field: 'student_id' } },
  impossible_date: {
    extractionIssue: { entity: 'enrollment', kind: 'impossible_date', field: 'entry_date' },
    rules: ['COM-ENR-001'],
  },
  leaver_below_grade7: { rules: ['TX-40203-0001'] },
  student_id_invalid_area: { rules: ['TX-40100-0014'] },
  // Fall prior-year leavers: last year's grade 7-12 student, not back by the school-start window, no C162 reason.
  unreported_prior_year_leaver: { rules: ['TX-40203-FALL'] },
  // ELAS TBD since 45 days before the as-of date (Aeries LAC.ESD, PowerSchool S_CA_STU_ELA_C.ELAStatusStartDate).
  elas_tbd_overdue: { rules: ['CA-CERT106'] },
  // The lead teacher's second SECTIONTEACHER row as co-teacher (PowerSchool): both section_staff rows fail.
  duplicate_section_teacher: { rules: ['CA-CRSE0122'] },
};

/**
 * Kinds a SIS cannot carry, said here as the generator's DEFECT_SIS says it (the generator plants them only
 * where the SIS has a native place the connector reads); the cases below must not see them.
 */
const UNAVAILABLE: Partial<Record<DefectKind, Partial<Record<SisKind, string>>>> = {
  elas_tbd_overdue: {
    infinite_campus:
      'the Infinite Campus connector maps no EL status or ELAS start date (CA-CERT106 not selected)',
  },
  duplicate_section_teacher: {
    aeries:
      'Aeries section staff is MST.TN, the one teacher of record: a section cannot list a teacher twice',
    infinite_campus:
      'Infinite Campus section staff is Section.teacherPersonID, the one teacher of record (co-teachers not read)',
  },
};

/**
 * Findings a defect necessarily causes besides its own rules, on the records it involves (the student's own
 * records; both rows of a pair; the null-key copy). Anything else raised on the defective district is a false
 * positive.
 */
const AGE_RULES = ['COM-ENR-018', 'COM-ENR-019', 'COM-ENR-020', 'CA-IVR0262', 'CA-IVR0012'];
const CROSS_EFFECTS: Partial<Record<DefectKind, { rules: string[]; why: string }>> = {
  future_birth_date: {
    rules: ['COM-ENR-021', 'CA-SENR0013', 'CA-SPRG0076', 'CA-SINF0059', ...AGE_RULES],
    why: 'a birth date after every entry and program start also fails the entry/program-before-birth and age rules',
  },
  same_name_birth_two_ids: {
    rules: ['CA-CERT146'],
    why: 'the second record of the same EL student carries no Language Instruction Program (the copy has no programs)',
  },
  exit_before_entry: {
    rules: ['COM-PRG-004'],
    why: 'an enrollment ending before it starts covers no day, so the programs dated within it overlap no enrollment',
  },
  exit_date_without_code: { rules: ['COM-STU-019'], why: 'the student left without a recorded exit reason' },
  unreported_prior_year_leaver: {
    rules: ['COM-ENR-007', 'COM-STU-019'],
    why: "last year's enrollment ended at the year's end without a withdrawal reason, and the student left",
  },
  // The exit-date-without-code rules no longer fire: the native code is present, only unmapped (one finding).
  unmapped_exit_code: {
    rules: ['COM-STU-019'],
    why: 'the student list check reads the canonical exit reason, which the unmapped code leaves empty',
  },
  impossible_date: {
    rules: ['COM-STU-019', 'COM-PRG-004', 'COM-SCH-006', 'CA-CERT005'],
    why: 'the entry date is extracted as null: the enrollment covers no day, so its rosters and programs lie outside any enrollment',
  },
  null_key_row: {
    rules: ['COM-ENR-001', 'COM-STU-001', 'COM-STU-014', 'COM-STU-018', 'COM-STU-019', 'CA-GERR0001-ELAS'],
    why: 'the copy has no student id (its enrollment neither) and no state id, duplicates its source by name and birth date, and no language record (Aeries LAC) is keyed to it',
  },
};

/** Extraction issues a defect causes besides its own channel. */
const ISSUE_EFFECTS: Partial<Record<DefectKind, IssueChannel[]>> = {
  // The copy's enrollment carries the null student id too.
  null_key_row: [{ entity: 'enrollment', kind: 'null_key', field: 'student_id' }],
};

/** One rule exception or extraction issue with the snapshot row it points at. */
interface Rec {
  entity: CanonicalEntity;
  student_id: string | null;
  school_id: string | null;
  record_key: string | null;
  row: Record<string, unknown> | null;
}
interface Finding extends Rec {
  rule_id: string;
  source_key: string | null;
}
interface Issue extends Rec {
  kind: string;
  field: string | null;
  source_key: string | null;
  raw_value: string | null;
}
interface Run {
  manifest: DistrictManifest;
  snapshotId: string;
  rules: Rule[];
  findings: Finding[];
  issues: Issue[];
  errors: string[];
  /** student_id → the student's snap_student row (names and birth date identify a null-key copy). */
  students: Map<string, Record<string, unknown>>;
}

interface KindScore {
  kind: DefectKind;
  injected: number;
  found: number;
  /** Findings of the kind's rules / issues of its channel on its own records. */
  own: number;
  /** … explained by another injected defect (a shared rule, e.g. COM-ENR-001 for grade and date). */
  other: number;
  unexplained: number;
  detectors: string;
}

const scores = new Map<string, KindScore[]>();
const overall = new Map<
  string,
  { findings: number; explained: number; issues: number; issuesExplained: number }
>();

const ENTITIES: CanonicalEntity[] = [
  'school',
  'student',
  'enrollment',
  'program',
  'section',
  'student_section',
  'staff',
  'section_staff',
];

async function runDistrict(
  svc: TestDatabase,
  replica: TestDatabase,
  sis: SisKind,
  state: GeneratorState,
  defects: 'all' | undefined,
): Promise<Run> {
  const manifest = await generateDistrict(replica.url, {
    sis,
    state,
    students: STUDENTS,
    seed: `recall-${sis}`,
    ...YEAR,
    defects,
  });
  const u = new URL(replica.url);
  const driver = new PgDriver({
    linkName: `${sis} replica`,
    host: u.hostname,
    port: Number(u.port || 5432),
    user: u.username,
    database: u.pathname.slice(1),
  });
  const district = await factory.district(svc.pool, {
    state,
    time_zone: state === 'TX' ? 'America/Chicago' : 'America/Los_Angeles',
  });
  const link = await factory.link(svc.pool, district.id, { sis_kind: sis });
  const snapshotId = await factory.snapshot(svc.pool, district.id, link.id, {
    sisKind: sis,
    ...YEAR,
    status: 'extracting',
  });
  const connector = CONNECTORS[sis];
  // The state's school directory, loaded as a district or support would: SENR0269 and the CDS rules read it.
  if (manifest.stateDirectory)
    await loadStateDirectory(new StateDirectoryRepository(new PoolSqlRunner(svc.pool)), {
      state,
      format: manifest.stateDirectory.format,
      sourceFile: manifest.stateDirectory.fileName,
      content: manifest.stateDirectory.content,
      loadedBy: null,
    });
  try {
    await extractSnapshot({
      pool: svc.pool,
      snapshotId,
      connector,
      rows: new DriverRowSource(driver, { batchSize: 500 }),
      codeMaps: {},
      state,
      ...YEAR,
    });
  } finally {
    await driver.close();
  }
  const { selected } = selectRulesFrom(loadRulePacks().rules, {
    state,
    edition: district.edition,
    sisKind: sis,
    suppliedFields: suppliedFields(connector),
  });
  const evaluationId = randomUUID();
  const report = await createRuleEngine(svc.pool).evaluator.evaluate({
    evaluationId,
    districtId: district.id,
    snapshotId,
    rules: selected,
    previousSnapshotId: null,
    today: YEAR.asOf,
  });
  const findings: Finding[] = [];
  const issues: Issue[] = [];
  for (const entity of ENTITIES) {
    const f = await svc.pool.query<Finding>(
      `SELECT x.rule_id, x.entity, x.student_id, x.school_id, x.source_key, x.record_key, to_jsonb(r) AS row
       FROM rule_exceptions x LEFT JOIN snap_${entity} r ON r.snapshot_id = x.snapshot_id AND r.source_key = x.source_key
       WHERE x.evaluation_id = $1 AND x.entity = $2`,
      [evaluationId, entity],
    );
    findings.push(...f.rows);
    const i = await svc.pool.query<Issue>(
      `SELECT i.entity, i.kind, i.field, i.source_key, i.raw_value, to_jsonb(r)->>'student_id' AS student_id,
              to_jsonb(r)->>'school_id' AS school_id, NULL::text AS record_key, to_jsonb(r) AS row
       FROM extraction_issues i LEFT JOIN snap_${entity} r ON r.snapshot_id = i.snapshot_id AND r.source_key = i.source_key
       WHERE i.snapshot_id = $1 AND i.entity = $2`,
      [snapshotId, entity],
    );
    issues.push(...i.rows);
  }
  const s = await svc.pool.query<{ student_id: string; row: Record<string, unknown> }>(
    `SELECT student_id, to_jsonb(r) AS row FROM snap_student r WHERE snapshot_id = $1 AND student_id IS NOT NULL`,
    [snapshotId],
  );
  return {
    manifest,
    snapshotId,
    rules: selected,
    findings,
    issues,
    errors: report.results.filter((r) => r.status === 'error').map((r) => `${r.ruleId}: ${r.error ?? ''}`),
    students: new Map(s.rows.map((r) => [r.student_id, r.row])),
  };
}

const sameRow = (
  a: Record<string, unknown> | null,
  b: Record<string, unknown> | undefined,
  fields: string[],
): boolean => a !== null && b !== undefined && fields.every((f) => a[f] === b[f]);

/** The record the defect was injected into: where its rule or issue must land. */
function isTarget(run: Run, d: InjectedDefect, r: Rec): boolean {
  if (d.kind === 'null_key_row') {
    return (
      r.entity === 'student' &&
      r.student_id === null &&
      sameRow(r.row, run.students.get(d.student_id ?? ''), ['last_name', 'first_name', 'birth_date'])
    );
  }
  if (d.kind === 'section_without_teacher')
    return r.entity === 'section' && r.row?.section_id === d.section_id;
  if (d.kind === 'duplicate_section_teacher')
    return r.entity === 'section_staff' && r.row?.section_id === d.section_id;
  // Enrollments and rosters: the student's record at the defect's school (for an overlap, the added enrollment).
  if (d.entity === 'enrollment' || d.entity === 'student_section')
    return r.entity === d.entity && r.student_id === d.student_id && r.school_id === d.school_id;
  return r.entity === d.entity && r.student_id === d.student_id;
}

/** Records the defect necessarily involves: every record of its student(s), the null-key copy, the section. */
function involves(run: Run, d: InjectedDefect, r: Rec): boolean {
  if (isTarget(run, d, r)) return true;
  if (d.kind === 'section_without_teacher' || d.kind === 'duplicate_section_teacher') return false;
  if (d.kind === 'null_key_row' && r.student_id === null) {
    // The copy's other rows (its enrollment) carry no student id and no name: match them by school.
    return (
      r.entity !== 'student' &&
      r.entity !== 'section' &&
      r.entity !== 'school' &&
      r.entity !== 'staff' &&
      r.school_id === d.school_id
    );
  }
  return r.student_id !== null && (r.student_id === d.student_id || r.student_id === d.other_student_id);
}

const rulesOf = (kind: DefectKind): string[] => [
  ...(DEFECT_RULES[kind].rules ?? []),
  ...(CROSS_EFFECTS[kind]?.rules ?? []),
];
const issueMatches = (c: IssueChannel, i: Issue): boolean =>
  i.entity === c.entity && i.kind === c.kind && i.field === c.field;

function explainsFinding(run: Run, f: Finding): InjectedDefect[] {
  return run.manifest.defects.filter((d) => rulesOf(d.kind).includes(f.rule_id) && involves(run, d, f));
}

function explainsIssue(run: Run, i: Issue): InjectedDefect[] {
  return run.manifest.defects.filter((d) => {
    const channels = [DEFECT_RULES[d.kind].extractionIssue, ...(ISSUE_EFFECTS[d.kind] ?? [])].filter(
      (c): c is IssueChannel => c !== undefined,
    );
    return channels.some((c) => issueMatches(c, i)) && involves(run, d, i);
  });
}

/** Whether the defect is found by every channel declared for its kind; the reason when it is not. */
function missed(run: Run, d: InjectedDefect): string | null {
  const spec = DEFECT_RULES[d.kind];
  if (spec.rules) {
    const available = spec.rules.filter((id) => run.rules.some((r) => r.id === id));
    if (available.length === 0) return `none of ${spec.rules.join(', ')} is selected for ${run.manifest.sis}`;
    if (!run.findings.some((f) => available.includes(f.rule_id) && isTarget(run, d, f)))
      return `no finding of ${available.join(', ')} on the record`;
  }
  const channel = spec.extractionIssue;
  if (channel && !run.issues.some((i) => issueMatches(channel, i) && isTarget(run, d, i)))
    return `no ${channel.kind} issue on ${channel.entity}.${channel.field}`;
  return null;
}

function score(run: Run): KindScore[] {
  return DEFECT_KINDS.map((kind) => {
    const injected = run.manifest.defects.filter((d) => d.kind === kind);
    const spec = DEFECT_RULES[kind];
    const detectors = (spec.rules ?? []).filter((id) => run.rules.some((r) => r.id === id));
    const hits: Rec[] = [
      ...run.findings.filter((f) => detectors.includes(f.rule_id)),
      ...(spec.extractionIssue
        ? run.issues.filter((i) => issueMatches(spec.extractionIssue as IssueChannel, i))
        : []),
    ];
    let own = 0;
    let other = 0;
    let unexplained = 0;
    for (const h of hits) {
      const by = 'rule_id' in h ? explainsFinding(run, h as Finding) : explainsIssue(run, h as Issue);
      if (by.some((d) => d.kind === kind)) own++;
      else if (by.length > 0) other++;
      else unexplained++;
    }
    const unavailable = UNAVAILABLE[kind]?.[run.manifest.sis];
    const channels = [
      ...detectors,
      ...(spec.extractionIssue ? [`issue:${spec.extractionIssue.kind}`] : []),
      ...(!defectKindsFor(run.manifest.state).includes(kind)
        ? [`(not a ${run.manifest.state} defect)`]
        : unavailable && injected.length === 0
          ? [`(not carried: ${unavailable})`]
          : []),
    ];
    return {
      kind,
      injected: injected.length,
      found: injected.filter((d) => missed(run, d) === null).length,
      own,
      other,
      unexplained,
      detectors: channels.join(' '),
    };
  });
}

const pct = (n: number, d: number): string =>
  d === 0 ? '   n/a' : `${((n * 100) / d).toFixed(1).padStart(5)}%`;

function table(title: string, rows: KindScore[]): string {
  const lines = [
    title,
    `${'defect kind'.padEnd(28)} ${'inj'.padStart(4)} ${'found'.padStart(5)} ${'recall'.padStart(7)} ${'hits'.padStart(5)} ${'other'.padStart(5)} ${'FP'.padStart(4)} ${'precision'.padStart(9)}  detectors`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.kind.padEnd(28)} ${String(r.injected).padStart(4)} ${String(r.found).padStart(5)} ${pct(r.found, r.injected).padStart(7)} ${String(r.own).padStart(5)} ${String(r.other).padStart(5)} ${String(r.unexplained).padStart(4)} ${pct(r.own, r.own + r.unexplained).padStart(9)}  ${r.detectors}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('defect recall and precision of the rule packs over generated districts', () => {
  afterAll(() => {
    if (scores.size === 0) return;
    const all = [...scores.values()];
    const merged = DEFECT_KINDS.map((kind, k) => {
      const per = all.map((rows) => rows[k]);
      const sum = (f: (r: KindScore) => number): number => per.reduce((t, r) => t + f(r), 0);
      return {
        kind,
        injected: sum((r) => r.injected),
        found: sum((r) => r.found),
        own: sum((r) => r.own),
        other: sum((r) => r.other),
        unexplained: sum((r) => r.unexplained),
        detectors: '',
      };
    });
    const totals = [...overall.entries()].map(
      ([name, o]) =>
        `${name}: ${o.explained}/${o.findings} findings and ${o.issuesExplained}/${o.issues} extraction issues explained by injected defects`,
    );
    process.stdout.write(
      `\n${table(`all SIS (${[...scores.keys()].join(', ')})`, merged)}${totals.join('\n')}\n`,
    );
  });

  describe.each(CASES)('$sis ($state)', ({ sis, state }) => {
    let svc: TestDatabase;
    let replica: TestDatabase;
    let clean: Run;
    let dirty: Run;

    beforeAll(async () => {
      [svc, replica] = await Promise.all([createTestDatabase(), createTestDatabase({ scratch: true })]);
      clean = await runDistrict(svc, replica, sis, state, undefined);
      dirty = await runDistrict(svc, replica, sis, state, 'all');
    });

    afterAll(async () => {
      await Promise.all([replica?.drop(), svc?.drop()]);
    });

    it('raises nothing on the clean district: no finding from any selected rule, no extraction issue', () => {
      expect(clean.manifest.defects).toEqual([]);
      expect(clean.rules.length).toBeGreaterThan(50);
      expect(clean.errors).toEqual([]);
      expect(clean.findings.map((f) => `${f.rule_id} ${f.entity} ${f.record_key ?? ''}`).sort()).toEqual([]);
      expect(
        clean.issues.map(
          (i) => `${i.entity} ${i.kind} ${i.field ?? ''} ${i.raw_value ?? ''} ${i.source_key ?? ''}`,
        ),
      ).toEqual([]);
    });

    if (sis === 'infinite_campus') {
      it('reads the district as Infinite Campus runs it: no draft trial, no summer school, state grades, the year-end fill is no exit', async () => {
        // What the replica holds (the generator writes it in every district, the clean one too) …
        const native = await replica.pool.query<Record<string, string>>(
          `SELECT
             (SELECT count(*) FROM Roster r JOIN Trial t ON t.trialID = r.trialID WHERE t.active = 0) AS draft_rosters,
             (SELECT count(*) FROM Section s JOIN Trial t ON t.trialID = s.trialID WHERE t.active = 0) AS draft_sections,
             (SELECT count(*) FROM Enrollment e JOIN Calendar c ON c.calendarID = e.calendarID WHERE c.summerSchool = 1) AS summer,
             (SELECT count(*) FROM Enrollment e JOIN Calendar c ON c.calendarID = e.calendarID
               WHERE c.summerSchool = 0 AND c.endYear = $1 AND e.endStatus IS NULL
                 AND e.endDate = (SELECT max(d.date) FROM Day d WHERE d.calendarID = c.calendarID AND d.instruction = 1)) AS fill,
             (SELECT count(*) FROM Enrollment WHERE grade IN ('K', 'PK4', '9')) AS local_names`,
          [YEAR.schoolYear + 1],
        );
        for (const [k, n] of Object.entries(native.rows[0])) expect([k, Number(n) > 0]).toEqual([k, true]);
        // … and what the snapshot must show of it.
        const snap = await svc.pool.query<Record<string, string>>(
          `SELECT
             (SELECT count(*) FROM (SELECT section_id FROM snap_section WHERE snapshot_id = $1
                GROUP BY section_id HAVING count(*) > 1) x) AS duplicate_sections,
             (SELECT count(*) FROM snap_student_section WHERE snapshot_id = $1)
               - (SELECT count(DISTINCT source_key) FROM snap_student_section WHERE snapshot_id = $1) AS dup_rosters,
             (SELECT count(*) FROM snap_enrollment WHERE snapshot_id = $1 AND entry_date = make_date($2, 6, 8)) AS summer,
             (SELECT count(*) FROM snap_enrollment WHERE snapshot_id = $1 AND exit_date = $3::date AND exit_code IS NULL) AS fill_exits,
             (SELECT count(*) FROM snap_enrollment WHERE snapshot_id = $1 AND grade_level_raw IN ('K', 'PK4', '9')) AS local_grades`,
          [dirty.snapshotId, YEAR.schoolYear, weekday(schoolCalendar(YEAR.schoolYear).lastDay, -1)],
        );
        expect(snap.rows[0]).toEqual({
          duplicate_sections: '0',
          dup_rosters: '0',
          summer: '0',
          fill_exits: '0',
          local_grades: '0',
        });
        // Kept but flagged: Enrollment.stateExclude (a secondary enrollment) and serviceType N, its own kind.
        const flagged = await svc.pool.query<{
          enrollment_type: string;
          excluded: boolean | null;
          n: string;
        }>(
          `SELECT enrollment_type, state_reporting_excluded AS excluded, count(*) AS n FROM snap_enrollment
           WHERE snapshot_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
          [dirty.snapshotId],
        );
        const nativeFlags = await replica.pool.query<Record<string, string>>(
          `SELECT (SELECT count(*) FROM Enrollment WHERE stateExclude = 1) AS excluded,
                  (SELECT count(*) FROM Enrollment WHERE serviceType = 'N') AS services`,
        );
        const { excluded, services } = nativeFlags.rows[0];
        expect(Number(excluded)).toBeGreaterThan(0);
        expect(Number(services)).toBeGreaterThan(0);
        expect(flagged.rows.filter((r) => r.excluded === true)).toEqual([
          { enrollment_type: 'secondary', excluded: true, n: excluded },
          { enrollment_type: 'special_ed_services', excluded: true, n: services },
        ]);
        expect(flagged.rows.filter((r) => r.excluded !== false && r.excluded !== true)).toEqual([]);
        expect(dirty.manifest.counts.section).toBe(
          Number(
            (
              await svc.pool.query(`SELECT count(*) AS n FROM snap_section WHERE snapshot_id = $1`, [
                dirty.snapshotId,
              ])
            ).rows[0].n,
          ),
        );
      });
    }

    it('raises no state finding on rows excluded from state reporting, which would raise some if reported', async () => {
      const stateRules = dirty.rules.filter((r) => r.pack !== 'common');
      // Findings (of the given evaluation) on an excluded row: its own flag, or its student's or school's.
      const onExcluded = async (evaluationId: string): Promise<string[]> => {
        const res = await svc.pool.query<{ f: string }>(
          `SELECT x.rule_id || ' ' || x.entity || ' ' || x.record_key AS f FROM rule_exceptions x
           WHERE x.evaluation_id = $1 AND x.rule_id = ANY($3) AND (
             EXISTS (SELECT 1 FROM snap_school r WHERE r.snapshot_id = $2 AND r.state_reporting_excluded
                     AND (x.entity = 'school' AND r.school_id = x.record_key OR r.school_id = x.school_id AND x.entity <> 'student'))
             OR EXISTS (SELECT 1 FROM snap_student r WHERE r.snapshot_id = $2 AND r.state_reporting_excluded AND r.student_id = x.student_id)
             OR EXISTS (SELECT 1 FROM snap_enrollment r WHERE r.snapshot_id = $2 AND r.state_reporting_excluded
                        AND x.entity = 'enrollment' AND r.source_key = x.source_key))
           ORDER BY 1`,
          [evaluationId, dirty.snapshotId, stateRules.map((r) => r.id)],
        );
        return res.rows.map((r) => r.f);
      };
      const flagged = await svc.pool.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM snap_school WHERE snapshot_id = $1 AND state_reporting_excluded)
              + (SELECT count(*) FROM snap_student WHERE snapshot_id = $1 AND state_reporting_excluded)
              + (SELECT count(*) FROM snap_enrollment WHERE snapshot_id = $1 AND state_reporting_excluded) AS n`,
        [dirty.snapshotId],
      );
      const evaluated = await svc.pool.query<{ id: string }>(
        `SELECT DISTINCT evaluation_id AS id FROM rule_exceptions WHERE snapshot_id = $1`,
        [dirty.snapshotId],
      );
      for (const e of evaluated.rows) expect(await onExcluded(e.id)).toEqual([]);
      expect(Number(flagged.rows[0].n)).toBeGreaterThan(0);
      // Infinite Campus's excluded rows hold clean data; Aeries' pseudo-school 999 and PowerSchool's
      // graduated-students school 999999 have no CDS code.
      if (sis === 'infinite_campus') return;
      // The same state rules checking every row find something on those rows: the scope is what keeps them quiet.
      const evaluationId = randomUUID();
      await createRuleEngine(svc.pool).evaluator.evaluate({
        evaluationId,
        districtId: (
          await svc.pool.query<{ id: string }>(`SELECT district_id AS id FROM snapshots WHERE id = $1`, [
            dirty.snapshotId,
          ])
        ).rows[0].id,
        snapshotId: dirty.snapshotId,
        rules: stateRules.map((r) => ({ ...r, scope: 'all' as const })),
        previousSnapshotId: null,
        today: YEAR.asOf,
      });
      expect((await onExcluded(evaluationId)).length).toBeGreaterThan(0);
    });

    it('finds every injected defect with the rule meant for it (recall 100% per kind)', () => {
      expect(dirty.errors).toEqual([]);
      expect(new Set(dirty.manifest.defects.map((d) => d.kind))).toEqual(new Set(defectKindsFor(state, sis)));
      // What the SIS cannot carry is left out, and only that (each with its reason above).
      const left = defectKindsFor(state).filter((k) => !defectKindsFor(state, sis).includes(k));
      expect(left.map((k) => [k, UNAVAILABLE[k]?.[sis] !== undefined])).toEqual(left.map((k) => [k, true]));
      for (const [k, bySis] of Object.entries(UNAVAILABLE))
        for (const x of Object.keys(bySis))
          expect([k, DEFECT_SIS[k as DefectKind]?.includes(x as SisKind)]).toEqual([k, false]);
      const misses = dirty.manifest.defects
        .map((d) => ({ d, why: missed(dirty, d) }))
        .filter((m) => m.why !== null);
      expect(
        misses.map(
          ({ d, why }) =>
            `${d.kind} ${d.student_id ?? d.section_id ?? ''}@${d.school_id ?? ''}: ${why ?? ''}`,
        ),
      ).toEqual([]);
    });

    it('explains every finding and extraction issue by an injected defect (precision 100%)', () => {
      const rows = score(dirty);
      scores.set(sis, rows);
      const unexplained = dirty.findings.filter((f) => explainsFinding(dirty, f).length === 0);
      const strayIssues = dirty.issues.filter((i) => explainsIssue(dirty, i).length === 0);
      overall.set(sis, {
        findings: dirty.findings.length,
        explained: dirty.findings.length - unexplained.length,
        issues: dirty.issues.length,
        issuesExplained: dirty.issues.length - strayIssues.length,
      });
      process.stdout.write(
        `\n${table(`${sis} (${state}), ${STUDENTS} students, ${dirty.rules.length} rules selected`, rows)}`,
      );
      const defectsOn = (r: Rec): string =>
        dirty.manifest.defects
          .filter((d) => involves(dirty, d, r))
          .map((d) => d.kind)
          .join(',') || 'none';
      expect(
        unexplained
          .map(
            (f) =>
              `${f.rule_id} ${f.entity} ${f.record_key ?? ''} (${f.source_key ?? ''}; defects on the record: ${defectsOn(f)})`,
          )
          .sort(),
      ).toEqual([]);
      expect(
        strayIssues.map(
          (i) => `${i.entity} ${i.kind} ${i.field ?? ''} ${i.raw_value ?? ''} (${i.source_key ?? ''})`,
        ),
      ).toEqual([]);
      for (const r of rows) {
        expect([r.kind, r.found]).toEqual([r.kind, r.injected]);
        expect([r.kind, r.unexplained]).toEqual([r.kind, 0]);
      }
    });
  });
});
