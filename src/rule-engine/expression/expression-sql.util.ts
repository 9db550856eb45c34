import { CANONICAL_FIELDS, type CanonicalEntity, type CanonicalFieldType } from 'connectors/sdk/canonical';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';
import { parseExpression } from 'src/rule-engine/expression/expression-parser.util';
import type { Expr, FunctionName, LiteralValue } from 'src/rule-engine/expression/expression.types';
import type { PgType, SqlParams } from 'src/rule-engine/sql-params.util';
import { errorText } from 'src/common/error-text.util';

export type ExprType = 'text' | 'int' | 'numeric' | 'date' | 'bool' | 'text[]' | 'null' | 'days';

export interface FieldScope {
  entity: CanonicalEntity;
  /** SQL alias of the table; chosen by the compiler, never by a rule. */
  alias: string;
}

/** Which fields an expression may name: unqualified ones of `default`, and `qualifier.field` of `qualified`. */
export interface ExprScope {
  default: FieldScope | null;
  qualified: Record<string, FieldScope>;
  /** Collects every field read, as `entity.field`. */
  reads: Set<string>;
}

interface Typed {
  sql: string;
  type: ExprType;
}

const FIELD_TYPES: Record<CanonicalFieldType, ExprType> = {
  text: 'text',
  int: 'int',
  date: 'date',
  bool: 'bool',
  'text[]': 'text[]',
};
const PG_TYPES: Partial<Record<ExprType, PgType>> = {
  text: 'text',
  int: 'int',
  numeric: 'numeric',
  date: 'date',
  bool: 'boolean',
};

interface Signature {
  args: (ExprType | 'any')[];
  returns: ExprType | 'first';
  sql: (a: string[]) => string;
}

const SIGNATURES: Record<FunctionName, Signature> = {
  age_on: {
    args: ['date', 'date'],
    returns: 'int',
    sql: ([b, on]) => `(extract(year from age(${on}, ${b})))::int`,
  },
  year: { args: ['date'], returns: 'int', sql: ([d]) => `(extract(year from ${d}))::int` },
  month: { args: ['date'], returns: 'int', sql: ([d]) => `(extract(month from ${d}))::int` },
  days_between: { args: ['date', 'date'], returns: 'int', sql: ([a, b]) => `(${b} - ${a})` },
  length: { args: ['text'], returns: 'int', sql: ([s]) => `char_length(${s})` },
  upper: { args: ['text'], returns: 'text', sql: ([s]) => `upper(${s})` },
  lower: { args: ['text'], returns: 'text', sql: ([s]) => `lower(${s})` },
  trim: { args: ['text'], returns: 'text', sql: ([s]) => `btrim(${s})` },
  coalesce: { args: ['any', 'any'], returns: 'first', sql: ([a, b]) => `coalesce(${a}, ${b})` },
  cardinality: { args: ['text[]'], returns: 'int', sql: ([a]) => `coalesce(cardinality(${a}), 0)` },
  school_year_start: { args: ['int'], returns: 'date', sql: ([y]) => `make_date(${y}, 7, 1)` },
};

/** Type of a canonical field, or null when the entity has no such field. */
export function fieldType(entity: CanonicalEntity, field: string): ExprType | null {
  const t = Object.prototype.hasOwnProperty.call(CANONICAL_FIELDS[entity], field)
    ? CANONICAL_FIELDS[entity][field]
    : undefined;
  return t ? FIELD_TYPES[t] : null;
}

/** Compiles an expression that must be true/false (when, where, expression checks) to a SQL boolean. */
export function compileCondition(source: string, scope: ExprScope, params: SqlParams): string {
  const ast = parseExpression(source);
  const out = new ExpressionCompiler(source, scope, params).compile(ast, null);
  if (out.type !== 'bool')
    throw new ExpressionError(`expected a true/false condition, got a ${out.type} value`, source, 0);
  return out.sql;
}

/** Compiles a value expression (range bounds) and returns its SQL and type. */
export function compileValue(
  source: string,
  scope: ExprScope,
  params: SqlParams,
  hint: ExprType | null = null,
): Typed {
  return new ExpressionCompiler(source, scope, params).compile(parseExpression(source), hint);
}

function numeric(t: ExprType): boolean {
  return t === 'int' || t === 'numeric';
}

function compatible(a: ExprType, b: ExprType): boolean {
  return a === b || (numeric(a) && numeric(b));
}

class ExpressionCompiler {
  constructor(
    private readonly source: string,
    private readonly scope: ExprScope,
    private readonly params: SqlParams,
  ) {}

  /** `hint` lets a string literal stand for a date where a date is expected ('2026-08-12'). */
  compile(e: Expr, hint: ExprType | null): Typed {
    switch (e.kind) {
      case 'literal':
        return this.literal(e.literal, hint, e.pos);
      case 'days':
        return { sql: this.params.literal(e.amount, 'int'), type: 'days' };
      case 'context':
        return { sql: this.params.context(e.name), type: 'date' };
      case 'field':
        return this.field(e.qualifier, e.name, e.pos);
      case 'call':
        return this.call(e.name, e.args, e.pos);
      case 'arith':
        return this.arith(e.op, e.left, e.right, e.pos);
      case 'compare': {
        const [l, r] = this.pair(e.left, e.right, e.pos, `'${e.op}'`);
        if (l.type === 'text[]' || l.type === 'days')
          throw this.error(`cannot compare ${l.type} values with '${e.op}'`, e.pos);
        return { sql: `(${l.sql} ${e.op === '!=' ? '<>' : e.op} ${r.sql})`, type: 'bool' };
      }
      case 'logical':
        return {
          sql: `(${this.bool(e.left, e.op)} ${e.op.toUpperCase()} ${this.bool(e.right, e.op)})`,
          type: 'bool',
        };
      case 'not':
        return { sql: `(NOT ${this.bool(e.operand, 'not')})`, type: 'bool' };
      case 'is_null': {
        const o = this.compile(e.operand, null);
        if (o.type === 'days') throw this.error("'days' cannot be null-tested", e.pos);
        return { sql: `(${o.sql} IS ${e.negated ? 'NOT ' : ''}NULL)`, type: 'bool' };
      }
      case 'in':
        return this.inList(e.operand, e.values, e.negated);
      case 'between': {
        const o = this.scalar(e.operand, 'between');
        const lo = this.expect(e.low, o.type, 'between');
        const hi = this.expect(e.high, o.type, 'between');
        return { sql: `(${o.sql} ${e.negated ? 'NOT ' : ''}BETWEEN ${lo.sql} AND ${hi.sql})`, type: 'bool' };
      }
      case 'like': {
        const o = this.expect(e.operand, 'text', 'like');
        return {
          sql: `(${o.sql} ${e.negated ? 'NOT ' : ''}LIKE ${this.params.literal(e.pattern, 'text')})`,
          type: 'bool',
        };
      }
      case 'matches': {
        const o = this.expect(e.operand, 'text', 'matches');
        checkRegex(e.pattern, this.source, e.pos);
        return { sql: `(${o.sql} ~ ${this.params.literal(e.pattern, 'text')})`, type: 'bool' };
      }
    }
  }

  private literal(l: LiteralValue, hint: ExprType | null, pos: number): Typed {
    switch (l.type) {
      case 'null':
        return { sql: 'NULL', type: 'null' };
      case 'text':
        if (hint === 'date')
          return { sql: this.params.literal(checkDateText(l.value, this.source, pos), 'date'), type: 'date' };
        return { sql: this.params.literal(l.value, 'text'), type: 'text' };
      case 'int':
        return {
          sql: this.params.literal(l.value, hint === 'numeric' ? 'numeric' : 'int'),
          type: hint === 'numeric' ? 'numeric' : 'int',
        };
      case 'numeric':
        return { sql: this.params.literal(l.value, 'numeric'), type: 'numeric' };
      case 'date':
        return { sql: this.params.literal(l.value, 'date'), type: 'date' };
      case 'bool':
        return { sql: this.params.literal(l.value, 'boolean'), type: 'bool' };
    }
  }

  private field(qualifier: string | null, name: string, pos: number): Typed {
    const scope = qualifier === null ? this.scope.default : this.scope.qualified[qualifier.toLowerCase()];
    if (!scope) {
      if (qualifier === null) throw this.error(`fields are not allowed here (got '${name}')`, pos);
      const known = Object.keys(this.scope.qualified);
      throw this.error(
        `unknown entity '${qualifier}'${known.length ? ` (allowed here: ${known.join(', ')})` : ''}`,
        pos,
      );
    }
    const type = fieldType(scope.entity, name);
    if (!type) throw this.error(`unknown field '${name}' of ${scope.entity}`, pos);
    this.scope.reads.add(`${scope.entity}.${name}`);
    return { sql: `${scope.alias}.${name}`, type };
  }

  private call(name: FunctionName, args: Expr[], pos: number): Typed {
    const sig = SIGNATURES[name];
    if (args.length !== sig.args.length)
      throw this.error(`${name}() takes ${sig.args.length} argument(s), got ${args.length}`, pos);
    const compiled: Typed[] = [];
    sig.args.forEach((want, i) => {
      const hint = want === 'any' ? (compiled[0]?.type ?? null) : want;
      const a = this.compile(args[i], hint);
      if (want === 'any') {
        if (
          i > 0 &&
          a.type !== 'null' &&
          compiled[0].type !== 'null' &&
          !compatible(a.type, compiled[0].type)
        ) {
          throw this.error(
            `${name}() arguments must have the same type (${compiled[0].type} vs ${a.type})`,
            pos,
          );
        }
      } else if (a.type !== want && !(want === 'numeric' && a.type === 'int') && a.type !== 'null') {
        throw this.error(`${name}() argument ${i + 1} must be ${want}, got ${a.type}`, pos);
      }
      compiled.push(a);
    });
    const type =
      sig.returns === 'first'
        ? compiled[0].type === 'null'
          ? compiled[1].type
          : compiled[0].type
        : sig.returns;
    return { sql: sig.sql(compiled.map((c) => c.sql)), type };
  }

  private arith(op: '+' | '-', left: Expr, right: Expr, pos: number): Typed {
    const l = this.compile(left, null);
    const r = this.compile(right, null);
    const sql = `(${l.sql} ${op} ${r.sql})`;
    if (l.type === 'date' && r.type === 'days') return { sql, type: 'date' };
    if (op === '+' && l.type === 'days' && r.type === 'date') return { sql, type: 'date' };
    if (op === '-' && l.type === 'date' && r.type === 'date') return { sql, type: 'int' };
    if (l.type === 'days' && r.type === 'days') return { sql, type: 'days' };
    if (numeric(l.type) && numeric(r.type))
      return { sql, type: l.type === 'int' && r.type === 'int' ? 'int' : 'numeric' };
    const hint =
      l.type === 'date' && r.type === 'int' && right.kind === 'literal' && right.literal.type === 'int'
        ? ` (write '${right.literal.value} days')`
        : '';
    throw this.error(`cannot apply '${op}' to ${l.type} and ${r.type}${hint}`, pos);
  }

  /** Two operands of one comparison; a string literal takes the other side's date type. */
  private pair(left: Expr, right: Expr, pos: number, what: string): [Typed, Typed] {
    let l = this.compile(left, null);
    const r = this.compile(right, l.type);
    if (r.type === 'date' && l.type === 'text' && left.kind === 'literal') l = this.compile(left, 'date');
    if (l.type === 'null' || r.type === 'null')
      throw this.error(`comparing with null is never true; use 'is null' / 'is not null'`, pos);
    if (!compatible(l.type, r.type))
      throw this.error(`cannot compare ${l.type} with ${r.type} using ${what}`, pos);
    return [l, r];
  }

  private bool(e: Expr, what: string): string {
    const o = this.compile(e, 'bool');
    if (o.type !== 'bool') throw this.error(`'${what}' needs true/false operands, got ${o.type}`, e.pos);
    return o.sql;
  }

  private scalar(e: Expr, what: string): Typed {
    const o = this.compile(e, null);
    if (!PG_TYPES[o.type]) throw this.error(`'${what}' cannot be applied to ${o.type}`, e.pos);
    return o;
  }

  private expect(e: Expr, type: ExprType, what: string): Typed {
    const o = this.compile(e, type);
    if (!compatible(o.type, type)) throw this.error(`'${what}' expects ${type}, got ${o.type}`, e.pos);
    return o;
  }

  private inList(operand: Expr, values: Expr[], negated: boolean): Typed {
    const o = this.scalar(operand, 'in');
    const pgType =
      PG_TYPES[
        o.type === 'int' && values.some((v) => v.kind === 'literal' && v.literal.type === 'numeric')
          ? 'numeric'
          : o.type
      ];
    const items = values.map((v) => {
      if (v.kind !== 'literal' || v.literal.type === 'null')
        throw this.error("'in' lists hold literals only", v.pos);
      const lit = v.literal;
      if (o.type === 'date' && (lit.type === 'text' || lit.type === 'date'))
        return checkDateText(lit.value, this.source, v.pos);
      const litType: ExprType = lit.type;
      if (!compatible(litType, o.type))
        throw this.error(`'in' list value of type ${lit.type} does not match ${o.type}`, v.pos);
      return lit.value;
    });
    const sql = `(${o.sql} = ANY(${this.params.literal(items, `${pgType ?? 'text'}[]` as PgType)}))`;
    return { sql: negated ? `(NOT ${sql})` : sql, type: 'bool' };
  }

  private error(message: string, pos: number): ExpressionError {
    return new ExpressionError(message, this.source, pos);
  }
}

function checkDateText(value: string, source: string, pos: number): string {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new ExpressionError(`'${value}' is not a date (YYYY-MM-DD)`, source, pos);
  }
  return value;
}

/** Rejects patterns JavaScript cannot compile; PostgreSQL's ARE syntax is close enough to catch typos early. */
export function checkRegex(pattern: string, source: string, pos: number): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new ExpressionError(`invalid regular expression: ${errorText(err)}`, source, pos);
  }
}
