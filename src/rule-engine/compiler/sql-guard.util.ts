import { CANONICAL_ENTITIES, type CanonicalEntity } from 'connectors/sdk/canonical';
import { parseSql, sqlParserLoaded } from 'src/rule-engine/compiler/sql-parser.util';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';

/**
 * Guard for `sql` rules (support-authored), on the real PostgreSQL grammar (libpg-query): the text is lexed for
 * `{{entity}}` placeholders and a few lexical refusals (comments, `;`, `$`, quoted identifiers, escape strings),
 * then parsed, and the parse tree is walked with an allow-list: exactly one SELECT; only the node kinds a data
 * check needs; functions, types and SQL value functions from allow-lists wherever they appear (target list,
 * WHERE, WINDOW clauses, CTEs, sub-selects, LATERAL, parenthesised joins); tables only as placeholders or as CTE
 * names in scope. Defence in depth: the executor runs the result under the restricted role `sisc_rule_reader`
 * (reads only per-evaluation temporary views of the snapshot), read-only, with a statement timeout and
 * `search_path = pg_catalog`.
 */
export const SQL_RULE_FUNCTIONS = new Set([
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'bool_and',
  'bool_or',
  'every',
  'string_agg',
  'array_agg',
  'coalesce',
  'nullif',
  'greatest',
  'least',
  'abs',
  'round',
  'floor',
  'ceil',
  'trunc',
  'mod',
  'length',
  'char_length',
  'lower',
  'upper',
  'btrim',
  'ltrim',
  'rtrim',
  'trim',
  'substr',
  'substring',
  'left',
  'right',
  'position',
  'strpos',
  'replace',
  'regexp_replace',
  'regexp_match',
  'split_part',
  'concat',
  'concat_ws',
  'lpad',
  'rpad',
  'starts_with',
  'to_char',
  'to_date',
  'date_part',
  'date_trunc',
  'extract',
  'age',
  'make_date',
  'daterange',
  'cardinality',
  'array_length',
  'array_position',
  'unnest',
  'now',
  'row_number',
  'rank',
  'dense_rank',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'ntile',
  'md5',
  'overlay',
]);

/** Functions the parser itself writes for SQL-standard syntax (EXTRACT, SUBSTRING … FROM, TRIM, POSITION …). */
const SQL_SYNTAX_FUNCTIONS = new Set([
  'extract',
  'substring',
  'position',
  'overlay',
  'btrim',
  'ltrim',
  'rtrim',
  'timezone',
  'like_escape',
  'similar_to_escape',
  'date_part',
]);

/** Types a rule may cast to (the parser writes `int`, `integer` … as pg_catalog.int4 …). */
const SQL_RULE_TYPES = new Set([
  'text',
  'varchar',
  'bpchar',
  'char',
  'name',
  'int2',
  'int4',
  'int8',
  'smallint',
  'integer',
  'int',
  'bigint',
  'numeric',
  'decimal',
  'float4',
  'float8',
  'real',
  'bool',
  'boolean',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'uuid',
  'daterange',
]);

/** CURRENT_DATE and friends; CURRENT_USER, SESSION_USER, CURRENT_SCHEMA … are not data. */
const SQL_VALUE_FUNCTIONS = new Set([
  'SVFOP_CURRENT_DATE',
  'SVFOP_CURRENT_TIME',
  'SVFOP_CURRENT_TIME_N',
  'SVFOP_CURRENT_TIMESTAMP',
  'SVFOP_CURRENT_TIMESTAMP_N',
  'SVFOP_LOCALTIME',
  'SVFOP_LOCALTIME_N',
  'SVFOP_LOCALTIMESTAMP',
  'SVFOP_LOCALTIMESTAMP_N',
]);

/** Parse-tree node kinds a data check is written with; anything else (INSERT, INTO, TABLESAMPLE, XML …) is refused. */
const ALLOWED_NODES = new Set([
  'SelectStmt',
  'ResTarget',
  'ColumnRef',
  'String',
  'Integer',
  'Float',
  'Boolean',
  'BitString',
  'A_Const',
  'A_Star',
  'A_Expr',
  'A_ArrayExpr',
  'A_Indirection',
  'A_Indices',
  'BoolExpr',
  'NullTest',
  'BooleanTest',
  'CaseExpr',
  'CaseWhen',
  'CoalesceExpr',
  'MinMaxExpr',
  'RowExpr',
  'SubLink',
  'FuncCall',
  'TypeCast',
  'TypeName',
  'CollateClause',
  'SQLValueFunction',
  'GroupingFunc',
  'GroupingSet',
  'SortBy',
  'WindowDef',
  'RangeVar',
  'RangeSubselect',
  'RangeFunction',
  'JoinExpr',
  'Alias',
  'WithClause',
  'CommonTableExpr',
  'List',
]);

/** The identifier a placeholder becomes for the parser; written by hand it is refused by the lexer. */
const PLACEHOLDER_PREFIX = 'sisc_entity_';

type Tok = { kind: 'word' | 'placeholder' | 'string' | 'number' | 'punct'; text: string; pos: number };

function lex(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (msg: string, at: number): never => {
    throw new ExpressionError(msg, sql, at);
  };
  while (i < sql.length) {
    const c = sql[i];
    const two = sql.slice(i, i + 2);
    if (/\s/.test(c)) {
      i += 1;
    } else if (two === '--' || two === '/*') {
      fail('comments are not allowed', i);
    } else if (c === ';') {
      fail("';' is not allowed: one statement only", i);
    } else if (c === '$') {
      fail("'$' is not allowed (no parameters or dollar quoting)", i);
    } else if (c === '"') {
      fail('quoted identifiers are not allowed', i);
    } else if (c === '\\') {
      fail("'\\' is not allowed", i);
    } else if (two === '{{') {
      const m = /^\{\{\s*([a-z_]+)\s*\}\}/.exec(sql.slice(i));
      if (!m) fail('malformed placeholder; write {{entity}}', i);
      else {
        out.push({ kind: 'placeholder', text: m[1], pos: i });
        i += m[0].length;
      }
    } else if (c === "'") {
      const prev = out[out.length - 1];
      if (prev && prev.kind === 'word' && prev.pos + prev.text.length === i && /^(e|u&?)$/i.test(prev.text)) {
        fail('escape-string and unicode literals are not allowed', prev.pos);
      }
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === "'" && sql[j + 1] === "'") j += 1;
        else if (sql[j] === "'") break;
      }
      if (j >= sql.length) fail('unterminated string', i);
      out.push({ kind: 'string', text: sql.slice(i, j + 1), pos: i });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
      const text = m ? m[0] : c;
      out.push({ kind: 'word', text: text.toLowerCase(), pos: i });
      i += text.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(sql.slice(i));
      const text = m ? m[0] : c;
      out.push({ kind: 'number', text, pos: i });
      i += text.length;
    } else if (/[(),.+\-*/<>=!~@#%^&|?:[\]]/.test(c)) {
      if (c === '&' && sql[i + 1] !== '&') fail("'&' is only allowed as the range operator '&&'", i);
      out.push({ kind: 'punct', text: c, pos: i });
      i += 1;
    } else {
      fail(`unexpected character '${c}'`, i);
    }
  }
  return out;
}

type Json = Record<string, unknown>;

interface Scope {
  /** CTE names visible here (tables a FROM item may name besides placeholders). */
  ctes: ReadonlySet<string>;
}

interface Walk {
  sql: string;
  /** Character offset in the rule text of each offset in the parsed text (placeholders are rewritten). */
  origin: (parsedPos: number) => number;
  entities: Set<CanonicalEntity>;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => (isObject(n) && isObject(n.String) ? String(n.String.sval) : '?'));
}

function refuse(w: Walk, message: string, node: Json): never {
  const loc = typeof node.location === 'number' ? node.location : 0;
  throw new ExpressionError(message, w.sql, w.origin(Math.max(0, loc)));
}

/** Walks any value of the tree: arrays, wrapped nodes (`{ Kind: {…} }`) and the inline structs between them. */
function walkValue(w: Walk, value: unknown, scope: Scope): void {
  if (Array.isArray(value)) {
    for (const v of value) walkValue(w, v, scope);
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  if (keys.length === 1 && /^[A-Z]/.test(keys[0]) && isObject(value[keys[0]])) {
    walkNode(w, keys[0], value[keys[0]] as Json, scope);
    return;
  }
  for (const k of keys) walkValue(w, value[k], scope);
}

function walkNode(w: Walk, kind: string, node: Json, scope: Scope): void {
  if (!ALLOWED_NODES.has(kind)) refuse(w, `${kind} is not allowed in an sql rule`, node);
  switch (kind) {
    case 'SelectStmt':
      return walkSelect(w, node, scope);
    case 'RangeVar':
      return checkTable(w, node, scope);
    case 'FuncCall':
      checkFunction(w, node);
      break;
    case 'TypeName':
      checkType(w, node);
      break;
    case 'TypeCast':
      if (isObject(node.typeName)) checkType(w, node.typeName);
      break;
    case 'A_Expr':
      if (names(node.name).length > 1) refuse(w, 'schema-qualified operators are not allowed', node);
      break;
    case 'SQLValueFunction':
      if (!SQL_VALUE_FUNCTIONS.has(String(node.op))) refuse(w, `${String(node.op)} is not allowed`, node);
      break;
    default:
      break;
  }
  for (const [k, v] of Object.entries(node))
    if (k !== 'typeName' || kind !== 'TypeCast') walkValue(w, v, scope);
}

function walkSelect(w: Walk, node: Json, outer: Scope): void {
  if (node.intoClause) refuse(w, "'into' is not allowed in an sql rule", node);
  if (node.lockingClause) refuse(w, 'FOR UPDATE/SHARE is not allowed in an sql rule', node);
  const scope = isObject(node.withClause) ? walkWith(w, node.withClause, outer) : outer;
  for (const [k, v] of Object.entries(node)) if (k !== 'withClause') walkValue(w, v, scope);
}

/** A non-recursive CTE sees only the CTEs before it; a recursive WITH sees all of its names everywhere. */
function walkWith(w: Walk, withClause: Json, outer: Scope): Scope {
  const ctes = (Array.isArray(withClause.ctes) ? withClause.ctes : [])
    .map((c) => (isObject(c) && isObject(c.CommonTableExpr) ? c.CommonTableExpr : null))
    .filter((c): c is Json => c !== null);
  const all = new Set([...outer.ctes, ...ctes.map((c) => String(c.ctename))]);
  const seen = new Set(outer.ctes);
  for (const cte of ctes) {
    const query = cte.ctequery;
    if (!isObject(query) || !isObject(query.SelectStmt)) refuse(w, 'a CTE must be a SELECT', cte);
    walkValue(w, query, { ctes: withClause.recursive === true ? all : new Set(seen) });
    seen.add(String(cte.ctename));
  }
  return { ctes: all };
}

function checkTable(w: Walk, node: Json, scope: Scope): void {
  const name = String(node.relname);
  if (node.schemaname !== undefined || node.catalogname !== undefined) {
    refuse(w, `'${String(node.schemaname)}.${name}': schema-qualified tables are not allowed`, node);
  }
  if (name.startsWith(PLACEHOLDER_PREFIX)) {
    w.entities.add(name.slice(PLACEHOLDER_PREFIX.length) as CanonicalEntity);
    return;
  }
  if (!scope.ctes.has(name))
    refuse(w, `'${name}': tables are read only through {{entity}} placeholders`, node);
}

function checkFunction(w: Walk, node: Json): void {
  const fn = names(node.funcname);
  const sqlSyntax = node.funcformat === 'COERCE_SQL_SYNTAX';
  if (fn.length === 2 && fn[0] === 'pg_catalog' && sqlSyntax && SQL_SYNTAX_FUNCTIONS.has(fn[1])) return;
  if (fn.length !== 1) refuse(w, `'${fn.join('.')}': schema-qualified functions are not allowed`, node);
  if (!SQL_RULE_FUNCTIONS.has(fn[0])) refuse(w, `function '${fn[0]}' is not allowed in an sql rule`, node);
}

function checkType(w: Walk, node: Json): void {
  const t = names(node.names);
  const base = t.length === 2 && t[0] === 'pg_catalog' ? t[1] : t.length === 1 ? t[0] : null;
  if (node.pct_type === true || base === null || !SQL_RULE_TYPES.has(base)) {
    refuse(w, `type '${t.join('.')}' is not allowed in an sql rule`, node);
  }
}

/** The rule's text for the parser: each placeholder becomes an identifier; returns it with an offset map back. */
function forParser(sql: string, toks: Tok[]): { text: string; origin: (pos: number) => number } {
  let text = '';
  let last = 0;
  const shifts: Array<{ at: number; delta: number }> = [];
  for (const t of toks) {
    if (t.kind !== 'placeholder') continue;
    const end = sql.indexOf('}}', t.pos) + 2;
    text += sql.slice(last, t.pos);
    const ident = `${PLACEHOLDER_PREFIX}${t.text}`;
    shifts.push({ at: text.length + ident.length, delta: end - t.pos - ident.length });
    text += ident;
    last = end;
  }
  text += sql.slice(last);
  const origin = (pos: number): number =>
    pos + shifts.filter((s) => s.at <= pos).reduce((sum, s) => sum + s.delta, 0);
  return { text, origin };
}

/** Validates the text of an `sql` rule and returns the entities it reads through placeholders. */
export function checkRuleSql(sql: string): CanonicalEntity[] {
  const toks = lex(sql);
  for (const t of toks) {
    if (t.kind === 'placeholder' && !(CANONICAL_ENTITIES as readonly string[]).includes(t.text)) {
      throw new ExpressionError(`unknown entity placeholder {{${t.text}}}`, sql, t.pos);
    }
    if (t.kind === 'word' && t.text.startsWith(PLACEHOLDER_PREFIX)) {
      throw new ExpressionError(`'${t.text}' is reserved; write {{entity}}`, sql, t.pos);
    }
  }
  if (!sqlParserLoaded()) throw new ExpressionError('the SQL parser is not loaded yet; try again', sql, 0);
  const { text, origin } = forParser(sql, toks);
  let tree: Json;
  try {
    tree = parseSql(text) as Json;
  } catch (err) {
    const d = (err as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    throw new ExpressionError(d?.message ?? 'syntax error', sql, origin(d?.cursorPosition ?? 0));
  }
  const stmts = Array.isArray(tree.stmts) ? tree.stmts : [];
  const first = isObject(stmts[0]) && isObject(stmts[0].stmt) ? stmts[0].stmt : null;
  if (stmts.length !== 1 || !first || !isObject(first.SelectStmt)) {
    throw new ExpressionError('an sql rule is one SELECT (or WITH … SELECT) statement', sql, 0);
  }
  const w: Walk = { sql, origin, entities: new Set() };
  walkValue(w, first, { ctes: new Set() });
  if (w.entities.size === 0)
    throw new ExpressionError('an sql rule must read at least one {{entity}} placeholder', sql, 0);
  return [...w.entities];
}

/** The per-evaluation temporary view holding one entity's rows of the snapshot under evaluation. */
export function ruleViewName(entity: CanonicalEntity): string {
  return `sisc_rule_${entity}`;
}

/** Words that can follow a table reference without being its alias. */
const NOT_ALIAS = new Set([
  'where',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'on',
  'using',
  'group',
  'order',
  'having',
  'limit',
  'offset',
  'window',
  'union',
  'intersect',
  'except',
  'fetch',
  'for',
  'lateral',
]);

/**
 * The rule's text with each `{{entity}}` replaced by that entity's temporary view of the snapshot (created by the
 * executor, {@link ruleViewName}); a placeholder written without an alias gets the entity name as alias.
 */
export function expandRuleSql(sql: string): string {
  checkRuleSql(sql);
  const toks = lex(sql);
  let out = '';
  let last = 0;
  toks.forEach((t, k) => {
    if (t.kind !== 'placeholder') return;
    const next = toks[k + 1];
    const hasAlias = next?.kind === 'word' && !NOT_ALIAS.has(next.text);
    const end = sql.indexOf('}}', t.pos) + 2;
    const view = ruleViewName(t.text as CanonicalEntity);
    out += `${sql.slice(last, t.pos)}pg_temp.${view}${hasAlias ? '' : ` AS ${t.text}`}`;
    last = end;
  });
  return out + sql.slice(last);
}
