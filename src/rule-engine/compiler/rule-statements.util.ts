import { snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';
import {
  RAW_COLUMNS,
  RECORD_KEYS,
  RuleCompileError,
  at,
  checkedSql,
  conditionSql,
  hasField,
  requireField,
  rowFailureSql,
  scopeFor,
  stateExcludedSql,
  type CompilableRule,
} from 'src/rule-engine/compiler/rule-fragments.util';
import { checkRuleSql, expandRuleSql } from 'src/rule-engine/compiler/sql-guard.util';
import { expandSqlCodeSets } from 'src/rule-engine/code-sets.util';
import { SqlParams, type CompiledQuery } from 'src/rule-engine/sql-params.util';
import { isRowCheck } from 'src/rule-engine/rule.types';

/**
 * Statement templates. Every statement evaluates its rules over ONE snapshot in one pass, writes the failing rows
 * to rule_exceptions itself (data-modifying CTE) and returns only counts, so nothing is processed row by row in Node.
 *   row unit  → one row: checked_<i>, failed_<i> per rule of the unit (all row-level rules of one entity)
 *   set unit  → one row: checked, failed
 */
export type CompiledUnit =
  | { kind: 'row'; entity: CanonicalEntity; ruleIds: string[]; query: CompiledQuery }
  | { kind: 'set'; entity: CanonicalEntity; ruleId: string; query: CompiledQuery; needsPrevious: boolean }
  | {
      kind: 'sql';
      entity: CanonicalEntity;
      ruleId: string;
      /** The rule's own SELECT over the temporary views of `views` (the entities its placeholders read). */
      probe: CompiledQuery;
      views: CanonicalEntity[];
      /** The views hold only rows reported to the state (a `state_reporting` rule). */
      stateReporting: boolean;
      write: CompiledQuery;
    };

const EXCEPTION_COLUMNS =
  'evaluation_id, district_id, snapshot_id, rule_id, entity, row_no, source_key, record_key, school_id, student_id, program_code, "values", fingerprint';

function recordKeySql(fields: string[], alias: string): string {
  if (fields.length === 0) return `'*'`;
  return fields.map((f) => `coalesce(${alias}.${f}::text, '')`).join(` || '|' || `);
}

/** jsonb of the fields a rule read (with their native `_raw` values) plus extra computed values. */
function valuesSql(
  entity: CanonicalEntity,
  fields: string[],
  alias: string,
  extra: [string, string][] = [],
): string {
  const pairs: string[] = [];
  for (const f of fields) {
    pairs.push(`'${f}', ${alias}.${f}`);
    if (RAW_COLUMNS[entity].includes(f)) pairs.push(`'${f}_raw', ${alias}.${f}_raw`);
  }
  for (const [k, v] of extra) pairs.push(`'${k}', ${v}`);
  return `jsonb_build_object(${pairs.join(', ')})`;
}

/** Columns of the `s` CTE identifying a row of `entity` (for the exception), read from alias `x`. */
function identitySql(entity: CanonicalEntity): string {
  const opt = (f: string): string => (hasField(entity, f) ? `x.${f}` : 'NULL::text');
  return [
    'x.row_no',
    'x.source_key',
    `${recordKeySql(RECORD_KEYS[entity], 'x')} AS record_key`,
    `${opt('school_id')} AS school_id`,
    `${opt('student_id')} AS student_id`,
    `${entity === 'program' ? 'x.program_code' : 'NULL::text'} AS program_code`,
  ].join(', ');
}

/** A student's school is the one of their primary (else latest) enrollment in the same snapshot. */
function schoolOfException(entity: CanonicalEntity, p: SqlParams): string {
  if (entity !== 'student') return 's.school_id';
  return `(SELECT e.school_id FROM snap_enrollment e WHERE e.snapshot_id = ${p.context('snapshot_id')} AND e.student_id = s.student_id
     ORDER BY (e.enrollment_type = 'primary') DESC NULLS LAST, (e.exit_date IS NULL) DESC, e.entry_date DESC NULLS LAST LIMIT 1)`;
}

function ownFields(entity: CanonicalEntity, reads: Set<string>): string[] {
  const prefix = `${entity}.`;
  return [...reads].filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
}

/**
 * All row-level rules of one entity in one scan (LATERAL VALUES unpivots the failures into exception rows).
 * Only rows failing at least one rule reach the unpivot: unpivoting every row cost as much as the scan itself
 * (25 student rules: 20k rows × 25 values for 10 exceptions).
 */
export function compileRowUnit(
  entity: CanonicalEntity,
  rules: CompilableRule[],
  allReads = new Set<string>(),
): CompiledUnit {
  const p = new SqlParams();
  const snap = p.context('snapshot_id');
  const inner: string[] = [];
  const outer: string[] = [];
  const lateral: string[] = [];
  const counts: string[] = [];
  rules.forEach((rule, i) => {
    if (rule.entity !== entity || !isRowCheck(rule.check.kind))
      throw new RuleCompileError('check', `not a row-level ${entity} rule`);
    const reads = new Set<string>();
    inner.push(
      `${checkedSql(rule, 't', p, reads)} AS c${i}`,
      `coalesce(${rowFailureSql(rule, 't', p, reads)}, false) AS r${i}`,
    );
    outer.push(
      `x.c${i}`,
      `(x.c${i} AND x.r${i}) AS f${i}`,
      `CASE WHEN x.c${i} AND x.r${i} THEN ${valuesSql(entity, ownFields(entity, reads), 'x')} END AS v${i}`,
    );
    lateral.push(`(${p.literal(rule.id, 'text')}, s.f${i}, s.v${i})`);
    counts.push(
      `count(*) FILTER (WHERE s.c${i}) AS checked_${i}`,
      `count(*) FILTER (WHERE s.f${i}) AS failed_${i}`,
    );
    reads.forEach((r) => allReads.add(r));
  });
  const sql = `WITH s AS (
  SELECT ${identitySql(entity)}, ${outer.join(', ')}
  FROM (SELECT t.*, ${inner.join(', ')} FROM ${snapshotTable(entity)} t WHERE t.snapshot_id = ${snap}) x
), ins AS (
  INSERT INTO rule_exceptions (${EXCEPTION_COLUMNS})
  SELECT ${p.context('evaluation_id')}, ${p.context('district_id')}, ${snap}, u.rule_id, ${p.literal(entity, 'text')},
         s.row_no, s.source_key, s.record_key, ${schoolOfException(entity, p)}, s.student_id, s.program_code, u.vals,
         md5(u.rule_id || '|' || s.record_key)
  FROM (SELECT * FROM s WHERE ${rules.map((_, i) => `s.f${i}`).join(' OR ')}) s
  CROSS JOIN LATERAL (VALUES ${lateral.join(', ')}) AS u(rule_id, failed, vals)
  WHERE u.failed
)
SELECT ${counts.join(', ')} FROM s`;
  return { kind: 'row', entity, ruleIds: rules.map((r) => r.id), query: p.query(sql) };
}

/** Shared tail of set-level statements: `inner` yields the checked rows of the entity as `t.*` plus `failed`. */
function setStatement(
  rule: CompilableRule,
  p: SqlParams,
  inner: string,
  fields: string[],
  extra: [string, string][],
): string {
  const e = rule.entity;
  // Identity and values are computed for the failing rows only (building every row's record_key cost more than
  // the rule itself on the roster).
  return `WITH s AS (${inner}), ins AS (
  INSERT INTO rule_exceptions (${EXCEPTION_COLUMNS})
  SELECT ${p.context('evaluation_id')}, ${p.context('district_id')}, ${p.context('snapshot_id')}, ${p.literal(rule.id, 'text')},
         ${p.literal(e, 'text')}, s.row_no, s.source_key, s.record_key, ${schoolOfException(e, p)}, s.student_id, s.program_code,
         s.vals, md5(${p.literal(rule.id, 'text')} || '|' || s.record_key)
  FROM (SELECT ${identitySql(e)}, ${valuesSql(e, fields, 'x', extra)} AS vals FROM s x WHERE x.failed) s
)
SELECT count(*) AS checked, count(*) FILTER (WHERE s.failed) AS failed FROM s`;
}

function keyFields(rule: CompilableRule, fields: string[], path: string, reads: Set<string>): string[] {
  fields.forEach((f, i) => requireField(rule.entity, f, `${path}[${i}]`, reads));
  return fields;
}

function notNull(fields: string[], alias: string): string {
  return fields.map((f) => `${alias}.${f} IS NOT NULL`).join(' AND ');
}

export function compileSetUnit(rule: CompilableRule, reads = new Set<string>()): CompiledUnit {
  const p = new SqlParams();
  const c = rule.check;
  const e = rule.entity;
  const table = snapshotTable(e);
  const snap = p.context('snapshot_id');
  const where = (src: string | null, path: string): string =>
    src ? `coalesce(${conditionSql(src, path, scopeFor(e, 't', reads), p)}, false)` : 'TRUE';
  const base = (): string =>
    `FROM ${table} t WHERE t.snapshot_id = ${snap} AND ${checkedSql(rule, 't', p, reads)}`;
  switch (c.kind) {
    case 'unique': {
      const keys = keyFields(rule, c.fields, 'check.unique.fields', reads);
      const part = keys.map((k) => `t.${k}`).join(', ');
      const inner = `SELECT t.*, count(*) OVER (PARTITION BY ${part}) AS duplicate_count, (count(*) OVER (PARTITION BY ${part}) > 1) AS failed
        ${base()} AND ${where(c.where, 'check.unique.where')} AND ${notNull(keys, 't')}`;
      const sql = setStatement(rule, p, inner, ownFields(e, reads), [
        ['duplicate_count', 'x.duplicate_count'],
      ]);
      return { kind: 'set', entity: e, ruleId: rule.id, query: p.query(sql), needsPrevious: false };
    }
    case 'no_overlap': {
      const keys = keyFields(rule, c.key, 'check.no_overlap.key', reads);
      for (const [f, path] of [
        [c.start, 'check.no_overlap.start'],
        [c.end, 'check.no_overlap.end'],
      ]) {
        const type = requireField(e, f, path, reads);
        if (type !== 'date') throw new RuleCompileError(path, `${f} is ${type}; spans need date fields`);
      }
      const w = `PARTITION BY ${keys.map((k) => `t.${k}`).join(', ')} ORDER BY t.${c.start}, t.row_no`;
      const inner = `SELECT y.*, coalesce(y.prev_end >= y.${c.start} OR y.next_start <= coalesce(y.${c.end}, 'infinity'::date), false) AS failed
        FROM (SELECT t.*, max(coalesce(t.${c.end}, 'infinity'::date)) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end,
                     lead(t.${c.start}) OVER (${w}) AS next_start
              ${base()} AND ${where(c.where, 'check.no_overlap.where')} AND ${notNull([...keys, c.start], 't')}
                AND (t.${c.end} IS NULL OR t.${c.end} >= t.${c.start})) y`;
      const sql = setStatement(rule, p, inner, ownFields(e, reads), []);
      return { kind: 'set', entity: e, ruleId: rule.id, query: p.query(sql), needsPrevious: false };
    }
    case 'exists': {
      const other = c.entity;
      const conds = Object.entries(c.match).map(([of, mine]) => {
        const ot = requireField(other, of, `check.exists.match.${of}`, reads);
        const mt = requireField(e, mine, `check.exists.match.${of}`, reads);
        if (ot !== mt)
          throw new RuleCompileError(
            `check.exists.match.${of}`,
            `${other}.${of} is ${ot} but ${e}.${mine} is ${mt}`,
          );
        return `o.${of} = t.${mine}`;
      });
      if (c.where) {
        const scope = {
          default: { entity: other, alias: 'o' },
          qualified: { [e]: { entity: e, alias: 't' }, [other]: { entity: other, alias: 'o' } },
          reads,
        };
        conds.push(`coalesce(${conditionSql(c.where, 'check.exists.where', scope, p)}, false)`);
      }
      // A state-reporting rule sees only the other entity's reported rows too (what the state receives).
      const otherExcluded = rule.scope === 'state_reporting' ? stateExcludedSql(other, 'o', snap) : null;
      if (otherExcluded) conds.push(`NOT ${otherExcluded}`);
      // A semi-join, not EXISTS in the select list: a sub-link there is a correlated sub-plan run once per record
      // (14k sections × 690k roster rows at 100k students), while EXISTS in WHERE is a hashed semi-join that stops
      // at a record's first match (a plain join produced every matching pair and de-duplicated them after).
      // Inside the sub-select `t` is its own instance of the entity, so the match conditions read the same as in
      // a correlated form; row_no is unique per snapshot.
      const matched = `SELECT t.row_no FROM ${table} t WHERE t.snapshot_id = ${snap}
        AND EXISTS (SELECT 1 FROM ${snapshotTable(other)} o WHERE o.snapshot_id = ${snap} AND ${conds.join(' AND ')})`;
      const inner = `SELECT t.*, (m.row_no IS ${c.negate ? 'NOT NULL' : 'NULL'}) AS failed
        FROM ${table} t LEFT JOIN (${matched}) m ON m.row_no = t.row_no
        WHERE t.snapshot_id = ${snap} AND ${checkedSql(rule, 't', p, reads)}`;
      const sql = setStatement(rule, p, inner, ownFields(e, reads), []);
      return { kind: 'set', entity: e, ruleId: rule.id, query: p.query(sql), needsPrevious: false };
    }
    case 'count_change':
      return compileCountChange(rule, c.groupBy, c.maxPercent, c.minCount, reads);
    case 'sql':
      return compileSqlRule(rule, c.sql, reads);
    case 'required':
    case 'allowed':
    case 'pattern':
    case 'range':
    case 'compare':
    case 'expression':
      return compileRowUnit(e, [rule], reads);
  }
}

function compileCountChange(
  rule: CompilableRule,
  groupBy: string[],
  maxPercent: number,
  minCount: number,
  reads: Set<string>,
): CompiledUnit {
  const p = new SqlParams();
  const e = rule.entity;
  const keys = keyFields(rule, groupBy, 'check.count_change.group_by', reads);
  const cols = keys.map((k) => `t.${k}`);
  // Each half's exclusions are those of its own snapshot.
  const sel = (snapParam: string, cur: number): string =>
    `SELECT ${[...cols, `${cur} AS cur`, `${1 - cur} AS prev`].join(', ')} FROM ${snapshotTable(e)} t WHERE t.snapshot_id = ${snapParam} AND ${checkedSql(rule, 't', p, reads, snapParam)}`;
  const groupBySql = keys.length ? `GROUP BY ${keys.map((k) => `u.${k}`).join(', ')}` : '';
  const opt = (f: string): string => (keys.includes(f) ? `s.${f}` : 'NULL::text');
  const rid = p.literal(rule.id, 'text');
  const sql = `WITH g AS (
  SELECT ${[...keys.map((k) => `u.${k}`), 'coalesce(sum(u.cur), 0)::bigint AS cur_n', 'coalesce(sum(u.prev), 0)::bigint AS prev_n'].join(', ')}
  FROM (${sel(p.context('snapshot_id'), 1)} UNION ALL ${sel(p.context('previous_snapshot_id'), 0)}) u ${groupBySql}
), s AS (
  SELECT g.*, ${recordKeySql(keys, 'g')} AS record_key,
         (greatest(g.cur_n, g.prev_n) >= ${p.literal(minCount, 'int')}) AS checked,
         (greatest(g.cur_n, g.prev_n) >= ${p.literal(minCount, 'int')} AND abs(g.cur_n - g.prev_n) * 100 > ${p.literal(maxPercent, 'numeric')} * g.prev_n) AS failed
  FROM g
), ins AS (
  INSERT INTO rule_exceptions (${EXCEPTION_COLUMNS})
  SELECT ${p.context('evaluation_id')}, ${p.context('district_id')}, ${p.context('snapshot_id')}, ${rid}, ${p.literal(e, 'text')},
         NULL, NULL, s.record_key, ${opt('school_id')}, ${opt('student_id')}, ${opt('program_code')},
         ${valuesSql(e, [], 's', [...keys.map((k): [string, string] => [k, `s.${k}`]), ['previous_count', 's.prev_n'], ['current_count', 's.cur_n']])},
         md5(${rid} || '|' || s.record_key)
  FROM s WHERE s.failed
)
SELECT count(*) FILTER (WHERE s.checked) AS checked, count(*) FILTER (WHERE s.failed) AS failed FROM s`;
  return { kind: 'set', entity: e, ruleId: rule.id, query: p.query(sql), needsPrevious: true };
}

/** `sql` rules: a read-only probe returns the failing row numbers, then a normal statement records them. */
function compileSqlRule(rule: CompilableRule, written: string, reads: Set<string>): CompiledUnit {
  const text = at('check.sql', () => expandSqlCodeSets(written));
  const views = at('check.sql', () => checkRuleSql(text));
  const probeParams = new SqlParams();
  const expanded = at('check.sql', () => expandRuleSql(text));
  const probe = probeParams.query(
    `SELECT DISTINCT u.row_no::bigint::text AS row_no FROM (${expanded}) AS u WHERE u.row_no IS NOT NULL`,
  );
  const p = new SqlParams();
  const e = rule.entity;
  // Joined, not `= ANY(array)` per record: that scans the whole array for every record of the entity.
  const inner = `SELECT t.*, (f.row_no IS NOT NULL) AS failed FROM ${snapshotTable(e)} t
    LEFT JOIN (SELECT DISTINCT u.row_no FROM unnest(${p.context('row_nos')}) AS u(row_no)) f ON f.row_no = t.row_no
    WHERE t.snapshot_id = ${p.context('snapshot_id')} AND ${checkedSql(rule, 't', p, reads)}`;
  const write = p.query(setStatement(rule, p, inner, ownFields(e, reads), []));
  return {
    kind: 'sql',
    entity: e,
    ruleId: rule.id,
    probe,
    views,
    stateReporting: rule.scope === 'state_reporting',
    write,
  };
}
