import { CANONICAL_ENTITIES, snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';

/**
 * Lexical guard for `sql` rules (support-authored). Defence in depth with the read-only transaction, the statement
 * timeout and `search_path = pg_catalog` the executor applies: one SELECT/WITH statement, no comments, no `;`, no
 * quoted identifiers or dollar quoting, functions from a whitelist, and tables only as `{{entity}}` placeholders
 * (or CTE names defined in the statement).
 */
const FORBIDDEN_WORDS = new Set([
  'insert',
  'update',
  'delete',
  'merge',
  'create',
  'alter',
  'drop',
  'truncate',
  'grant',
  'revoke',
  'copy',
  'call',
  'do',
  'execute',
  'set',
  'reset',
  'lock',
  'vacuum',
  'analyze',
  'analyse',
  'listen',
  'notify',
  'unlisten',
  'prepare',
  'deallocate',
  'into',
  'refresh',
  'comment',
  'cluster',
  'reindex',
  'discard',
  'load',
  'import',
  'security',
  'checkpoint',
  'begin',
  'commit',
  'rollback',
  'savepoint',
  'release',
  'table',
  'declare',
  'fetch',
  'move',
  'close',
  'show',
  'returning',
  'only',
  'tablesample',
  'nextval',
  'setval',
  'current_setting',
  'set_config',
]);

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
  'cast',
]);

/** Words that may precede `(` without being a function call. */
const PAREN_KEYWORDS = new Set([
  'exists',
  'in',
  'any',
  'all',
  'some',
  'over',
  'filter',
  'as',
  'and',
  'or',
  'not',
  'on',
  'using',
  'from',
  'where',
  'select',
  'case',
  'when',
  'then',
  'else',
  'join',
  'lateral',
  'array',
  'row',
  'values',
  'within',
  'by',
  'having',
  'union',
  'intersect',
  'except',
  'distinct',
  'between',
  'like',
  'ilike',
  'is',
  'with',
  'recursive',
  'group',
  'order',
  'partition',
  'window',
  'limit',
  'offset',
  'end',
  'materialized',
  'similar',
  'to',
  'escape',
]);
const SET_RETURNING = new Set(['unnest']);
const CLAUSE_END = new Set([
  'where',
  'group',
  'order',
  'having',
  'limit',
  'offset',
  'window',
  'union',
  'intersect',
  'except',
]);

type Tok = { kind: 'word' | 'placeholder' | 'string' | 'number' | 'punct'; text: string; pos: number };
type FromState = 'none' | 'expect' | 'list';
interface Level {
  args: boolean;
  from: FromState;
}

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

/** Validates the text of an `sql` rule and returns the entities it reads through placeholders. */
export function checkRuleSql(sql: string): CanonicalEntity[] {
  const toks = lex(sql);
  const fail = (msg: string, t: Tok): never => {
    throw new ExpressionError(msg, sql, t.pos);
  };
  if (toks.length === 0 || !['select', 'with'].includes(toks[0].text)) {
    throw new ExpressionError('an sql rule is one SELECT (or WITH … SELECT) statement', sql, 0);
  }
  const ctes = new Set<string>();
  toks.forEach((t, k) => {
    if (t.kind === 'word' && toks[k + 1]?.text === 'as' && toks[k + 2]?.text === '(') ctes.add(t.text);
  });
  const entities = new Set<CanonicalEntity>();
  const levels: Level[] = [{ args: false, from: 'none' }];
  toks.forEach((t, k) => {
    const level = levels[levels.length - 1];
    const prev = toks[k - 1];
    const next = toks[k + 1];
    if (t.kind === 'placeholder') {
      if (!(CANONICAL_ENTITIES as readonly string[]).includes(t.text))
        fail(`unknown entity placeholder {{${t.text}}}`, t);
      entities.add(t.text as CanonicalEntity);
    }
    if (t.kind === 'word' && FORBIDDEN_WORDS.has(t.text))
      fail(`'${t.text}' is not allowed in an sql rule`, t);
    if (t.kind === 'word' && next?.text === '(' && !PAREN_KEYWORDS.has(t.text) && !ctes.has(t.text)) {
      if (prev?.text === '.') fail('schema-qualified functions are not allowed', t);
      if (!SQL_RULE_FUNCTIONS.has(t.text)) fail(`function '${t.text}' is not allowed in an sql rule`, t);
    }
    if (level.from === 'expect' && !(t.kind === 'word' && t.text === 'lateral')) {
      const ok =
        t.kind === 'placeholder' ||
        t.text === '(' ||
        (t.kind === 'word' && (ctes.has(t.text) || (SET_RETURNING.has(t.text) && next?.text === '(')));
      if (!ok) fail(`'${t.text}': tables are read only through {{entity}} placeholders`, t);
      if (t.kind === 'word' && next?.text === '.') fail('schema-qualified tables are not allowed', t);
      level.from = 'list';
    } else if (t.kind === 'word' && t.text === 'from' && !level.args && !(prev?.text === 'distinct')) {
      level.from = 'expect';
    } else if (t.kind === 'word' && t.text === 'join') {
      level.from = 'expect';
    } else if (t.text === ',' && level.from === 'list') {
      level.from = 'expect';
    } else if (t.kind === 'word' && (CLAUSE_END.has(t.text) || t.text === 'select')) {
      level.from = 'none';
    }
    if (t.text === '(') {
      const fn = prev?.kind === 'word' && SQL_RULE_FUNCTIONS.has(prev.text) && !ctes.has(prev.text);
      levels.push({ args: fn, from: 'none' });
    } else if (t.text === ')') {
      if (levels.length === 1) fail("unbalanced ')'", t);
      levels.pop();
    }
  });
  if (levels.length !== 1) throw new ExpressionError("unbalanced '('", sql, sql.length);
  if (entities.size === 0)
    throw new ExpressionError('an sql rule must read at least one {{entity}} placeholder', sql, 0);
  return [...entities];
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
 * The rule's text with each `{{entity}}` replaced by that entity's rows of the snapshot (`snapshotParam`, e.g.
 * `$1::uuid`); a placeholder written without an alias gets the entity name as alias (PostgreSQL < 16 needs one).
 */
export function expandRuleSql(sql: string, snapshotParam: string): string {
  checkRuleSql(sql);
  const toks = lex(sql);
  let out = '';
  let last = 0;
  toks.forEach((t, k) => {
    if (t.kind !== 'placeholder') return;
    const next = toks[k + 1];
    const hasAlias = next?.kind === 'word' && !NOT_ALIAS.has(next.text);
    const end = sql.indexOf('}}', t.pos) + 2;
    const table = snapshotTable(t.text as CanonicalEntity);
    out += `${sql.slice(last, t.pos)}(SELECT * FROM public.${table} WHERE snapshot_id = ${snapshotParam})${hasAlias ? '' : ` AS ${t.text}`}`;
    last = end;
  });
  return out + sql.slice(last);
}
