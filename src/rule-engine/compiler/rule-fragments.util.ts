import { CANONICAL_FIELDS, type CanonicalEntity } from 'connectors/sdk/canonical';
import {
  checkRegex,
  compileCondition,
  compileValue,
  fieldType,
  type ExprScope,
  type ExprType,
} from 'src/rule-engine/expression/expression-sql.util';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';
import type { CheckSpec, Scalar } from 'src/rule-engine/rule.types';
import type { PgType, SqlParams } from 'src/rule-engine/sql-params.util';

/** A compile failure located at a rule field (`check.compare.left`, `when` …). */
export class RuleCompileError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'RuleCompileError';
  }
}

export interface CompilableRule {
  id: string;
  entity: CanonicalEntity;
  /** `state_reporting`: rows excluded from state reporting are not checked (default `all`). */
  scope?: 'all' | 'state_reporting';
  when: string | null;
  check: CheckSpec;
}

/** Canonical natural key per entity (DESIGN §3): record_key and so the exception fingerprint are built from it. */
export const RECORD_KEYS: Record<CanonicalEntity, string[]> = {
  school: ['school_id'],
  student: ['student_id'],
  enrollment: ['student_id', 'school_id', 'entry_date'],
  program: ['student_id', 'program_code', 'start_date'],
  section: ['section_id'],
  student_section: ['student_id', 'section_id', 'begin_date'],
  staff: ['staff_id'],
  section_staff: ['section_id', 'staff_id', 'begin_date'],
};

/** Native values kept beside the mapped ones in snap_* (migration CanonicalSnapshotTables); shown with findings. */
export const RAW_COLUMNS: Record<CanonicalEntity, string[]> = {
  school: ['low_grade', 'high_grade', 'state_reporting_excluded'],
  student: [
    'birth_date',
    'sex',
    'hispanic',
    'races',
    'el_status',
    'race_missing_indicator',
    'ethnicity_missing_indicator',
    'elas_start_date',
    'state_reporting_excluded',
  ],
  enrollment: [
    'entry_date',
    'exit_date',
    'grade_level',
    'entry_code',
    'exit_code',
    'status',
    'state_reporting_excluded',
  ],
  program: ['program_code', 'start_date', 'end_date'],
  section: [],
  student_section: ['begin_date', 'end_date'],
  staff: [],
  section_staff: ['role', 'begin_date', 'end_date'],
};

const PG_OF: Record<ExprType, PgType | null> = {
  text: 'text',
  int: 'int',
  numeric: 'numeric',
  date: 'date',
  bool: 'boolean',
  'text[]': 'text',
  null: null,
  days: null,
};

export function hasField(entity: CanonicalEntity, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(CANONICAL_FIELDS[entity], field);
}

/** Runs `fn`, turning an expression error into one located at `path`. */
export function at<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ExpressionError) throw new RuleCompileError(path, err.message);
    throw err;
  }
}

export function requireField(
  entity: CanonicalEntity,
  field: string,
  path: string,
  reads: Set<string>,
): ExprType {
  const type = fieldType(entity, field);
  if (!type) throw new RuleCompileError(path, `unknown field '${field}' of ${entity}`);
  reads.add(`${entity}.${field}`);
  return type;
}

export function scopeFor(entity: CanonicalEntity, alias: string, reads: Set<string>): ExprScope {
  return { default: { entity, alias }, qualified: { [entity]: { entity, alias } }, reads };
}

/**
 * SQL true when a row of `entity` is not reported to the state: its own `state_reporting_excluded` flag, or the
 * flag of its student or of its school (an enrollment at a "do not report" school is not reported either). The
 * student and school sets are uncorrelated sub-selects (hashed once per statement, not probed per row). A
 * connector that does not supply the flags leaves them null: nothing is excluded. The flags are not added to the
 * rule's reads, so a rule stays available on a connector without them. `snap` is the snapshot id expression and
 * `schema` the prefix of the snapshot tables (`public.` inside the sandbox views of `sql` rules).
 */
export function stateExcludedSql(
  entity: CanonicalEntity,
  alias: string,
  snap: string,
  schema = '',
): string | null {
  const parts: string[] = [];
  if (hasField(entity, 'state_reporting_excluded'))
    parts.push(`coalesce(${alias}.state_reporting_excluded, false)`);
  const of = (other: CanonicalEntity, key: string): string =>
    `coalesce(${alias}.${key} IN (SELECT z.${key} FROM ${schema}snap_${other} z WHERE z.snapshot_id = ${snap} AND z.state_reporting_excluded AND z.${key} IS NOT NULL), false)`;
  if (entity !== 'student' && hasField(entity, 'student_id')) parts.push(of('student', 'student_id'));
  if (entity !== 'school' && hasField(entity, 'school_id')) parts.push(of('school', 'school_id'));
  return parts.length === 0 ? null : `(${parts.join(' OR ')})`;
}

/**
 * `coalesce(when, false)` or TRUE: rows for which the rule is checked at all. A `state_reporting` rule also skips
 * the rows excluded from state reporting (`snap`: the snapshot those rows are in, default the evaluated one).
 */
export function checkedSql(
  rule: CompilableRule,
  alias: string,
  params: SqlParams,
  reads: Set<string>,
  snap: string = params.context('snapshot_id'),
): string {
  const excluded = rule.scope === 'state_reporting' ? stateExcludedSql(rule.entity, alias, snap) : null;
  const when = rule.when;
  const cond = when
    ? `coalesce(${at('when', () => compileCondition(when, scopeFor(rule.entity, alias, reads), params))}, false)`
    : null;
  if (!excluded) return cond ?? 'TRUE';
  return cond ? `(${cond} AND NOT ${excluded})` : `NOT ${excluded}`;
}

export function conditionSql(source: string, path: string, scope: ExprScope, params: SqlParams): string {
  return at(path, () => compileCondition(source, scope, params));
}

function isDate(v: string): boolean {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : null;
  return d !== null && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** A YAML scalar as a value of a field type; a number for a text field is refused because YAML drops leading zeros. */
export function coerceScalar(v: Scalar, type: ExprType, path: string): Scalar {
  const bad = (why: string): never => {
    throw new RuleCompileError(path, why);
  };
  switch (type) {
    case 'text':
    case 'text[]':
      if (typeof v !== 'string')
        bad(`${JSON.stringify(v)} is not text; quote it (e.g. '01') so YAML keeps it as written`);
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) bad(`${JSON.stringify(v)} is not a whole number`);
      return v;
    case 'numeric':
      if (typeof v !== 'number') bad(`${JSON.stringify(v)} is not a number`);
      return v;
    case 'date':
      if (typeof v !== 'string' || !isDate(v)) bad(`${JSON.stringify(v)} is not a date (YYYY-MM-DD)`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') bad(`${JSON.stringify(v)} is not true/false`);
      return v;
    case 'null':
    case 'days':
      return bad(`unsupported value type ${type}`);
  }
}

/** Code fields whose native value (`<field>_raw`) counts as present when it has no canonical mapping. */
const UNMAPPED_IS_PRESENT = new Set(['entry_code', 'exit_code']);

function blankSql(col: string, type: ExprType): string {
  if (type === 'text') return `(${col} IS NULL OR btrim(${col}) = '')`;
  if (type === 'text[]') return `(${col} IS NULL OR cardinality(${col}) = 0)`;
  return `(${col} IS NULL)`;
}

function boundSql(bound: string | number, type: ExprType, path: string, params: SqlParams): string {
  if (typeof bound === 'number') {
    if (type !== 'int' && type !== 'numeric')
      throw new RuleCompileError(path, `a number bound needs a numeric field, not ${type}`);
    return params.literal(bound, Number.isInteger(bound) ? 'int' : 'numeric');
  }
  const noFields: ExprScope = { default: null, qualified: {}, reads: new Set() };
  const v = at(path, () => compileValue(bound, noFields, params, type));
  const ok =
    v.type === type || ((type === 'int' || type === 'numeric') && (v.type === 'int' || v.type === 'numeric'));
  if (!ok) throw new RuleCompileError(path, `bound '${bound}' is ${v.type}, the field is ${type}`);
  return v.sql;
}

/** SQL that is true when the row fails a row-level check (callers AND it with `checked`). */
export function rowFailureSql(
  rule: CompilableRule,
  alias: string,
  params: SqlParams,
  reads: Set<string>,
): string {
  const c = rule.check;
  const e = rule.entity;
  const col = (f: string): string => `${alias}.${f}`;
  switch (c.kind) {
    case 'required': {
      const parts = c.fields.map((f, i) => {
        const blank = blankSql(col(f), requireField(e, f, `check.required[${i}]`, reads));
        // An entry or exit code the district's code map does not know is present in the SIS: the unmapped code
        // is reported once (by the extraction), not again as a missing code.
        return UNMAPPED_IS_PRESENT.has(f) ? `(${blank} AND ${blankSql(col(`${f}_raw`), 'text')})` : blank;
      });
      return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
    }
    case 'allowed': {
      const type = requireField(e, c.field, 'check.allowed.field', reads);
      const pg = PG_OF[type];
      if (!pg)
        throw new RuleCompileError('check.allowed.field', `cannot check allowed values of a ${type} field`);
      const values = c.values.map((v, i) => coerceScalar(v, type, `check.allowed.values[${i}]`));
      const set = params.literal(values, `${pg}[]` as PgType);
      const test = type === 'text[]' ? `${col(c.field)} <@ ${set}` : `${col(c.field)} = ANY(${set})`;
      return `(${col(c.field)} IS NOT NULL AND NOT (${test}))`;
    }
    case 'pattern': {
      const type = requireField(e, c.field, 'check.pattern.field', reads);
      if (type !== 'text')
        throw new RuleCompileError(
          'check.pattern.field',
          `pattern needs a text field; ${c.field} is ${type}`,
        );
      at('check.pattern.regex', () => checkRegex(c.regex, c.regex, 0));
      return `(${col(c.field)} IS NOT NULL AND NOT (${col(c.field)} ~ ${params.literal(c.regex, 'text')}))`;
    }
    case 'range': {
      const type = requireField(e, c.field, 'check.range.field', reads);
      if (type !== 'int' && type !== 'date')
        throw new RuleCompileError(
          'check.range.field',
          `range needs a number or date field; ${c.field} is ${type}`,
        );
      const tests: string[] = [];
      if (c.min !== null) tests.push(`${col(c.field)} < ${boundSql(c.min, type, 'check.range.min', params)}`);
      if (c.max !== null) tests.push(`${col(c.field)} > ${boundSql(c.max, type, 'check.range.max', params)}`);
      return `(${col(c.field)} IS NOT NULL AND (${tests.join(' OR ')}))`;
    }
    case 'compare': {
      const lt = requireField(e, c.left, 'check.compare.left', reads);
      if (lt === 'text[]' || (lt === 'bool' && !['=', '!=', '<>'].includes(c.op))) {
        throw new RuleCompileError('check.compare.op', `'${c.op}' cannot compare ${lt} values`);
      }
      let right: string;
      if ('field' in c.right) {
        const rt = requireField(e, c.right.field, 'check.compare.right', reads);
        if (rt !== lt)
          throw new RuleCompileError(
            'check.compare.right',
            `${c.left} is ${lt} but ${c.right.field} is ${rt}`,
          );
        right = col(c.right.field);
      } else {
        const pg = PG_OF[lt];
        right = params.literal(coerceScalar(c.right.value, lt, 'check.compare.right.value'), pg ?? 'text');
      }
      const op = c.op === '!=' ? '<>' : c.op;
      return `(${col(c.left)} IS NOT NULL AND ${right} IS NOT NULL AND NOT (${col(c.left)} ${op} ${right}))`;
    }
    case 'expression':
      return `NOT coalesce(${conditionSql(c.expression, 'check.expression', scopeFor(e, alias, reads), params)}, true)`;
    case 'unique':
    case 'no_overlap':
    case 'exists':
    case 'count_change':
    case 'sql':
      throw new RuleCompileError('check', `${c.kind} is not a row-level check`);
  }
}
