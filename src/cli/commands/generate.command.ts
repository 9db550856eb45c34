import type { Command } from 'commander';
import { runGenerateCommand } from 'connectors/generator/generate.command';
import { DEFECT_KINDS } from 'connectors/generator/generator.types';
import { SIS_KINDS } from 'src/districts/district.types';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'write a deterministic synthetic district as a native SIS replica into a PostgreSQL database, or as Ed-Fi XML interchange files into a folder',
    )
    .requiredOption('--sis <sis>', `SIS: ${SIS_KINDS.join(', ')}`)
    .requiredOption('--students <n>', 'number of students')
    .option('--seed <seed>', 'random seed (same seed, same district)', '1')
    .option('--db <url>', 'PostgreSQL URL of the (empty) database to write the replica into')
    .option('--dir <folder>', '--sis edfi: the folder to write the XML interchange files into')
    .option(
      '--ods-dir <folder>',
      "also write the SIS's Ed-Fi ODS (XML interchange files) into this folder: a SIS vs its Ed-Fi ODS pair",
    )
    .option(
      '--differences <spec>',
      'with --ods-dir: what publishing lost, e.g. missing_in_new=5,field_drift=3,unmapped_code_new=2',
    )
    .option('--school-year <yyyy>', 'start year of the school year, e.g. 2026 for 2026-27')
    .option('--defects <spec>', `'all' or kind=count,… (kinds: ${DEFECT_KINDS.join(', ')})`)
    .option('--manifest <file>', 'write the manifest of what was generated and injected to this JSON file')
    .action(
      async (o: {
        sis: string;
        students: string;
        seed: string;
        db?: string;
        dir?: string;
        odsDir?: string;
        differences?: string;
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
          dir: o.dir,
          odsDir: o.odsDir,
          differences: o.differences,
          schoolYear: o.schoolYear,
          defects: o.defects,
          manifest: o.manifest,
        });
      },
    );
}
