import { generateDistrict } from 'connectors/generator/district-generator.service';
import {
  DEFECT_KINDS,
  type DefectKind,
  type DefectSpec,
  type DistrictManifest,
} from 'connectors/generator/generator.types';
import { SIS_KINDS, type SisKind } from 'connectors/sdk/sis-kinds';

export interface GenerateCommandInput {
  sis: string;
  students: number | string;
  seed: string | number;
  /** Connection URL of the database receiving the replica tables. */
  db: string;
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

/** `sis-certify generate`: writes a synthetic district's native replica and prints a summary. */
export async function runGenerateCommand(input: GenerateCommandInput): Promise<DistrictManifest> {
  if (!(SIS_KINDS as readonly string[]).includes(input.sis))
    throw new Error(`unknown SIS '${input.sis}' (known: ${SIS_KINDS.join(', ')})`);
  const students = Number(input.students);
  if (!Number.isInteger(students) || students < 1) throw new Error('--students must be a positive integer');
  const started = Date.now();
  const manifest = await generateDistrict(input.db, {
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
  if (input.manifest) process.stdout.write(`  manifest written to ${input.manifest}\n`);
  return manifest;
}
