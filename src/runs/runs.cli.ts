import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import { out, type CliContext } from 'src/cli/cli-context';
import { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import { ComparisonRepository } from 'src/comparison/comparison.repository';
import { ExecuteRunUseCase } from 'src/runs/execute-run.use-case';
import { RunsRepository } from 'src/runs/runs.repository';
import { StartRunUseCase } from 'src/runs/start-run.use-case';
import type { RunRecord } from 'src/runs/runs.types';

export interface RunCommandOptions {
  districtId: string;
  kind?: 'manual' | 'trial';
  asOf?: string;
  /** School years compared, overriding the district's comparison window. */
  comparisonYears?: number;
  /** Only queue the run for the service's workers instead of executing it in this process. */
  queueOnly?: boolean;
}

export interface CompareCommandOptions {
  districtId: string;
  oldSnapshotId: string;
  newSnapshotId: string;
  studentKeys?: Array<'state_student_id' | 'student_id'>;
}

/** The application context of the command (see CliContext: no HTTP, no workers, no scheduler). */
export async function withApp<T>(
  ctx: CliContext,
  fn: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  return fn(await ctx.app());
}

function describeRun(r: RunRecord): string {
  const why = r.skipReason ?? r.error ?? r.message ?? '';
  return `run ${r.id} ${r.kind} ${r.status} (as of ${r.asOf}, school year ${r.schoolYear})${why ? `: ${why}` : ''}`;
}

/** `sis-certify run`: records a run and executes it here (the lease keeps service workers off it), or only queues it. */
export async function runCommand(ctx: CliContext, o: RunCommandOptions): Promise<RunRecord> {
  return withApp(ctx, async (app) => {
    const run = await app.get(StartRunUseCase).execute({
      districtId: o.districtId,
      kind: o.kind ?? 'manual',
      asOf: o.asOf,
      comparisonYears: o.comparisonYears,
      trigger: 'cli',
    });
    if (!run) throw new Error('the run could not be recorded');
    out(describeRun(run));
    if (run.status !== 'queued' || o.queueOnly) return run;
    await app.get(ExecuteRunUseCase).execute(run.id);
    const end = (await app.get(RunsRepository).findById(run.id)) ?? run;
    out(describeRun(end));
    const comparison = await app.get(ComparisonRepository).findByRun(run.id);
    if (comparison) await printComparison(app, comparison.id);
    return end;
  });
}

/** `sis-certify compare`: compares two complete snapshots of a district and prints the summary. */
export async function compareCommand(ctx: CliContext, o: CompareCommandOptions): Promise<string> {
  return withApp(ctx, async (app) => {
    const id = await app.get(CompareSnapshotsUseCase).execute({
      districtId: o.districtId,
      oldSnapshotId: o.oldSnapshotId,
      newSnapshotId: o.newSnapshotId,
      options: o.studentKeys ? { studentKeys: o.studentKeys } : undefined,
    });
    await printComparison(app, id);
    return id;
  });
}

async function printComparison(app: INestApplicationContext, comparisonId: string): Promise<void> {
  const repo = app.get(ComparisonRepository);
  out(`comparison ${comparisonId}`);
  out('entity            old      new  matched  only-old  only-new  field-diffs');
  for (const s of await repo.summaries(comparisonId)) {
    out(
      `${s.entity.padEnd(15)} ${[s.oldCount, s.newCount, s.matched, s.onlyInOld, s.onlyInNew, s.fieldDifferences].map((n) => String(n).padStart(8)).join(' ')}`,
    );
  }
  const warnings = await repo.warnings(comparisonId, 10, 0);
  if (warnings.total > 0) out(`${warnings.total} reference warnings, e.g.:`);
  for (const w of warnings.items) out(`  ${w.message}`);
}

/** Registers `run` and `compare` on the CLI program (wired by the lead in src/cli/commands). */
export function registerRunCommands(
  program: Command,
  run: (fn: (ctx: CliContext) => Promise<void>) => Promise<void>,
): void {
  program
    .command('run')
    .description('run extraction, rules and (old + new links) the comparison for a district now')
    .requiredOption('--district <id>', 'district id')
    .option('--kind <kind>', 'manual | trial', 'manual')
    .option('--as-of <date>', 'as-of date YYYY-MM-DD (default: today in the district time zone)')
    .option(
      '--years <n>',
      "school years compared, ending with the certified one (default: the district's)",
      (v) => Number(v),
    )
    .option('--queue', 'only queue the run for the service workers')
    .action(
      (opts: {
        district: string;
        kind: 'manual' | 'trial';
        asOf?: string;
        years?: number;
        queue?: boolean;
      }) =>
        run(async (ctx) => {
          const r = await runCommand(ctx, {
            districtId: opts.district,
            kind: opts.kind,
            asOf: opts.asOf,
            comparisonYears: opts.years,
            queueOnly: opts.queue,
          });
          if (r.status === 'failed') process.exitCode = 1;
        }),
    );
  program
    .command('compare')
    .description('compare two complete snapshots of a district (old vs new SIS)')
    .requiredOption('--district <id>', 'district id')
    .requiredOption('--old <snapshotId>', 'old snapshot id')
    .requiredOption('--new <snapshotId>', 'new snapshot id')
    .option('--student-keys <keys>', 'match passes, e.g. state_student_id,student_id')
    .action((opts: { district: string; old: string; new: string; studentKeys?: string }) =>
      run(async (ctx) => {
        await compareCommand(ctx, {
          districtId: opts.district,
          oldSnapshotId: opts.old,
          newSnapshotId: opts.new,
          studentKeys: opts.studentKeys?.split(',') as CompareCommandOptions['studentKeys'],
        });
      }),
    );
}
