/**
 * The service side of the benchmark, in its own process: one full validation run of the district through the
 * real pipeline (as `sis-certify run` does), then — after its peak memory has been read — the engine on the
 * peer's rules alone, for a like-for-like comparison with DuckDB.
 * argv[2]: JSON ServiceInput. Writes one JSON line (ServiceOutput) on stdout.
 */
import 'reflect-metadata';
import { errorText } from 'src/common/error-text.util';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { PEER_RULES } from 'bench/peer';
import { CliContext } from 'src/cli/cli-context';
import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { RuleEvaluatorService } from 'src/rule-engine/rule-evaluator.service';
import { localToday } from 'src/runs/nightly-schedule.util';
import { ExecuteRunUseCase } from 'src/runs/execute-run.use-case';
import { StartRunUseCase } from 'src/runs/start-run.use-case';

export interface ServiceInput {
  svcUrl: string;
  districtId: string;
  timeZone: string;
  /** 'nightly': the run a schedule starts (incremental extraction where the SIS tracks changes). */
  kind?: 'manual' | 'nightly';
  /** Skip the engine-on-the-peer's-rules pass (the nightly measurement needs the run alone). */
  runOnly?: boolean;
}

export interface ServiceOutput {
  runId: string;
  status: string;
  runMs: number;
  maxRssMb: number;
  /** The engine evaluating only the peer's rules on both snapshots (concurrently, as in a run). */
  peerRulesMs: number;
  peerRulesFailed: Record<string, Record<string, number>>;
  /** Resident memory sampled every 250 ms during the run: [epoch ms, MB]. */
  rss: Array<[number, number]>;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ServiceInput;
  const ctx = new CliContext({ ...process.env, DATABASE_URL: input.svcUrl, LOG_LEVEL: 'warn' });
  const app = await ctx.app();
  const pool = new Pool({ connectionString: input.svcUrl, max: 1 });
  try {
    const rss: Array<[number, number]> = [];
    const sampler = setInterval(() => rss.push([Date.now(), process.memoryUsage.rss() / 2 ** 20]), 250);
    const t0 = performance.now();
    const run = await app
      .get(StartRunUseCase)
      .execute({ districtId: input.districtId, kind: input.kind ?? 'manual', trigger: 'cli' });
    if (!run) throw new Error('the run could not be recorded');
    await app.get(ExecuteRunUseCase).execute(run.id);
    const runMs = performance.now() - t0;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    clearInterval(sampler);
    const { rows: status } = await pool.query<{ status: string }>(`SELECT status FROM runs WHERE id = $1`, [
      run.id,
    ]);

    // The same rules the peer runs, each side restricted to the rules its run selected.
    const { rows: sides } = await pool.query<{ side: string; snapshot_id: string; rules: string[] }>(
      `SELECT c.target AS side, r.snapshot_id::text, array_agg(r.rule_id) AS rules
         FROM run_checkpoints c JOIN rule_results r ON r.evaluation_id = c.ref_id
        WHERE c.run_id = $1 AND c.step = 'evaluate' AND r.rule_id = ANY($2)
        GROUP BY c.target, r.snapshot_id`,
      [run.id, PEER_RULES.map((r) => r.id)],
    );
    const all = loadRulePacks().rules;
    const evaluator = app.get(RuleEvaluatorService);
    const today = localToday(new Date(), input.timeZone);
    const t1 = performance.now();
    const reports = await Promise.all(
      (input.runOnly ? [] : sides).map(async (s) => {
        const rules = all.filter((r) => s.rules.includes(r.id));
        const report = await evaluator.evaluate({
          evaluationId: randomUUID(),
          districtId: input.districtId,
          snapshotId: s.snapshot_id,
          rules,
          today,
        });
        return [s.side, Object.fromEntries(report.results.map((o) => [o.ruleId, o.failed]))] as const;
      }),
    );
    const peerRulesMs = performance.now() - t1;
    const out: ServiceOutput = {
      runId: run.id,
      status: status[0]?.status ?? 'unknown',
      runMs,
      maxRssMb,
      peerRulesMs,
      peerRulesFailed: Object.fromEntries(reports),
      rss,
    };
    process.stdout.write(`\n${JSON.stringify(out)}\n`);
  } finally {
    await pool.end();
    await ctx.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${errorText(err, { stack: true })}\n`);
  process.exitCode = 1;
});
