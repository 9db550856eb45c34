import { Injectable, Logger } from '@nestjs/common';
import { snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';
import type { CompiledUnit } from 'src/rule-engine/compiler/rule-statements.util';
import { stateExcludedSql } from 'src/rule-engine/compiler/rule-fragments.util';
import { ruleViewName } from 'src/rule-engine/compiler/sql-guard.util';
import { sqlRuleErrorMessage } from 'src/rule-engine/sql-rule-error.util';
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

/** The database role `sql` rules run as (migration 1795400500000): no login, no privileges but the views. */
export const RULE_READER_ROLE = 'sisc_rule_reader';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function ruleIdsOf(unit: CompiledUnit): string[] {
  return unit.kind === 'row' ? unit.ruleIds : [unit.ruleId];
}

function message(err: unknown): string {
  return errorText(err);
}

/** Executes compiled rule units. Every unit runs under a savepoint: a failing statement becomes that rule's error. */
@Injectable()
export class RuleExecutionRepository {
  private readonly logger = new Logger(RuleExecutionRepository.name);
  private readerRole: Promise<boolean> | null = null;

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
        error: unit.kind === 'sql' ? sqlRuleErrorMessage(err) : message(err),
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
      unit.kind === 'sql'
        ? {
            ...ctx,
            rowNos: await this.probe(tx, unit.probe, unit.views, ctx, sqlTimeoutMs, unit.stateReporting),
          }
        : ctx;
    const [row] = await this.run<CountRow>(tx, unit.kind === 'sql' ? unit.write : unit.query, bound);
    return [{ ruleId: unit.ruleId, checked: Number(row.checked), failed: Number(row.failed) }];
  }

  /** An `sql` rule's own SELECT, in the sandbox; rolling back to the savepoint drops the views and settings. */
  private async probe(
    tx: SqlSession,
    q: CompiledQuery,
    views: CanonicalEntity[],
    ctx: ContextValues,
    timeoutMs: number,
    stateReporting: boolean,
  ): Promise<string[]> {
    await tx.query('SAVEPOINT rule_sql_probe');
    try {
      await this.enterSandbox(tx, views, ctx.snapshotId, timeoutMs, stateReporting);
      const rows = await this.run<{ row_no: string }>(tx, q, ctx);
      return rows.map((r) => r.row_no);
    } finally {
      await tx.query('ROLLBACK TO SAVEPOINT rule_sql_probe');
      await tx.query('RELEASE SAVEPOINT rule_sql_probe');
    }
  }

  /** Plans an `sql` rule's probe without running it (custom rule validation): catches unknown columns and tables. */
  async explainProbe(
    q: CompiledQuery,
    views: CanonicalEntity[],
    ctx: ContextValues,
    timeoutMs: number,
  ): Promise<void> {
    await this.sql.transaction(
      async (tx) => {
        await this.enterSandbox(tx, views, ctx.snapshotId, timeoutMs);
        const b = bindQuery(q, ctx);
        await tx.query(`EXPLAIN ${b.text}`, b.values);
      },
      { rollback: true },
    );
  }

  /**
   * The sandbox of an `sql` rule, for the rest of the current (sub)transaction: one temporary view per entity it
   * reads, holding only this snapshot's rows; then a statement timeout, `search_path = pg_catalog`, the restricted
   * role (which may read those views and nothing else of the application) and a read-only transaction. Without
   * the role (no CREATEROLE when migrating) the parser guard and the read-only transaction remain.
   */
  private async enterSandbox(
    tx: SqlSession,
    views: CanonicalEntity[],
    snapshotId: string,
    timeoutMs: number,
    stateReporting = false,
  ): Promise<void> {
    if (!UUID.test(snapshotId)) throw new Error('sql rule: the snapshot id is not a uuid');
    const snap = `'${snapshotId}'::uuid`;
    for (const e of views) {
      // A state-reporting rule's views hold what the state receives: rows excluded from reporting are left out.
      const excluded = stateReporting ? stateExcludedSql(e, 'v', snap, 'public.') : null;
      await tx.query(
        `CREATE TEMPORARY VIEW ${ruleViewName(e)} AS SELECT v.* FROM public.${snapshotTable(e)} v WHERE v.snapshot_id = ${snap}${excluded ? ` AND NOT ${excluded}` : ''}`,
      );
    }
    const role = await this.readerRoleAvailable(tx);
    if (role && views.length > 0) {
      await tx.query(
        `GRANT SELECT ON ${views.map((e) => `pg_temp.${ruleViewName(e)}`).join(', ')} TO ${RULE_READER_ROLE}`,
      );
    }
    await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    await tx.query('SET LOCAL search_path = pg_catalog');
    if (role) await tx.query(`SET LOCAL ROLE ${RULE_READER_ROLE}`);
    await tx.query('SET LOCAL transaction_read_only = on');
  }

  /** Whether the restricted role exists, is no superuser and may be assumed by this connection's user. */
  private readerRoleAvailable(tx: SqlSession): Promise<boolean> {
    this.readerRole ??= tx
      .query<{ ok: boolean }>(
        `SELECT coalesce((SELECT NOT r.rolsuper AND NOT r.rolbypassrls AND pg_has_role(current_user, r.oid, 'MEMBER')
           FROM pg_roles r WHERE r.rolname = $1), false) AS ok`,
        [RULE_READER_ROLE],
      )
      .then(([row]) => {
        if (!row.ok) {
          this.logger.warn(
            `role ${RULE_READER_ROLE} is not available to this database user: sql rules run with the parser guard and a read-only transaction only`,
          );
        }
        return row.ok;
      });
    return this.readerRole;
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
