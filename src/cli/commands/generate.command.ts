import type { Command } from 'commander';
import { runGenerateCommand } from 'connectors/generator/generate.command';
import { DEFECT_KINDS } from 'connectors/generator/generator.types';
import { SIS_KINDS } from 'src/districts/district.types';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'write a deterministic synthetic district as a native SIS replica into a PostgreSQL database',
    )
    .requiredOption('--sis <sis>', `SIS: ${SIS_KINDS.join(', ')}`)
    .requiredOption('--students <n>', 'number of students')
    .option('--seed <seed>', 'random seed (same seed, same district)', '1')
    .requiredOption('--db <url>', 'PostgreSQL URL of the (empty) database to write the replica into')
    .option('--school-year <yyyy>', 'start year of the school year, e.g. 2026 for 2026-27')
    .option('--defects <spec>', `'all' or kind=count,… (kinds: ${DEFECT_KINDS.join(', ')})`)
    .option('--manifest <file>', 'write the manifest of what was generated and injected to this JSON file')
    .action(
      async (o: {
        sis: string;
        students: string;
        seed: string;
        db: string;
        schoolYear?: string;
        defects?: string;
        manifest?: string;
      }) => {
        // runGenerateCommand prints the counts, the defects injected and the manifest hash.
        await runGenerateCommand({
          sis: o.sis,
          students: o.students,
          seed: o.seed,
          db: o.db,
          schoolYear: o.schoolYear,
          defects: o.defects,
          manifest: o.manifest,
        });
      },
    );
}
