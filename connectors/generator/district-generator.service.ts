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
import { addDays } from 'connectors/generator/calendar.util';
import {
  buildDistrict,
  buildStudent,
  gradeOrder,
  rngFor,
  studentBase,
  type GeneratorState,
  type ModelDistrict,
  type ModelStudent,
} from 'connectors/generator/district-model.util';
import type { SisEncoder } from 'connectors/generator/encoder.types';
import type {
  DefectSpec,
  DistrictManifest,
  GenerateDistrictOptions,
  InjectedDefect,
  PairDifference,
  PairManifest,
  SampleStudent,
  Scenario,
} from 'connectors/generator/generator.types';
import { InfiniteCampusEncoder } from 'connectors/generator/infinite-campus.encoder';
import { PowerSchoolEncoder } from 'connectors/generator/powerschool.encoder';
import { ReplicaWriter, resetReplica } from 'connectors/generator/replica-writer.util';
import type { SisKind } from 'src/districts/district.types';

export type DatabaseTarget = Pool | string;

export function createEncoder(sis: SisKind): SisEncoder {
  switch (sis) {
    case 'aeries':
      return new AeriesEncoder();
    case 'powerschool':
      return new PowerSchoolEncoder();
    case 'infinite_campus':
      return new InfiniteCampusEncoder();
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
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
    if (typeof target === 'string') await pool.end();
  }
}

/** Writes the district in the SIS's native form, batch by batch (memory stays bounded by the batch size). */
async function writeReplica(
  target: DatabaseTarget,
  sis: SisKind,
  d: ModelDistrict,
  plan: DefectPlan,
  opts: {
    batchSize: number;
    method: 'copy' | 'insert';
    transform?: StudentTransform;
    reserved?: Set<number>;
  },
): Promise<WriteResult> {
  return withClient(target, async (client) => {
    await resetReplica(client, sis);
    const encoder = createEncoder(sis);
    const writer = new ReplicaWriter(client, encoder.tables, opts.method);
    const defects = applySectionDefects(d, plan);
    encoder.writeDistrict(d, writer);
    await writer.flush();
    const samples = new Map<Scenario, SampleStudent[]>();
    for (let from = 0; from < d.students; from += opts.batchSize) {
      const to = Math.min(d.students, from + opts.batchSize);
      for (let i = from; i < to; i++) {
        let s: ModelStudent | null = buildStudent(d, i);
        const kinds = plan.byStudent.get(i);
        if (kinds) defects.push(...applyStudentDefects(d, s, kinds, plan));
        s = opts.transform ? opts.transform(s) : s;
        if (!s) continue;
        encoder.writeStudent(d, s, writer);
        const list = samples.get(s.scenario) ?? [];
        if (!kinds && !opts.reserved?.has(i) && list.length < SAMPLES_PER_SCENARIO)
          samples.set(s.scenario, [...list, sample(s)]);
      }
      await writer.flush();
    }
    plan.extras.forEach((extra, position) => encoder.writeStudent(d, buildExtra(d, extra, position), writer));
    await writer.flush();
    const order: Scenario[] = [
      'continuing',
      'late_entry',
      'transfer',
      'withdrawn',
      'no_show',
      'pre_registered',
    ];
    return {
      counts: { ...encoder.counts },
      nativeRows: writer.nativeRows,
      defects,
      samples: order.flatMap((k) => samples.get(k) ?? []),
    };
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
  const plan = planDefects(d, resolveDefects(opts.defects, d.state));
  const result = await writeReplica(target, opts.sis, d, plan, {
    batchSize: opts.batchSize ?? 1000,
    method: opts.method ?? 'copy',
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
  };
  if (opts.manifestPath) await writeFile(opts.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
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
  differences?: { missing_in_new?: number; missing_in_old?: number; field_drift?: number };
  /** Data-quality defects carried by BOTH replicas (a migration copies the old SIS's errors); default none. */
  defects?: DefectSpec | 'all';
  /**
   * Planned defects left out, per kind (the first N in plan order); every other defect stays on the same
   * record, so generations that withhold different counts make a fixed-and-introduced history.
   */
  withheldDefects?: DefectSpec;
  schoolYear?: number;
  asOf?: string;
  manifestPath?: string;
  batchSize?: number;
  method?: 'copy' | 'insert';
}

const DRIFT_FIELDS = ['birth_date', 'last_name', 'grade_level'] as const;

interface PairPlan {
  missingInNew: Set<number>;
  missingInOld: Set<number>;
  drift: Map<number, (typeof DRIFT_FIELDS)[number]>;
}

function planPair(d: ModelDistrict, diff: NonNullable<GeneratePairOptions['differences']>): PairPlan {
  const rng = rngFor(d.seed, 'pair');
  const used = new Set<number>();
  const take = (n: number): number[] => {
    const out: number[] = [];
    for (let guard = 0; out.length < n && guard < d.students * 20; guard++) {
      const i = Math.floor(rng() * d.students);
      if (used.has(i) || studentBase(d, i).scenario !== 'continuing') continue;
      used.add(i);
      out.push(i);
    }
    return out;
  };
  const missingInNew = new Set(take(diff.missing_in_new ?? 0));
  const missingInOld = new Set(take(diff.missing_in_old ?? 0));
  const drift = new Map(
    take(diff.field_drift ?? 0).map((i, k) => [i, DRIFT_FIELDS[k % DRIFT_FIELDS.length]]),
  );
  return { missingInNew, missingInOld, drift };
}

function key(s: ModelStudent): PairDifference['key'] {
  return { state_student_id: s.stateId, student_id: String(s.id) };
}

/** Applies a field drift to the new side's copy of a student; returns the difference it makes. */
function drift(s: ModelStudent, field: (typeof DRIFT_FIELDS)[number]): PairDifference {
  const base = { kind: 'field_drift' as const, key: key(s), field };
  switch (field) {
    case 'birth_date': {
      const old = s.birthDate;
      s.birthDate = addDays(old as string, 1);
      return { ...base, entity: 'student', old, new: s.birthDate };
    }
    case 'last_name': {
      const old = s.last;
      s.last = `${old}-Drift`;
      return { ...base, entity: 'student', old, new: s.last };
    }
    case 'grade_level': {
      const e = s.enrollments[0];
      const old = e.grade;
      const order = gradeOrder(old === 'PK' ? 'TX' : 'CA');
      const at = order.indexOf(old);
      e.grade = order[at === order.length - 1 ? at - 1 : at + 1];
      return { ...base, entity: 'enrollment', old, new: e.grade };
    }
  }
}

/**
 * Writes the same canonical district twice, once per SIS's native form, with controlled differences.
 * Clean records are identical in canonical terms after each connector's mapping.
 */
export async function generatePair(opts: GeneratePairOptions): Promise<PairManifest> {
  const oldTarget = opts.oldPool ?? opts.oldUrl;
  const newTarget = opts.newPool ?? opts.newUrl;
  if (!oldTarget || !newTarget) throw new Error('generatePair needs an old and a new database (url or pool)');
  const seed = String(opts.seed);
  const { schoolYear, asOf } = resolveYear(opts);
  const dropped = opts.oldSis !== 'aeries' && opts.newSis !== 'aeries';
  const build = (): ModelDistrict => buildDistrict(seed, opts.students, schoolYear, asOf, dropped);
  const d = build();
  const pair = planPair(d, opts.differences ?? {});
  const reserved = new Set([...pair.missingInNew, ...pair.missingInOld, ...pair.drift.keys()]);
  const plan = withholdDefects(
    planDefects(d, resolveDefects(opts.defects, d.state), reserved),
    opts.withheldDefects,
  );
  const differences: PairDifference[] = [];
  const common = { batchSize: opts.batchSize ?? 1000, method: opts.method ?? 'copy', reserved };
  const oldResult = await writeReplica(oldTarget, opts.oldSis, d, plan, {
    ...common,
    transform: (s) => {
      if (!pair.missingInOld.has(s.index)) return s;
      differences.push({ kind: 'missing_in_old', entity: 'student', key: key(s) });
      return null;
    },
  });
  const newResult = await writeReplica(newTarget, opts.newSis, build(), plan, {
    ...common,
    transform: (s) => {
      if (pair.missingInNew.has(s.index)) {
        differences.push({ kind: 'missing_in_new', entity: 'student', key: key(s) });
        return null;
      }
      const field = pair.drift.get(s.index);
      if (field) differences.push(drift(s, field));
      return s;
    },
  });
  const side = (sis: SisKind, r: WriteResult): DistrictManifest => {
    const body = { sis, seed, schoolYear, asOf, students: opts.students, ...r };
    return { sis, state: d.state, seed, schoolYear, asOf, students: opts.students, ...r, hash: hashOf(body) };
  };
  const oldManifest = side(opts.oldSis, oldResult);
  const newManifest = side(opts.newSis, newResult);
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
    hash: hashOf({ old: oldManifest.hash, new: newManifest.hash, differences }),
  };
  if (opts.manifestPath) await writeFile(opts.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
