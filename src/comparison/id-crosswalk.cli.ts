import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CLI_PRINCIPAL, out, type CliContext } from 'src/cli/cli-context';
import { IdCrosswalkService } from 'src/comparison/id-crosswalk.service';
import { withApp } from 'src/runs/runs.cli';

export interface CrosswalkImportOptions {
  districtId: string;
  entity: string;
  file: string;
  replace?: boolean;
}

/** `sis-certify crosswalk import`: a vendor's CSV (old_id,new_id), validated like the API's import. */
export async function crosswalkImport(ctx: CliContext, o: CrosswalkImportOptions): Promise<void> {
  const csv = await readFile(o.file, 'utf8');
  await withApp(ctx, async (app) => {
    const r = await app
      .get(IdCrosswalkService)
      .importCsv(CLI_PRINCIPAL, o.districtId, o.entity, csv, o.replace ?? false);
    out(
      `${r.entity}: ${r.received} mappings read, ${r.inserted} inserted, ${r.updated} updated, ${r.removed} removed`,
    );
  });
}

/** `sis-certify crosswalk list`: one page (100) of the entity's mappings, old → new. */
export async function crosswalkList(
  ctx: CliContext,
  o: { districtId: string; entity: string; page?: number },
): Promise<void> {
  await withApp(ctx, async (app) => {
    const r = await app.get(IdCrosswalkService).list(CLI_PRINCIPAL, o.districtId, o.entity, o.page ?? 1);
    out(`${o.entity}: ${r.total} mappings${r.total > r.items.length ? ` (page ${o.page ?? 1})` : ''}`);
    for (const m of r.items) out(`  ${m.oldId} -> ${m.newId}`);
  });
}

/** `sis-certify crosswalk report`: what the crosswalk matched in a run's comparison, with unknown ids. */
export async function crosswalkReport(
  ctx: CliContext,
  o: { districtId: string; entity: string; runId: string },
): Promise<void> {
  await withApp(ctx, async (app) => {
    const r = await app.get(IdCrosswalkService).report(CLI_PRINCIPAL, o.districtId, o.entity, o.runId);
    out(`${r.entity} crosswalk in run ${r.runId}: ${r.mappings} mappings`);
    out(`  old ids found in the old SIS: ${r.oldFound} of ${r.mappings}`);
    out(`  new ids found in the new SIS: ${r.newFound} of ${r.mappings}`);
    if (r.unknownOld.length)
      out(`  unknown old ids (first ${r.unknownOld.length}): ${r.unknownOld.join(', ')}`);
    if (r.unknownNew.length)
      out(`  unknown new ids (first ${r.unknownNew.length}): ${r.unknownNew.join(', ')}`);
  });
}

/** Registers `crosswalk import|list|report`. */
export function registerCrosswalkCommands(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => Promise<void>,
): void {
  const cw = program
    .command('crosswalk')
    .description('identifier crosswalks (old id -> new id) for schools, sections, staff and students');
  cw.command('import')
    .description("import a migration vendor's CSV (header old_id,new_id)")
    .requiredOption('--district <id>', 'district id')
    .requiredOption('--entity <entity>', 'school | section | staff | student')
    .requiredOption('--file <path>', 'CSV file')
    .option('--replace', "replace the entity's other mappings")
    .action((opts: { district: string; entity: string; file: string; replace?: boolean }) =>
      run((ctx) =>
        crosswalkImport(ctx, {
          districtId: opts.district,
          entity: opts.entity,
          file: opts.file,
          replace: opts.replace,
        }),
      ),
    );
  cw.command('list')
    .description("list an entity's mappings (100 per page)")
    .requiredOption('--district <id>', 'district id')
    .requiredOption('--entity <entity>', 'school | section | staff | student')
    .option('--page <n>', 'page', (v) => Number(v), 1)
    .action((opts: { district: string; entity: string; page: number }) =>
      run((ctx) => crosswalkList(ctx, { districtId: opts.district, entity: opts.entity, page: opts.page })),
    );
  cw.command('report')
    .description("what the crosswalk matched in a run's comparison")
    .requiredOption('--district <id>', 'district id')
    .requiredOption('--entity <entity>', 'school | section | staff | student')
    .requiredOption('--run <runId>', 'run id (a migration run with a comparison)')
    .action((opts: { district: string; entity: string; run: string }) =>
      run((ctx) => crosswalkReport(ctx, { districtId: opts.district, entity: opts.entity, runId: opts.run })),
    );
}
