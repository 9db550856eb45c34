import { generateDistrict, generatePair } from 'connectors/generator/district-generator.service';
import {
  DEFECT_KINDS,
  DIFFERENCE_KINDS,
  type DefectKind,
  type DefectSpec,
  type DifferenceKind,
  type DistrictManifest,
  type PairManifest,
} from 'connectors/generator/generator.types';
import { SIS_KINDS, type SisKind } from 'connectors/sdk/sis-kinds';

export interface GenerateCommandInput {
  sis: string;
  students: number | string;
  seed: string | number;
  /** Connection URL of the database receiving the replica tables (not for `edfi`). */
  db?: string;
  /** `edfi`: the folder receiving the XML interchange files. */
  dir?: string;
  /**
   * Also write the SIS's Ed-Fi ODS into this folder: a pair "the SIS vs its Ed-Fi ODS" with the planted
   * `differences` (the manifest is then the pair's).
   */
  odsDir?: string;
  /** Pair differences as `missing_in_new=5,field_drift=3,unmapped_code_new=2` (with `odsDir`). */
  differences?: string;
  /** Write the manifest JSON to this path. */
  manifest?: string;
  /** 'all' (2 of each kind), a spec object, or text such as `null_key_row=3,unmapped_exit_code=1`. */
  defects?: 'all' | DefectSpec | string;
  schoolYear?: number | string;
  asOf?: string;
}

/** Parses the CLI's defect option; throws on unknown kinds or bad counts. */
export function parseDefects(value: GenerateCommandInput['defects']): DefectSpec | 'all' | undefined {
  if (value === undefined || value === '' || value === 'none') return undefined;
  if (value === 'all') return 'all';
  if (typeof value !== 'string') return value;
  const spec: DefectSpec = {};
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [kind, count = '1'] = part.split('=').map((x) => x.trim());
    if (!(DEFECT_KINDS as readonly string[]).includes(kind))
      throw new Error(`unknown defect '${kind}' (known: ${DEFECT_KINDS.join(', ')})`);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`defect count for ${kind} must be a non-negative integer`);
    spec[kind as DefectKind] = n;
  }
  return spec;
}

/** Parses `kind=count,…` pair differences; throws on unknown kinds or bad counts. */
export function parseDifferences(value: string | undefined): Partial<Record<DifferenceKind, number>> {
  const out: Partial<Record<DifferenceKind, number>> = {};
  for (const part of (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [kind, count = '1'] = part.split('=').map((x) => x.trim());
    if (!(DIFFERENCE_KINDS as readonly string[]).includes(kind))
      throw new Error(`unknown difference '${kind}' (known: ${DIFFERENCE_KINDS.join(', ')})`);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`difference count for ${kind} must be a non-negative integer`);
    out[kind as DifferenceKind] = n;
  }
  return out;
}

/** The SIS replica and its Ed-Fi ODS (interchange files), with the planted publishing differences. */
async function runOdsPair(input: GenerateCommandInput, students: number): Promise<PairManifest> {
  if (input.sis === 'edfi') throw new Error('--ods-dir writes the Ed-Fi ODS of a SIS: --sis names that SIS');
  if (!input.db) throw new Error('--db is required: the SIS replica is written there');
  const started = Date.now();
  const m = await generatePair({
    oldSis: input.sis as SisKind,
    newSis: 'edfi',
    students,
    seed: input.seed,
    oldUrl: input.db,
    newDir: input.odsDir,
    differences: parseDifferences(input.differences),
    schoolYear: input.schoolYear === undefined ? undefined : Number(input.schoolYear),
    asOf: input.asOf,
    manifestPath: input.manifest,
  });
  process.stdout.write(
    `generated ${m.oldSis} district and its Ed-Fi ODS in ${input.odsDir} (seed ${m.seed}) in ${Date.now() - started} ms\n` +
      `  differences planted: ${m.differences.length} (${[...new Set(m.differences.map((d) => d.kind))].join(', ') || 'none'})\n` +
      `  Ed-Fi link needs ${m.new.codeCrosswalks?.length ?? 0} code crosswalk entries and the section id crosswalk (in the manifest)\n`,
  );
  if (input.manifest) process.stdout.write(`  manifest written to ${input.manifest}\n`);
  return m;
}

/** `sis-certify generate`: writes a synthetic district's native replica and prints a summary. */
export async function runGenerateCommand(
  input: GenerateCommandInput,
): Promise<DistrictManifest | PairManifest> {
  if (!(SIS_KINDS as readonly string[]).includes(input.sis))
    throw new Error(`unknown SIS '${input.sis}' (known: ${SIS_KINDS.join(', ')})`);
  const students = Number(input.students);
  if (!Number.isInteger(students) || students < 1) throw new Error('--students must be a positive integer');
  if (input.odsDir) return runOdsPair(input, students);
  const target = input.sis === 'edfi' ? input.dir : input.db;
  if (!target)
    throw new Error(
      input.sis === 'edfi'
        ? '--dir is required for edfi (the interchange files go there)'
        : '--db is required',
    );
  const started = Date.now();
  const manifest = await generateDistrict(target, {
    sis: input.sis as SisKind,
    students,
    seed: input.seed,
    schoolYear: input.schoolYear === undefined ? undefined : Number(input.schoolYear),
    asOf: input.asOf,
    defects: parseDefects(input.defects),
    manifestPath: input.manifest,
  });
  const counts = Object.entries(manifest.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(
    `generated ${manifest.sis} district (seed ${manifest.seed}, ${manifest.schoolYear}-${manifest.schoolYear + 1}) in ${Date.now() - started} ms\n`,
  );
  process.stdout.write(
    `  rows: ${counts}\n  defects injected: ${manifest.defects.length}\n  manifest hash: ${manifest.hash}\n`,
  );
  if (manifest.dir) process.stdout.write(`  Ed-Fi interchange files written to ${manifest.dir}\n`);
  if (input.manifest) process.stdout.write(`  manifest written to ${input.manifest}\n`);
  return manifest;
}
