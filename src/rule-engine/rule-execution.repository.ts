import { Injectable } from '@nestjs/common';
import type { CompiledUnit } from 'src/rule-engine/compiler/rule-statements.util';
import { bindQuery, type CompiledQuery, type ContextValues } from 'src/rule-engine/sql-params.util';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';
import { errorText } from 'src/common/error-text.util';

export interface RuleCounts {
  ruleId: string;
  checked: number;
  failed: number;
  error: string | null;
  /** Why the rule was not evaluated (e.g. count_change on a link's first snapshot); it then counts nothing. */
  skipped?: string;
  durationMs: number;
}

export const NO_BASELINE = 'skipped: no earlier complete snapshot of this link to compare counts with';

export interface RunUnitsOptions {
  /** statement_timeout for `sql` rules' read-only probes. */
  sqlTimeoutMs: number;
  /** Splits a failed multi-rule unit into one unit per rule, so one broken rule does not fail its neighbours. */
  split?: (unit: CompiledUnit) => CompiledUnit[];
}

type CountRow = Record<string, string | number | null>;

function ruleIdsOf(unit: CompiledUnit): string[] {
  return unit.kind === 'row' ? unit.ruleIds : [unit.ruleId];
}

function message(err: unknown): string {
  return errorText(err);
}

/** Executes compiled rule units. Every unit runs under a savepoint: a failing statement becomes that rule's error. */
@Injectable()
export class RuleExecutionRepository {
  constructor(private readonly sql: SqlRunner) {}

  async runUnits(
    tx: SqlSession,
    units: CompiledUnit[],
    ctx: ContextValues,
    opts: RunUnitsOptions,
  ): Promise<RuleCounts[]> {
    const out: RuleCounts[] = [];
    for (const unit of units) out.push(...(await this.runUnit(tx, unit, ctx, opts)));
    return out;
  }

  private async runUnit(
    tx: SqlSession,
    unit: CompiledUnit,
    ctx: ContextValues,
    opts: RunUnitsOptions,
  ): Promise<RuleCounts[]> {
    const started = Date.now();
    if (unit.kind === 'set' && unit.needsPrevious && !ctx.previousSnapshotId) {
      return [
        { ruleId: unit.ruleId, checked: 0, failed: 0, error: null, skipped: NO_BASELINE, durationMs: 0 },
      ];
    }
    try {
      const counts = await this.inSavepoint(tx, () => this.execute(tx, unit, ctx, opts.sqlTimeoutMs));
      const durationMs = Date.now() - started;
      return counts.map((c) => ({ ...c, error: null, durationMs }));
    } catch (err) {
      const parts = unit.kind === 'row' && unit.ruleIds.length > 1 && opts.split ? opts.split(unit) : null;
      if (parts) return this.runUnits(tx, parts, ctx, { ...opts, split: undefined });
      const durationMs = Date.now() - started;
      return ruleIdsOf(unit).map((ruleId) => ({
        ruleId,
        checked: 0,
        failed: 0,
        error: message(err),
        durationMs,
      }));
    }
  }

  private async execute(
    tx: SqlSession,
    unit: CompiledUnit,
    ctx: ContextValues,
    sqlTimeoutMs: number,
  ): Promise<Omit<RuleCounts, 'error' | 'durationMs'>[]> {
    if (unit.kind === 'row') {
      const [row] = await this.run<CountRow>(tx, unit.query, ctx);
      return unit.ruleIds.map((ruleId, i) => ({
        ruleId,
        checked: Number(row[`checked_${i}`]),
        failed: Number(row[`failed_${i}`]),
      }));
    }
    const bound =
      unit.kind === 'sql' ? { ...ctx, rowNos: await this.probe(tx, unit.probe, ctx, sqlTimeoutMs) } : ctx;
    const [row] = await this.run<CountRow>(tx, unit.kind === 'sql' ? unit.write : unit.query, bound);
    return [{ ruleId: unit.ruleId, checked: Number(row.checked), failed: Number(row.failed) }];
  }

  /**
   * An `sql` rule's own SELECT runs read-only, time-limited and with only pg_catalog on the search path (tables
   * are reachable only through the snapshot placeholders); rolling back to the savepoint restores the settings.
   */
  private async probe(
    tx: SqlSession,
    q: CompiledQuery,
    ctx: ContextValues,
    timeoutMs: number,
  ): Promise<string[]> {
    const ms = Math.max(1, Math.floor(timeoutMs));
    await tx.query('SAVEPOINT rule_sql_probe');
    try {
      await tx.query('SET LOCAL transaction_read_only = on');
      await tx.query(`SET LOCAL statement_timeout = ${ms}`);
      await tx.query('SET LOCAL search_path = pg_catalog');
      const rows = await this.run<{ row_no: string }>(tx, q, ctx);
      return rows.map((r) => r.row_no);
    } finally {
      await tx.query('ROLLBACK TO SAVEPOINT rule_sql_probe');
      await tx.query('RELEASE SAVEPOINT rule_sql_probe');
    }
  }

  /** Plans an `sql` rule's probe without running it (custom rule validation): catches unknown columns and tables. */
  async explainProbe(q: CompiledQuery, ctx: ContextValues, timeoutMs: number): Promise<void> {
    await this.sql.transaction(
      async (tx) => {
        await tx.query('SET LOCAL transaction_read_only = on');
        await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        await tx.query('SET LOCAL search_path = pg_catalog');
        const b = bindQuery(q, ctx);
        await tx.query(`EXPLAIN ${b.text}`, b.values);
      },
      { rollback: true },
    );
  }

  private async inSavepoint<T>(tx: SqlSession, fn: () => Promise<T>): Promise<T> {
    await tx.query('SAVEPOINT rule_unit');
    try {
      const result = await fn();
      await tx.query('RELEASE SAVEPOINT rule_unit');
      return result;
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT rule_unit');
      await tx.query('RELEASE SAVEPOINT rule_unit');
      throw err;
    }
  }

  private run<T extends object>(tx: SqlSession, q: CompiledQuery, ctx: ContextValues): Promise<T[]> {
    const b = bindQuery(q, ctx);
    return tx.query<T>(b.text, b.values);
  }
}
