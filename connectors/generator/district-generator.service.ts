import { stateDirectoryFile } from 'connectors/generator/state-directory.util';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Pool } from 'pg';
import { AeriesEncoder } from 'connectors/generator/aeries.encoder';
import { currentSchoolYear } from 'connectors/generator/calendar.util';
import {
  applySectionDefects,
  applyStudentDefects,
  buildExtra,
  planDefects,
  withholdDefects,
  resolveDefects,
  type DefectPlan,
} from 'connectors/generator/defects.util';
import { addDays, weekday } from 'connectors/generator/calendar.util';
import {
  buildAlumnus,
  buildDistrict,
  buildStudent,
  gradeOrder,
  rngFor,
  type GeneratorState,
  type ModelDistrict,
  type ModelGrade,
  type ModelProgram,
  type ModelRoster,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import type { SisEncoder } from 'connectors/generator/encoder.types';
import {
  DIFFERENCE_KINDS,
  type DefectSpec,
  type DifferenceKind,
  type DistrictManifest,
  type GenerateDistrictOptions,
  type InjectedDefect,
  type PairDifference,
  type PairManifest,
  type PairTrap,
  type SampleStudent,
  type Scenario,
} from 'connectors/generator/generator.types';
import { EdfiEncoder, edfiCodeCrosswalks, edfiSectionId } from 'connectors/generator/edfi.encoder';
import { InfiniteCampusEncoder } from 'connectors/generator/infinite-campus.encoder';
import { PowerSchoolEncoder } from 'connectors/generator/powerschool.encoder';
import { ReplicaWriter, resetReplica } from 'connectors/generator/replica-writer.util';
import {
  MIGRATION_ELIGIBLE,
  Reidentification,
  STUDENT_TRAP_KINDS,
  TRAP_ELIGIBLE,
  applyMigrationDifference,
  applyOldSideDifference,
  applyStudentTrap,
  buildGraduate,
  differenceApplies,
  graduateIndexes,
  isMigrationDifference,
  oddBirthDate,
  plannedOnStudents,
  type PairShape,
  type StudentTrapKind,
} from 'connectors/generator/migration-traps.util';
import type { SisKind } from 'connectors/sdk/sis-kinds';

export type DatabaseTarget = Pool | string;

/** `excludedRows`: write the rows a SIS keeps but does not report to the state (single districts, not pairs). */
export function createEncoder(sis: SisKind, excludedRows = false): SisEncoder {
  switch (sis) {
    case 'aeries':
      return new AeriesEncoder(excludedRows);
    case 'powerschool':
      return new PowerSchoolEncoder(excludedRows);
    case 'infinite_campus':
      return new InfiniteCampusEncoder();
    case 'edfi':
      throw new Error('an Ed-Fi district is written as XML interchange files, not into a replica database');
  }
}

/** Per-student hook: return null to leave the student out (pair differences), or the student to write. */
type StudentTransform = (s: ModelStudent) => ModelStudent | null;

interface WriteResult {
  counts: DistrictManifest['counts'];
  nativeRows: Record<string, number>;
  defects: InjectedDefect[];
  samples: SampleStudent[];
}

const SAMPLES_PER_SCENARIO = 2;

function sample(s: ModelStudent): SampleStudent {
  return {
    scenario: s.scenario,
    student_id: String(s.id),
    state_student_id: s.stateId,
    last_name: s.last,
    first_name: s.first,
    birth_date: s.birthDate,
    sex: s.sex,
    hispanic: s.hispanic,
    races: s.races,
    enrollments: s.enrollments.map((e) => ({
      school_id: String(e.schoolCode),
      entry_date: e.entry,
      exit_date: e.exit,
      grade_level: e.grade,
      entry_code: e.entryCode,
      exit_code: e.exitCode,
      status: e.status,
    })),
  };
}

async function withClient<T>(
  target: DatabaseTarget,
  fn: (client: import('pg').PoolClient) => Promise<T>,
): Promise<T> {
  const pool = typeof target === 'string' ? new Pool({ connectionString: target, max: 1 }) : target;
  // A connection the server drops while idle (the replica dropped WITH (FORCE) by its owner) must not crash us.
  if (typeof target === 'string') pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
    if (typeof target === 'string') await pool.end();
  }
}

interface WriteOptions {
  batchSize: number;
  method: 'copy' | 'insert';
  transform?: StudentTransform;
  reserved?: Set<number>;
  /** Indexes of former students written after the district's (outside the window, never extracted). */
  alumni?: number[];
  /** Indexes of last year's graduates (in the window), written through `transform` like any student. */
  graduates?: number[];
  /** Rows the SIS keeps but does not report to the state (the other side of a pair would not hold them). */
  excludedRows?: boolean;
}

/** Where the district goes: a SIS's replica tables, or Ed-Fi interchange files. */
interface DistrictOutput {
  counts: DistrictManifest['counts'];
  nativeRows: Record<string, number>;
  writeDistrict(d: ModelDistrict): void;
  writeStudent(d: ModelDistrict, s: ModelStudent): void;
  /** Hands the batch written so far on (bulk load, file back-pressure). */
  flush(): Promise<void>;
}

const SCENARIO_ORDER: Scenario[] = [
  'continuing',
  'late_entry',
  'transfer',
  'withdrawn',
  'no_show',
  'pre_registered',
];

/** Builds and writes the district's students batch by batch (memory stays bounded by the batch size). */
async function writeStudents(
  out: DistrictOutput,
  d: ModelDistrict,
  plan: DefectPlan,
  opts: WriteOptions,
): Promise<WriteResult> {
  const defects = applySectionDefects(d, plan);
  out.writeDistrict(d);
  await out.flush();
  const samples = new Map<Scenario, SampleStudent[]>();
  for (let from = 0; from < d.students; from += opts.batchSize) {
    const to = Math.min(d.students, from + opts.batchSize);
    for (let i = from; i < to; i++) {
      let s: ModelStudent | null = buildStudent(d, i);
      const kinds = plan.byStudent.get(i);
      if (kinds) defects.push(...applyStudentDefects(d, s, kinds, plan));
      s = opts.transform ? opts.transform(s) : s;
      if (!s) continue;
      out.writeStudent(d, s);
      const list = samples.get(s.scenario) ?? [];
      if (!kinds && !opts.reserved?.has(i) && list.length < SAMPLES_PER_SCENARIO)
        samples.set(s.scenario, [...list, sample(s)]);
    }
    await out.flush();
  }
  plan.extras.forEach((extra, position) => out.writeStudent(d, buildExtra(d, extra, position)));
  for (const index of opts.alumni ?? []) out.writeStudent(d, buildAlumnus(d, index));
  for (const index of opts.graduates ?? []) {
    const g = buildGraduate(d, index);
    out.writeStudent(d, opts.transform ? (opts.transform(g) ?? g) : g);
  }
  await out.flush();
  return {
    counts: { ...out.counts },
    nativeRows: out.nativeRows,
    defects,
    samples: SCENARIO_ORDER.flatMap((k) => samples.get(k) ?? []),
  };
}

/**
 * Writes the district in the SIS's native form: replica tables (recreated), or for Ed-Fi the interchange files
 * in the folder `target` names.
 */
async function writeReplica(
  target: DatabaseTarget,
  sis: SisKind,
  d: ModelDistrict,
  plan: DefectPlan,
  opts: WriteOptions,
): Promise<WriteResult> {
  if (sis === 'edfi') {
    if (typeof target !== 'string')
      throw new Error('an Ed-Fi district is written as XML interchange files: give a folder path');
    const encoder = new EdfiEncoder(target);
    await encoder.open();
    try {
      return await writeStudents(
        {
          counts: encoder.counts,
          nativeRows: encoder.nativeRows,
          writeDistrict: (x) => encoder.writeDistrict(x),
          writeStudent: (x, s) => encoder.writeStudent(x, s),
          flush: () => encoder.flush(),
        },
        d,
        plan,
        opts,
      );
    } finally {
      await encoder.close();
    }
  }
  return withClient(target, async (client) => {
    await resetReplica(client, sis);
    const encoder = createEncoder(sis, opts.excludedRows ?? false);
    const writer = new ReplicaWriter(client, encoder.tables, opts.method);
    const result = await writeStudents(
      {
        counts: encoder.counts,
        nativeRows: writer.nativeRows,
        writeDistrict: (x) => encoder.writeDistrict(x, writer),
        writeStudent: (x, s) => encoder.writeStudent(x, s, writer),
        flush: () => writer.flush(),
      },
      d,
      plan,
      opts,
    );
    // A district's SIS database keeps planner statistics (SQL Server auto-stats, Oracle's statistics job);
    // the replica must too, or the connectors' queries are planned for empty tables (nested loops over
    // grouped sets: the Aeries roster query ran for minutes at 20k students on an unanalysed replica).
    await client.query('ANALYZE');
    return result;
  });
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function resolveYear(opts: { schoolYear?: number; asOf?: string }): { schoolYear: number; asOf: string } {
  const schoolYear = opts.schoolYear ?? currentSchoolYear();
  return { schoolYear, asOf: opts.asOf ?? `${schoolYear}-11-01` };
}

function resolveState(sis: SisKind, state: GeneratorState | undefined): GeneratorState {
  const resolved = state ?? 'CA';
  if (resolved === 'TX' && sis !== 'infinite_campus') {
    throw new Error(
      `state TX is generated for infinite_campus only (the ${sis} default grade map is California's)`,
    );
  }
  return resolved;
}

/**
 * Generates a synthetic district into `target` as the native replica of `opts.sis` (drops and recreates the
 * replica tables) and returns its manifest: extract row counts, injected defects, canonical sample values.
 */
export async function generateDistrict(
  target: DatabaseTarget,
  opts: GenerateDistrictOptions,
): Promise<DistrictManifest> {
  if (!Number.isInteger(opts.students) || opts.students < 1)
    throw new Error('students must be a positive integer');
  const seed = String(opts.seed);
  const { schoolYear, asOf } = resolveYear(opts);
  const state = resolveState(opts.sis, opts.state);
  const d = buildDistrict(seed, opts.students, schoolYear, asOf, opts.sis !== 'aeries', state);
  const plan = planDefects(d, resolveDefects(opts.defects, d.state, opts.sis));
  const result = await writeReplica(target, opts.sis, d, plan, {
    batchSize: opts.batchSize ?? 1000,
    method: opts.method ?? 'copy',
    excludedRows: true,
  });
  // The state enters the hash only when it is not the default, so CA manifests hash as before.
  const body = {
    sis: opts.sis,
    seed,
    schoolYear,
    asOf,
    students: opts.students,
    ...(state === 'CA' ? {} : { state }),
    ...result,
  };
  const manifest: DistrictManifest = {
    sis: body.sis,
    state,
    seed,
    schoolYear,
    asOf,
    students: opts.students,
    counts: result.counts,
    nativeRows: result.nativeRows,
    defects: result.defects,
    samples: result.samples,
    hash: hashOf(body),
    stateDirectory: stateDirectoryFile(d),
    ...(opts.sis === 'edfi' ? edfiExtras(d, target) : {}),
  };
  if (opts.manifestPath) await writeFile(opts.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** What an Ed-Fi manifest adds: the folder, and the code crosswalks of the district's descriptor namespace. */
function edfiExtras(
  d: ModelDistrict,
  target: DatabaseTarget,
): Pick<DistrictManifest, 'codeCrosswalks' | 'dir'> {
  return { codeCrosswalks: edfiCodeCrosswalks(d), ...(typeof target === 'string' ? { dir: target } : {}) };
}

export interface GeneratePairOptions {
  oldSis: SisKind;
  newSis: SisKind;
  students: number;
  seed: string | number;
  /** Old and new replicas: a connection URL or a pool each (the two must be different databases). */
  oldUrl?: string;
  newUrl?: string;
  oldPool?: Pool;
  newPool?: Pool;
  /**
   * `newSis: 'edfi'`: the folder receiving the new side's interchange files (the SIS's Ed-Fi ODS; the test
   * ODS/API serves the same folder). The manifest's `crosswalks.section` maps the SIS's section ids to the
   * ODS's natural keys and `new.codeCrosswalks` lists the descriptor mappings the Ed-Fi link needs.
   */
  newDir?: string;
  /** Injected differences per kind (each one difference the comparison must report); default none. */
  differences?: Partial<Record<DifferenceKind, number>>;
  /** Data-quality defects carried by BOTH replicas (a migration copies the old SIS's errors); default none. */
  defects?: DefectSpec | 'all';
  /**
   * Planned defects left out, per kind (the first N in plan order); every other defect stays on the same
   * record, so generations that withhold different counts make a fixed-and-introduced history.
   */
  withheldDefects?: DefectSpec;
  /**
   * Last year's enrollments and records from before the comparison window, plus the traps (default on): things
   * both sides hold, or that lie outside the window, which the comparison must not report.
   */
  history?: boolean;
  /**
   * The new SIS re-identifies records as most migrations do (schools recoded, so section ids change; staff
   * re-ided; one student in four renumbered) and the manifest carries the vendor's crosswalk files
   * (`crosswalks`); the `*_renumbered_unmapped` differences are lines missing from them. Default off.
   */
  reidentify?: boolean;
  schoolYear?: number;
  asOf?: string;
  manifestPath?: string;
  batchSize?: number;
  method?: 'copy' | 'insert';
}

const DRIFT_FIELDS = ['birth_date', 'last_name', 'grade_level'] as const;

/** Traps on both sides: a birth date typed with a year after 2100, an exit before the entry. */
const ODD_BIRTH_DATE = oddBirthDate;

interface PairPlan {
  byStudent: Map<number, DifferenceKind>;
  drift: Map<number, (typeof DRIFT_FIELDS)[number]>;
  traps: Map<number, 'odd_birth_date_both' | 'exit_before_entry_both'>;
  studentTraps: Map<number, StudentTrapKind>;
}

function hasHistory(s: ModelStudent, d: ModelDistrict): boolean {
  return s.enrollments.length > 1 && s.enrollments[0].year === d.priorCalendar.schoolYear;
}

/** Which students each difference kind may use (built lazily: only candidates are built). */
const ELIGIBLE: Record<DifferenceKind, (s: ModelStudent, d: ModelDistrict) => boolean> = {
  missing_in_new: (s) => s.scenario === 'continuing',
  missing_in_old: (s) => s.scenario === 'continuing',
  field_drift: (s) => s.scenario === 'continuing',
  history_missing_in_new: (s, d) => s.scenario === 'continuing' && hasHistory(s, d),
  history_drift: (s, d) => s.scenario === 'continuing' && hasHistory(s, d),
  program_date_moved: (s) => s.scenario === 'continuing' && s.programs.some((p) => !p.beforeWindow),
  exit_before_entry_new: (s) => s.scenario === 'withdrawn' && s.enrollments.length <= 2,
  section_dropped_new: (s) => s.scenario === 'continuing' && s.rosters.length > 1,
  ...MIGRATION_ELIGIBLE,
};

function planPair(
  d: ModelDistrict,
  diff: NonNullable<GeneratePairOptions['differences']>,
  traps: boolean,
  shape: PairShape,
): PairPlan {
  const rng = rngFor(d.seed, 'pair');
  const used = new Set<number>();
  const take = (n: number, ok: (s: ModelStudent) => boolean): number[] => {
    const out: number[] = [];
    for (let guard = 0; out.length < n && guard < d.students * 20; guard++) {
      const i = Math.floor(rng() * d.students);
      if (used.has(i)) continue;
      if (!ok(buildStudent(d, i))) continue;
      used.add(i);
      out.push(i);
    }
    return out;
  };
  const byStudent = new Map<number, DifferenceKind>();
  const drift = new Map<number, (typeof DRIFT_FIELDS)[number]>();
  for (const kind of DIFFERENCE_KINDS) {
    if (!plannedOnStudents(kind) || !differenceApplies(kind, shape)) continue;
    const picked = take(diff[kind] ?? 0, (s) => ELIGIBLE[kind](s, d));
    picked.forEach((i, k) => {
      byStudent.set(i, kind);
      if (kind === 'field_drift') drift.set(i, DRIFT_FIELDS[k % DRIFT_FIELDS.length]);
    });
  }
  const trapped = new Map<number, 'odd_birth_date_both' | 'exit_before_entry_both'>();
  if (traps) {
    for (const i of take(2, (s) => s.scenario === 'continuing')) trapped.set(i, 'odd_birth_date_both');
    for (const i of take(2, (s) => ELIGIBLE.exit_before_entry_new(s, d)))
      trapped.set(i, 'exit_before_entry_both');
  }
  const studentTraps = new Map<number, StudentTrapKind>();
  if (traps)
    for (const kind of STUDENT_TRAP_KINDS)
      for (const i of take(2, (s) => TRAP_ELIGIBLE[kind](s, d))) studentTraps.set(i, kind);
  return { byStudent, drift, traps: trapped, studentTraps };
}

function key(s: ModelStudent): PairDifference['key'] {
  return { state_student_id: s.stateId, student_id: String(s.id) };
}

/** Applies a field drift to the new side's copy of a student; returns the difference it makes. */
function drift(s: ModelStudent, field: (typeof DRIFT_FIELDS)[number]): PairDifference {
  const base = { kind: 'field_drift' as const, key: key(s), field };
  const made = (
    entity: 'student' | 'enrollment',
    old: string | null,
    now: string | null,
  ): PairDifference => ({
    ...base,
    entity,
    old,
    new: now,
    expect: { kind: 'field', entity, field, old, new: now },
  });
  switch (field) {
    case 'birth_date': {
      const old = s.birthDate;
      s.birthDate = addDays(old as string, 1);
      return made('student', old, s.birthDate);
    }
    case 'last_name': {
      const old = s.last;
      s.last = `${old}-Drift`;
      return made('student', old, s.last);
    }
    case 'grade_level': {
      // The current enrollment (last year's, when there is history, stays as it was).
      const e = s.enrollments[s.enrollments.length - 1];
      const old = e.grade;
      e.grade = nextGrade(old);
      return made('enrollment', old, e.grade);
    }
  }
}

function nextGrade(grade: ModelGrade): ModelGrade {
  const order = gradeOrder(grade === 'PK' ? 'TX' : 'CA');
  const at = order.indexOf(grade);
  return order[at === order.length - 1 ? at - 1 : at + 1];
}

/** Applies one of the dated/history differences to the new side's student; returns what must be reported. */
function mutate(
  d: ModelDistrict,
  s: ModelStudent,
  kind: Exclude<DifferenceKind, 'missing_in_new' | 'missing_in_old' | 'field_drift'>,
  datedSchedules: boolean,
  reid: Reidentification | null,
): PairDifference {
  const base = { kind, key: key(s) };
  if (kind === 'student_renumbered_unmapped') {
    if (!reid) throw new Error('student_renumbered_unmapped needs reidentify');
    return reid.renumberUnmapped(s);
  }
  if (kind === 'staff_renumbered_unmapped') throw new Error('staff_renumbered_unmapped is planned on staff');
  if (isMigrationDifference(kind)) return applyMigrationDifference(d, s, kind);
  switch (kind) {
    case 'history_missing_in_new': {
      s.enrollments.shift();
      return { ...base, entity: 'enrollment', expect: { kind: 'missing_in_new', entity: 'enrollment' } };
    }
    case 'history_drift': {
      const e = s.enrollments[0];
      const old = e.grade;
      e.grade = nextGrade(old);
      const change = { field: 'grade_level', old, new: e.grade };
      return {
        ...base,
        entity: 'enrollment',
        ...change,
        expect: { kind: 'field', entity: 'enrollment', ...change },
      };
    }
    case 'program_date_moved': {
      const p = s.programs.find((x) => !x.beforeWindow) as ModelProgram;
      const old = p.start;
      p.start = addDays(old, 7);
      const change = { field: 'start_date', old, new: p.start };
      return {
        ...base,
        entity: 'program',
        ...change,
        expect: { kind: 'field', entity: 'program', ...change },
      };
    }
    case 'exit_before_entry_new': {
      const e = s.enrollments[s.enrollments.length - 1];
      const old = e.exit;
      e.exit = addDays(e.entry, -3);
      const change = { field: 'exit_date', old, new: e.exit };
      return {
        ...base,
        entity: 'enrollment',
        ...change,
        expect: { kind: 'field', entity: 'enrollment', ...change },
      };
    }
    case 'section_dropped_new': {
      const r = s.rosters.find((x) => x.end === null) as ModelRoster;
      r.end = weekday(addDays(d.asOf, -10), -1);
      // Where one SIS holds only the live schedule, the dropped class is simply gone from the new schedule.
      const expect: PairDifference['expect'] = datedSchedules
        ? { kind: 'field', entity: 'student_section', field: 'end_date', old: null, new: r.end }
        : { kind: 'missing_in_new', entity: 'student_section' };
      return { ...base, entity: 'student_section', field: 'end_date', old: null, new: r.end, expect };
    }
  }
}

/** Applies a trap to a student (on both sides). */
function trap(
  d: ModelDistrict,
  s: ModelStudent,
  kind: 'odd_birth_date_both' | 'exit_before_entry_both',
): PairTrap {
  if (kind === 'odd_birth_date_both') {
    s.birthDate = ODD_BIRTH_DATE(d.calendar.schoolYear);
    return { kind, student_id: String(s.id), detail: `birth date ${s.birthDate} typed on both sides` };
  }
  const e = s.enrollments[s.enrollments.length - 1];
  e.exit = addDays(e.entry, -2);
  return { kind, student_id: String(s.id), detail: `exit ${e.exit} before entry ${e.entry} on both sides` };
}

/** Alumni written on both sides (left two years before the window). */
const ALUMNI_INDEX = 500_000;
function alumniCount(students: number): number {
  return Math.max(2, Math.floor(students / 400));
}

/** The SIS's section ids (`school-number`) → the ODS's natural keys, as a district imports them (CSV). */
function edfiSectionCrosswalk(d: ModelDistrict): string {
  const rows = d.schools.flatMap((school) => school.sections.map((x) => `${x.id},${edfiSectionId(d, x)}`));
  return ['old_id,new_id', ...rows, ''].join('\n');
}

/**
 * Writes the same canonical district twice, once per SIS's native form, with controlled differences and
 * traps. Clean records are identical in canonical terms after each connector's mapping.
 */
export async function generatePair(opts: GeneratePairOptions): Promise<PairManifest> {
  const oldTarget = opts.oldPool ?? opts.oldUrl;
  const newTarget = opts.newSis === 'edfi' ? opts.newDir : (opts.newPool ?? opts.newUrl);
  if (opts.oldSis === 'edfi')
    throw new Error(
      'an Ed-Fi ODS is generated as the new side of a pair (the SIS it is published from is the old)',
    );
  if (opts.newSis === 'edfi' && opts.reidentify)
    throw new Error('reidentify is not generated with an Ed-Fi side (the ODS keeps the SIS ids)');
  if (!oldTarget || !newTarget)
    throw new Error(
      opts.newSis === 'edfi'
        ? 'generatePair needs an old database (url or pool) and newDir for the Ed-Fi files'
        : 'generatePair needs an old and a new database (url or pool)',
    );
  const seed = String(opts.seed);
  const { schoolYear, asOf } = resolveYear(opts);
  const history = opts.history ?? true;
  // Schedules are dated on every side: Aeries keeps its class history with dates in CAR (SEC is the live one).
  const datedSchedules = true;
  const build = (): ModelDistrict =>
    buildDistrict(seed, opts.students, schoolYear, asOf, true, 'CA', history);
  const d = build();
  const shape: PairShape = { datedSchedules, reidentify: opts.reidentify ?? false };
  const pair = planPair(d, opts.differences ?? {}, history, shape);
  const reserved = new Set([...pair.byStudent.keys(), ...pair.traps.keys(), ...pair.studentTraps.keys()]);
  const plan = withholdDefects(
    planDefects(d, resolveDefects(opts.defects, d.state, [opts.oldSis, opts.newSis]), reserved),
    opts.withheldDefects,
  );
  const differences: PairDifference[] = [];
  const traps: PairTrap[] = [];
  const alumni = history ? alumniCount(opts.students) : 0;
  const common = {
    batchSize: opts.batchSize ?? 1000,
    method: opts.method ?? 'copy',
    reserved,
    // Above every extra student (indexes students + position), also at 500,000 students and more.
    alumni: Array.from({ length: alumni }, (_, k) => Math.max(ALUMNI_INDEX, opts.students + 100_000) + k),
    graduates: history ? graduateIndexes(opts.students) : [],
  };
  const oldResult = await writeReplica(oldTarget, opts.oldSis, d, plan, {
    ...common,
    transform: (s) => {
      const t = pair.traps.get(s.index);
      if (t) traps.push(trap(d, s, t));
      const st = pair.studentTraps.get(s.index);
      const made = st ? applyStudentTrap(d, s, st, 'old') : null;
      if (made) traps.push(made);
      const planned = pair.byStudent.get(s.index);
      if (planned) applyOldSideDifference(d, s, planned);
      if (planned !== 'missing_in_old') return s;
      differences.push({
        kind: 'missing_in_old',
        entity: 'student',
        key: key(s),
        expect: { kind: 'missing_in_old', entity: 'student' },
      });
      return null;
    },
  });
  const nd = build();
  // Before any student is built: students pick their (recoded) schools and sections from the district.
  const reid = shape.reidentify
    ? new Reidentification(nd, opts.differences?.staff_renumbered_unmapped ?? 0)
    : null;
  if (reid) differences.push(...reid.differences);
  const newResult = await writeReplica(newTarget, opts.newSis, nd, plan, {
    ...common,
    transform: (s) => {
      const t = pair.traps.get(s.index);
      if (t) trap(nd, s, t);
      const st = pair.studentTraps.get(s.index);
      if (st) applyStudentTrap(nd, s, st, 'new');
      const kind = pair.byStudent.get(s.index);
      if (!kind && !reserved.has(s.index)) reid?.renumber(s);
      if (!kind || kind === 'missing_in_old') return s;
      if (kind === 'missing_in_new') {
        differences.push({
          kind,
          entity: 'student',
          key: key(s),
          expect: { kind: 'missing_in_new', entity: 'student' },
        });
        return null;
      }
      if (kind === 'field_drift') differences.push(drift(s, pair.drift.get(s.index) ?? 'last_name'));
      else differences.push(mutate(nd, s, kind, datedSchedules, reid));
      return s;
    },
  });
  if (history) {
    const sampleOf = (k: PairTrap['kind'], detail: string): PairTrap => ({
      kind: k,
      student_id: null,
      detail,
    });
    traps.push(
      sampleOf('prior_year_history', "returning students carry last year's enrollment on both sides"),
      sampleOf('program_before_window', 'programs that ended before the window, on both sides'),
      sampleOf('alumnus_before_window', `${alumni} students who left two years before the window`),
      sampleOf('cds_vs_school_code', 'PowerSchool holds the 14-digit CDS code, Aeries the CDS parts'),
      sampleOf(
        'dropped_section_both',
        'dropped classes on both sides (kept by PowerSchool/IC, absent in SEC)',
      ),
      sampleOf('graduated_status', `${common.graduates.length} graduates of last year (E230) on both sides`),
    );
  }
  if (reid) traps.push(...reid.traps());
  const side = (sis: SisKind, r: WriteResult, target: DatabaseTarget): DistrictManifest => {
    const body = { sis, seed, schoolYear, asOf, students: opts.students, ...r };
    return {
      sis,
      state: d.state,
      seed,
      schoolYear,
      asOf,
      students: opts.students,
      ...r,
      hash: hashOf(body),
      stateDirectory: stateDirectoryFile(d),
      ...(sis === 'edfi' ? edfiExtras(nd, target) : {}),
    };
  };
  const oldManifest = side(opts.oldSis, oldResult, oldTarget);
  const newManifest = side(opts.newSis, newResult, newTarget);
  const manifest: PairManifest = {
    oldSis: opts.oldSis,
    newSis: opts.newSis,
    seed,
    schoolYear,
    asOf,
    students: opts.students,
    old: oldManifest,
    new: newManifest,
    differences,
    traps,
    crosswalks: reid?.files() ?? (opts.newSis === 'edfi' ? { section: edfiSectionCrosswalk(nd) } : {}),
    hash: hashOf({ old: oldManifest.hash, new: newManifest.hash, differences }),
  };
  if (opts.manifestPath) await writeFile(opts.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
