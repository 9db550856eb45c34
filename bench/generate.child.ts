/**
 * The benchmark's generator, in its own process so that the service's peak memory is measured alone.
 * argv[2]: JSON { students, oldUrl, newUrl, defectsPerKind? }. Prints one JSON line { ms, maxRssMb }.
 * Without defectsPerKind every defect kind is injected twice (bench/run.ts: findings digests stay comparable);
 * the load bench asks for a realistic density instead (a district's data admin pages through thousands).
 */
import 'reflect-metadata';
import { errorText } from 'src/common/error-text.util';
import { performance } from 'node:perf_hooks';
import { generatePair } from 'connectors/generator/district-generator.service';
import { defectKindsFor } from 'connectors/generator/generator.types';

interface GenerateInput {
  students: number;
  oldUrl: string;
  newUrl: string;
  defectsPerKind?: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as GenerateInput;
  const t0 = performance.now();
  await generatePair({
    oldSis: 'aeries',
    newSis: 'powerschool',
    students: input.students,
    seed: 'bench',
    oldUrl: input.oldUrl,
    newUrl: input.newUrl,
    defects: input.defectsPerKind
      ? Object.fromEntries(defectKindsFor('CA').map((k) => [k, input.defectsPerKind]))
      : 'all',
    differences: { missing_in_new: 20, missing_in_old: 5, field_drift: 40 },
  });
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${errorText(err, { stack: true })}\n`);
  process.exitCode = 1;
});
