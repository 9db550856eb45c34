/**
 * Bound parameters of compiled SQL. Literals from rules and the run's context values are never pasted into the
 * text: each gets a `$n` with an explicit cast. Context slots are filled when the query is bound to one evaluation.
 */
export type PgType =
  | 'text'
  | 'int'
  | 'bigint'
  | 'numeric'
  | 'date'
  | 'boolean'
  | 'uuid'
  | 'text[]'
  | 'int[]'
  | 'numeric[]'
  | 'date[]'
  | 'boolean[]'
  | 'bigint[]';

export const CONTEXT_PARAMS = {
  snapshot_id: 'uuid',
  evaluation_id: 'uuid',
  district_id: 'uuid',
  as_of: 'date',
  today: 'date',
  previous_snapshot_id: 'uuid',
  row_nos: 'bigint[]',
} as const satisfies Record<string, PgType>;
export type ContextParam = keyof typeof CONTEXT_PARAMS;

export type ParamSlot = { kind: 'literal'; value: unknown } | { kind: 'context'; name: ContextParam };

export interface CompiledQuery {
  sql: string;
  params: ParamSlot[];
}

export interface ContextValues {
  snapshotId: string;
  evaluationId: string;
  districtId: string;
  asOf: string;
  today: string;
  previousSnapshotId: string | null;
  /** Failing row numbers returned by an `sql` rule's read-only probe. */
  rowNos?: string[];
}

export interface BoundQuery {
  text: string;
  values: unknown[];
}

export class SqlParams {
  readonly slots: ParamSlot[] = [];
  private readonly contexts = new Map<ContextParam, number>();

  /** `$n::type` for a rule literal (a new slot each time). */
  literal(value: unknown, type: PgType): string {
    this.slots.push({ kind: 'literal', value });
    return `$${this.slots.length}::${type}`;
  }

  /** `$n::type` for a context value; one slot per name however often it is used. */
  context(name: ContextParam): string {
    let n = this.contexts.get(name);
    if (n === undefined) {
      this.slots.push({ kind: 'context', name });
      n = this.slots.length;
      this.contexts.set(name, n);
    }
    return `$${n}::${CONTEXT_PARAMS[name]}`;
  }

  query(sql: string): CompiledQuery {
    return { sql, params: [...this.slots] };
  }
}

function contextValue(name: ContextParam, ctx: ContextValues): unknown {
  switch (name) {
    case 'snapshot_id':
      return ctx.snapshotId;
    case 'evaluation_id':
      return ctx.evaluationId;
    case 'district_id':
      return ctx.districtId;
    case 'as_of':
      return ctx.asOf;
    case 'today':
      return ctx.today;
    case 'previous_snapshot_id':
      return ctx.previousSnapshotId;
    case 'row_nos':
      return ctx.rowNos ?? [];
  }
}

export function bindQuery(q: CompiledQuery, ctx: ContextValues): BoundQuery {
  return {
    text: q.sql,
    values: q.params.map((p) => (p.kind === 'literal' ? p.value : contextValue(p.name, ctx))),
  };
}
