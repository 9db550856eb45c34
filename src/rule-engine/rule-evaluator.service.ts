import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from 'src/common/tokens';
import type { CompilableRule } from 'src/rule-engine/compiler/rule-fragments.util';
import {
  compileRowUnit,
  compileSetUnit,
  type CompiledUnit,
} from 'src/rule-engine/compiler/rule-statements.util';
import { compileRules } from 'src/rule-engine/rule-compiler.service';
import { RuleEngineErrorCode, RuleEngineException } from 'src/rule-engine/rule-engine.exception';
import { DomainErrorCode } from 'src/common/domain.exception';
import { RuleExecutionRepository, type RuleCounts } from 'src/rule-engine/rule-execution.repository';
import {
  RuleResultsRepository,
  type RuleResultRow,
  type RuleStatus,
} from 'src/rule-engine/rule-results.repository';
import { isRowCheck, type Audience, type Rule, type Severity } from 'src/rule-engine/rule.types';
import type { ContextValues } from 'src/rule-engine/sql-params.util';
import { type SqlSession } from 'src/database/sql-runner';
import { errorText } from 'src/common/error-text.util';

export interface EvaluateInput {
  /** The unit of one rule-set evaluation over one snapshot (created by the runs feature). */
  evaluationId: string;
  districtId: string;
  snapshotId: string;
  /** The selected rules (see RuleSelectionService). */
  rules: Rule[];
  /** Only (re)run these; their earlier results in this evaluation are replaced. Default: all of `rules`. */
  ruleIds?: string[];
  /** Default: the link's previous complete snapshot (for count_change). */
  previousSnapshotId?: string | null;
  /** Evaluation date (`today` in expressions), YYYY-MM-DD; default: the clock's UTC date. */
  today?: string;
  /** Rules per batch; each batch is one transaction (delete-then-insert), the unit of resume. Default 40. */
  batchSize?: number;
  /** statement_timeout of `sql` rules. Default 30 s. */
  sqlTimeoutMs?: number;
  onProgress?: (p: EvaluationProgress) => void | Promise<void>;
}

/** A rule's result with what the definition says about it (severity, tolerance, audience, prescription). */
export interface RuleOutcome {
  ruleId: string;
  title: string;
  pack: string;
  entity: string;
  severity: Severity;
  audience: Audience[];
  tolerance: { maxPercent: number };
  prescription: string;
  source: string;
  checked: number;
  failed: number;
  failedPercent: number;
  status: RuleStatus;
  error: string | null;
  durationMs: number;
}

export interface EvaluationProgress {
  evaluationId: string;
  batch: number;
  batches: number;
  done: number;
  total: number;
  results: RuleOutcome[];
}

export interface EvaluationReport {
  evaluationId: string;
  snapshotId: string;
  results: RuleOutcome[];
}

export function failedPercent(checked: number, failed: number): number {
  return checked === 0 ? 0 : Math.round((failed * 100 * 10000) / checked) / 10000;
}

/**
 * pass within tolerance; otherwise warn for warnings and fail for errors/fatal; error when the rule could not run;
 * skipped when there was nothing to evaluate it against (recorded with the reason, not as a pass nobody checked).
 */
export function ruleStatus(
  rule: Pick<Rule, 'severity' | 'tolerance'>,
  c: Pick<RuleCounts, 'checked' | 'failed' | 'error' | 'skipped'>,
): RuleStatus {
  if (c.error) return 'error';
  if (c.skipped) return 'skipped';
  if (c.failed === 0 || failedPercent(c.checked, c.failed) <= rule.tolerance.maxPercent) return 'pass';
  return rule.severity === 'warning' ? 'warn' : 'fail';
}

export function toOutcome(rule: Rule, c: RuleCounts): RuleOutcome {
  return {
    ruleId: rule.id,
    title: rule.title,
    pack: rule.pack,
    entity: rule.entity,
    severity: rule.severity,
    audience: rule.audience,
    tolerance: rule.tolerance,
    prescription: rule.prescription,
    source: rule.source,
    checked: c.checked,
    failed: c.failed,
    failedPercent: failedPercent(c.checked, c.failed),
    status: ruleStatus(rule, c),
    error: c.error ?? c.skipped ?? null,
    durationMs: c.durationMs,
  };
}

function splitUnit(rulesById: Map<string, CompilableRule>) {
  return (unit: CompiledUnit): CompiledUnit[] =>
    unit.kind === 'row'
      ? unit.ruleIds.map((id) => compileRowUnit(unit.entity, [rulesById.get(id) as CompilableRule]))
      : [unit];
}

/** Orders rules so one entity's row-level rules sit together (one scan each) and cuts them into batches. */
export function planBatches(rules: Rule[], size: number): Rule[][] {
  const sorted = [...rules].sort(
    (a, b) =>
      a.entity.localeCompare(b.entity) ||
      Number(!isRowCheck(a.check.kind)) - Number(!isRowCheck(b.check.kind)),
  );
  const batches: Rule[][] = [];
  for (let i = 0; i < sorted.length; i += size) batches.push(sorted.slice(i, i + size));
  return batches;
}

@Injectable()
export class RuleEvaluatorService {
  constructor(
    private readonly results: RuleResultsRepository,
    private readonly execution: RuleExecutionRepository,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  /** Evaluates rules over one snapshot; idempotent per (evaluation, rule): a rerun replaces what the rule wrote. */
  async evaluate(input: EvaluateInput): Promise<EvaluationReport> {
    const snapshot = await this.results.snapshot(input.districtId, input.snapshotId);
    if (!snapshot)
      throw new RuleEngineException(
        DomainErrorCode.NOT_FOUND,
        `snapshot ${input.snapshotId} not found in this district`,
      );
    const rules = this.pick(input.rules, input.ruleIds);
    const ctx: ContextValues = {
      snapshotId: input.snapshotId,
      evaluationId: input.evaluationId,
      districtId: input.districtId,
      asOf: snapshot.asOf,
      today: input.today ?? (this.clock ?? systemClock).now().toISOString().slice(0, 10),
      previousSnapshotId:
        input.previousSnapshotId === undefined ? snapshot.previousSnapshotId : input.previousSnapshotId,
    };
    const batches = planBatches(rules, Math.max(1, input.batchSize ?? 40));
    const all: RuleOutcome[] = [];
    for (const [i, batch] of batches.entries()) {
      const outcomes = await this.results.transaction(async (tx) => {
        await this.results.lockEvaluation(tx, input.evaluationId);
        await this.results.clear(
          tx,
          input.districtId,
          input.evaluationId,
          batch.map((r) => r.id),
        );
        const counts = await this.runInSession(tx, ctx, batch, input.sqlTimeoutMs);
        const out = batch.map((rule) => toOutcome(rule, counts.get(rule.id) as RuleCounts));
        await this.results.insertResults(
          tx,
          out.map((o) => this.row(ctx, o)),
        );
        return out;
      });
      all.push(...outcomes);
      await input.onProgress?.({
        evaluationId: input.evaluationId,
        batch: i + 1,
        batches: batches.length,
        done: all.length,
        total: rules.length,
        results: outcomes,
      });
    }
    return { evaluationId: input.evaluationId, snapshotId: input.snapshotId, results: all };
  }

  /**
   * Compiles and runs rules inside an open transaction; the same path serves real runs and `rules test` examples.
   * A rule that fails to compile or to run gets an error count instead of failing the others.
   */
  async runInSession(
    tx: SqlSession,
    ctx: ContextValues,
    rules: Rule[],
    sqlTimeoutMs = 30_000,
  ): Promise<Map<string, RuleCounts>> {
    const counts = new Map<string, RuleCounts>();
    const units: CompiledUnit[] = [];
    try {
      units.push(...compileRules(rules));
    } catch {
      for (const rule of rules) {
        try {
          units.push(
            isRowCheck(rule.check.kind) ? compileRowUnit(rule.entity, [rule]) : compileSetUnit(rule),
          );
        } catch (err) {
          counts.set(rule.id, {
            ruleId: rule.id,
            checked: 0,
            failed: 0,
            error: `compile: ${errorText(err)}`,
            durationMs: 0,
          });
        }
      }
    }
    const byId = new Map<string, CompilableRule>(rules.map((r) => [r.id, r]));
    const ran = await this.execution.runUnits(tx, units, ctx, { sqlTimeoutMs, split: splitUnit(byId) });
    for (const c of ran) counts.set(c.ruleId, c);
    return counts;
  }

  private pick(rules: Rule[], ruleIds: string[] | undefined): Rule[] {
    if (!ruleIds) return rules;
    const byId = new Map(rules.map((r) => [r.id, r]));
    const unknown = ruleIds.filter((id) => !byId.has(id));
    if (unknown.length)
      throw new RuleEngineException(RuleEngineErrorCode.UNKNOWN_RULE, 'unknown rule ids', unknown);
    return [...new Set(ruleIds)].map((id) => byId.get(id) as Rule);
  }

  private row(ctx: ContextValues, o: RuleOutcome): RuleResultRow {
    return {
      evaluationId: ctx.evaluationId,
      districtId: ctx.districtId,
      snapshotId: ctx.snapshotId,
      ruleId: o.ruleId,
      entity: o.entity,
      severity: o.severity,
      checked: o.checked,
      failed: o.failed,
      failedPercent: o.failedPercent,
      status: o.status,
      error: o.error,
      durationMs: o.durationMs,
    };
  }
}
