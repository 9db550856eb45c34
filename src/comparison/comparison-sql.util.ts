import { snapshotTable } from 'connectors/sdk/canonical';
import { COMPARISON_SPECS, ID_COLUMNS, type EntityComparisonSpec } from 'src/comparison/comparison-spec';
import type { ComparisonOptions, IdEntity } from 'src/comparison/comparison.types';

/**
 * Builds the set-based statements of one comparison. Every statement takes the same parameters:
 * $1 old snapshot id, $2 new snapshot id, $3 district id, $4 the as-of date. Identifiers come from the canonical model and
 * the catalogue (never from input); values are always bound.
 *
 * Work tables (temporary, dropped at commit):
 *   cmp_idmap(entity, old_id, new_id)        old id → new id: matched students/staff, then id_crosswalks
 *   cmp_rows(entity, side, row_no, k, r, school_id)   every record with its match key (old ids mapped)
 *   cmp_pairs(entity, old_row, new_row, k, school_id) matched records
 *   cmp_diff(...)                                     every difference, before the stored ones are bounded
 *   cmp_warn(...)                                     every reference warning
 */

export interface SnapColumn {
  name: string;
  kind: 'date' | 'array' | 'scalar';
}
export type SnapColumns = Map<string, SnapColumn[]>;

const SYSTEM_COLUMNS = new Set(['snapshot_id', 'row_no', 'source_key']);
const SIDE_PARAM = { o: '$1', n: '$2' } as const;

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return name;
};
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Old values mapped to the new id space (matched identity or id crosswalk); new values are unchanged. Each
 * mapping is a LEFT JOIN on cmp_idmap's key (at most one row matches), which the planner can hash, instead of
 * a correlated sub-plan probing the index once per record.
 */
class IdMapJoins {
  private readonly joins: string[] = [];

  map(entity: IdEntity, expr: string): string {
    const a = `mj${this.joins.length}`;
    this.joins.push(`LEFT JOIN cmp_idmap ${a} ON ${a}.entity = ${lit(entity)} AND ${a}.old_id = ${expr}`);
    return `COALESCE(${a}.new_id, ${expr})`;
  }

  sql(): string {
    return this.joins.join('\n    ');
  }
}

/** An old id through the district's id crosswalk only (used before identities are matched). */
function crosswalked(entity: IdEntity, expr: string): string {
  return `COALESCE((SELECT x.new_id FROM id_crosswalks x WHERE x.district_id = $3 AND x.entity = ${lit(entity)} AND x.old_id = ${expr}), ${expr})`;
}

function keyExpr(spec: EntityComparisonSpec, side: 'o' | 'n', alias: string, joins: IdMapJoins): string {
  const parts = spec.key.map((p) => {
    const col = `${alias}.${ident(p.field)}`;
    const value =
      side === 'o' && p.ref ? (spec.identity ? crosswalked(p.ref, col) : joins.map(p.ref, col)) : col;
    return `${lit(p.field)}, (${value})::text`;
  });
  return `jsonb_build_object(${parts.join(', ')})::text`;
}

/** A student's school for the readiness: the school of their primary, latest enrollment (cmp_student_school). */
function schoolExpr(spec: EntityComparisonSpec, side: 'o' | 'n', alias: string): string {
  if (spec.school === 'none') return 'NULL::text';
  const school = spec.school === 'field' ? `${alias}.school_id` : 'ss.school_id';
  return side === 'o' ? crosswalked('school', school) : school;
}

function schoolJoin(spec: EntityComparisonSpec, side: 'o' | 'n', alias: string): string {
  return spec.school === 'enrollment'
    ? `LEFT JOIN cmp_student_school ss ON ss.side = '${side}' AND ss.student_id = ${alias}.student_id`
    : '';
}

/** Each student's school on each side, computed once in one sort instead of a sub-plan per student. */
function studentSchoolStatements(): string[] {
  const side = (s: 'o' | 'n'): string =>
    `SELECT '${s}'::char(1) AS side, student_id, school_id, enrollment_type, entry_date, row_no FROM snap_enrollment
     WHERE snapshot_id = ${SIDE_PARAM[s]} AND student_id IS NOT NULL`;
  return [
    `CREATE TEMP TABLE cmp_student_school ON COMMIT DROP AS
     SELECT DISTINCT ON (side, student_id) side, student_id, school_id
     FROM (${side('o')} UNION ALL ${side('n')}) e
     ORDER BY side, student_id, (enrollment_type = 'primary') DESC NULLS LAST, entry_date DESC NULLS LAST, row_no`,
    'ANALYZE cmp_student_school',
  ];
}

/**
 * The work tables that hold every entity's records are partitioned by entity (temporary partitions, dropped
 * with their parent at commit): each statement names its entity, so it reads only that entity's partition
 * instead of scanning every entity's records once per statement.
 */
const PARTITIONED = ['cmp_rows', 'cmp_pairs', 'cmp_diff'] as const;
const partition = (table: (typeof PARTITIONED)[number], entity: string): string =>
  ident(`${table}_${entity}`);

export function setupStatements(): string[] {
  const partitions = PARTITIONED.flatMap((table) =>
    COMPARISON_SPECS.map(
      (spec) =>
        `CREATE TEMP TABLE ${partition(table, spec.entity)} PARTITION OF ${table} FOR VALUES IN (${lit(spec.entity)})`,
    ),
  );
  return [
    `CREATE TEMP TABLE cmp_idmap (entity text NOT NULL, old_id text NOT NULL, new_id text NOT NULL, PRIMARY KEY (entity, old_id)) ON COMMIT DROP`,
    `CREATE TEMP TABLE cmp_rows (entity text NOT NULL, side char(1) NOT NULL, row_no bigint NOT NULL, k text NOT NULL, r int NOT NULL, school_id text)
       PARTITION BY LIST (entity) ON COMMIT DROP`,
    `CREATE TEMP TABLE cmp_pairs (entity text NOT NULL, old_row bigint NOT NULL, new_row bigint NOT NULL, k text NOT NULL, school_id text)
       PARTITION BY LIST (entity) ON COMMIT DROP`,
    `CREATE TEMP TABLE cmp_diff (entity text NOT NULL, kind text NOT NULL, k text NOT NULL, school_id text, field text,
       old_row bigint, new_row bigint, old_source_key text, new_source_key text,
       old_raw text, old_value text, new_raw text, new_value text) PARTITION BY LIST (entity) ON COMMIT DROP`,
    ...partitions,
    `CREATE TEMP TABLE cmp_warn (entity text NOT NULL, ref_entity text NOT NULL, ref_id text NOT NULL, old_source_key text, message text NOT NULL) ON COMMIT DROP`,
  ];
}

/**
 * Records of one entity with their match keys, both sides. Records sharing a key are numbered in the order of
 * the entity's date, so dated records pair by date order and a moved date is a field difference.
 */
function rowStatements(spec: EntityComparisonSpec, options: ComparisonOptions): string[] {
  const table = ident(snapshotTable(spec.entity));
  const ord = spec.order ? `s.${ident(spec.order)}` : 'NULL::date';
  const end = spec.liveUnlessDated;
  const live =
    end && options.fields && !options.fields[spec.entity]?.includes(end)
      ? ` AND (s.${ident(end)} IS NULL OR s.${ident(end)} >= $4::date)`
      : '';
  return (['o', 'n'] as const).map((side) => {
    const joins = new IdMapJoins();
    const k = keyExpr(spec, side, 's', joins);
    return `INSERT INTO cmp_rows (entity, side, row_no, k, r, school_id)
      SELECT ${lit(spec.entity)}, '${side}', row_no, k, row_number() OVER (PARTITION BY k ORDER BY ord NULLS LAST, row_no), school_id
      FROM (SELECT s.row_no, ${k} AS k, ${ord} AS ord, ${schoolExpr(spec, side, 's')} AS school_id
            FROM ${table} s ${joins.sql()} ${schoolJoin(spec, side, 's')}
            WHERE s.snapshot_id = ${SIDE_PARAM[side]}${live}) x`;
  });
}

/** Students and staff: one pass per identifier, each matching only what earlier passes left. */
function identityStatements(spec: EntityComparisonSpec, options: ComparisonOptions): string[] {
  const identity = spec.identity;
  if (!identity) return [];
  const table = ident(snapshotTable(spec.entity));
  const id = ident(identity.idField);
  const passes = options[identity.passes].map((field) => {
    const f = ident(field);
    const oldExpr = f === id ? crosswalked(identity.idEntity, `s.${f}`) : `s.${f}`;
    const side = (param: string, expr: string, column: 'old_row' | 'new_row'): string =>
      `SELECT s.row_no, s.${id} AS id, ${expr} AS k, row_number() OVER (PARTITION BY ${expr} ORDER BY s.row_no) AS r
       FROM ${table} s WHERE s.snapshot_id = ${param} AND s.${f} IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM cmp_pairs p WHERE p.entity = ${lit(spec.entity)} AND p.${column} = s.row_no)`;
    return `INSERT INTO cmp_pairs (entity, old_row, new_row, k)
      SELECT ${lit(spec.entity)}, o.row_no, n.row_no, jsonb_build_object(${lit(id)}, n.id)::text
      FROM (${side('$1', oldExpr, 'old_row')}) o
      JOIN (${side('$2', `s.${f}`, 'new_row')}) n ON n.k = o.k AND n.r = o.r`;
  });
  const idmap = `INSERT INTO cmp_idmap (entity, old_id, new_id)
    SELECT DISTINCT ON (o.${id}) ${lit(identity.idEntity)}, o.${id}, n.${id}
    FROM cmp_pairs p
    JOIN ${table} o ON o.snapshot_id = $1 AND o.row_no = p.old_row
    JOIN ${table} n ON n.snapshot_id = $2 AND n.row_no = p.new_row
    WHERE p.entity = ${lit(spec.entity)} AND o.${id} IS NOT NULL AND n.${id} IS NOT NULL
    ORDER BY o.${id}, p.old_row
    ON CONFLICT DO NOTHING`;
  return [...passes.flatMap((pass) => [pass, analyzePairs(spec)]), idmap];
}

function keyedPairStatement(spec: EntityComparisonSpec): string {
  const e = lit(spec.entity);
  return `INSERT INTO cmp_pairs (entity, old_row, new_row, k, school_id)
    SELECT ${e}, o.row_no, n.row_no, o.k, n.school_id FROM cmp_rows o
    JOIN cmp_rows n ON n.entity = ${e} AND n.side = 'n' AND n.k = o.k AND n.r = o.r
    WHERE o.entity = ${e} AND o.side = 'o'`;
}

/** The key as stored and shown: the match key plus, for dated entities, the record's date. */
function shownKey(spec: EntityComparisonSpec, k: string, alias: string): string {
  if (!spec.order) return k;
  const f = ident(spec.order);
  return `(${k}::jsonb || jsonb_build_object(${lit(f)}, ${alias}.${f}))::text`;
}

function missingStatements(spec: EntityComparisonSpec): string[] {
  const table = ident(snapshotTable(spec.entity));
  const e = lit(spec.entity);
  return [
    ['o', 'missing_in_new', 'old_row', '$1'],
    ['n', 'missing_in_old', 'new_row', '$2'],
  ].map(
    ([
      side,
      kind,
      column,
      param,
    ]) => `INSERT INTO cmp_diff (entity, kind, k, school_id, ${column}, ${side === 'o' ? 'old' : 'new'}_source_key)
      SELECT ${e}, '${kind}', ${shownKey(spec, 'r.k', 's')}, r.school_id, r.row_no, s.source_key
      FROM cmp_rows r JOIN ${table} s ON s.snapshot_id = ${param} AND s.row_no = r.row_no
      WHERE r.entity = ${e} AND r.side = '${side}'
        AND NOT EXISTS (SELECT 1 FROM cmp_pairs p WHERE p.entity = ${e} AND p.${column} = r.row_no)`,
  );
}

/** The value of a field as compared and shown: arrays are compared as sets. */
function valueExpr(
  col: SnapColumn,
  alias: string,
  ref: IdEntity | undefined,
  side: 'o' | 'n',
  selfId: IdEntity | null,
  joins: IdMapJoins,
): string {
  const c = `${alias}.${ident(col.name)}`;
  if (col.kind === 'array') return `(SELECT array_agg(v ORDER BY v) FROM unnest(${c}) v)::text`;
  if (side === 'o' && selfId) return crosswalked(selfId, c);
  if (side === 'o' && ref) return joins.map(ref, c);
  return `${c}::text`;
}

function rawExpr(columns: Set<string>, col: SnapColumn, alias: string, ref: IdEntity | undefined): string {
  const raw = `${col.name}_raw`;
  if (columns.has(raw))
    return col.kind === 'array'
      ? `array_to_string(${alias}.${ident(raw)}, ',')`
      : `${alias}.${ident(raw)}::text`;
  return ref ? `${alias}.${ident(col.name)}::text` : 'NULL::text';
}

/** Canonical fields compared for an entity: every data column except the match key, optionally narrowed. */
export function comparedColumns(
  spec: EntityComparisonSpec,
  all: SnapColumn[],
  options: ComparisonOptions,
): SnapColumn[] {
  const keyFields = new Set(spec.identity ? [] : spec.key.map((k) => k.field));
  const wanted = options.fields?.[spec.entity];
  return all.filter(
    (c) =>
      !SYSTEM_COLUMNS.has(c.name) &&
      !c.name.endsWith('_raw') &&
      !keyFields.has(c.name) &&
      (!wanted || wanted.includes(c.name)),
  );
}

function fieldDiffStatement(
  spec: EntityComparisonSpec,
  all: SnapColumn[],
  options: ComparisonOptions,
): string | null {
  const cols = comparedColumns(spec, all, options);
  if (cols.length === 0) return null;
  const table = ident(snapshotTable(spec.entity));
  const names = new Set(all.map((c) => c.name));
  const selfId = spec.identity ? spec.identity.idEntity : null;
  const joins = new IdMapJoins();
  const values = cols.map((col) => {
    const ref = spec.refs[col.name];
    const self = selfId && col.name === spec.identity?.idField ? selfId : null;
    return `(${lit(col.name)}, ${rawExpr(names, col, 'o', ref)}, ${valueExpr(col, 'o', ref, 'o', self, joins)}, ${rawExpr(names, col, 'n', ref)}, ${valueExpr(col, 'n', ref, 'n', null, joins)})`;
  });
  const e = lit(spec.entity);
  return `INSERT INTO cmp_diff (entity, kind, k, school_id, field, old_row, new_row, old_source_key, new_source_key, old_raw, old_value, new_raw, new_value)
    SELECT ${e}, 'field', ${shownKey(spec, 'p.k', 'o')}, p.school_id, d.field, p.old_row, p.new_row, o.source_key, n.source_key, d.old_raw, d.old_value, d.new_raw, d.new_value
    FROM cmp_pairs p
    JOIN ${table} o ON o.snapshot_id = $1 AND o.row_no = p.old_row
    JOIN ${table} n ON n.snapshot_id = $2 AND n.row_no = p.new_row
    ${joins.sql()}
    CROSS JOIN LATERAL (VALUES ${values.join(',\n      ')}) AS d(field, old_raw, old_value, new_raw, new_value)
    WHERE p.entity = ${e} AND d.old_value IS DISTINCT FROM d.new_value`;
}

function warningStatements(spec: EntityComparisonSpec, all: SnapColumn[]): string[] {
  if (!spec.warning) return [];
  const names = new Set(all.map((c) => c.name));
  const table = ident(snapshotTable(spec.entity));
  const described = spec.warning.describe.filter((d) => names.has(d.field));
  const template = `${spec.label} found for ${described.map((d) => `${d.label} %L`).join(', ')} in the old SIS, but the new SIS has no `;
  return spec.warning.checks
    .filter((c) => names.has(c.field))
    .map((check) => {
      const target = ID_COLUMNS[check.entity];
      const args = described.map((d) => `o.${ident(d.field)}`).join(', ');
      const joins = new IdMapJoins();
      const ref = joins.map(check.entity, `o.${ident(check.field)}`);
      return `INSERT INTO cmp_warn (entity, ref_entity, ref_id, old_source_key, message)
        SELECT ${lit(spec.entity)}, ${lit(check.entity)}, m.ref, o.source_key,
               format(${lit(`${template}${check.label} %L`)}, ${args}, m.ref)
        FROM ${table} o ${joins.sql()} CROSS JOIN LATERAL (SELECT ${ref} AS ref) m
        WHERE o.snapshot_id = $1 AND o.${ident(check.field)} IS NOT NULL
          AND EXISTS (SELECT 1 FROM ${ident(target.table)} t WHERE t.snapshot_id = $2)
          AND NOT EXISTS (SELECT 1 FROM ${ident(target.table)} t WHERE t.snapshot_id = $2 AND t.${ident(target.column)} = m.ref)`;
    });
}

/**
 * Binds only the parameters a statement uses, renumbered ($1 and $3 → $1 and $2): PostgreSQL cannot type a
 * parameter that a statement never mentions.
 */
export function bindUsed(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const used = [...new Set([...sql.matchAll(/\$(\d+)\b/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const renumber = new Map(used.map((n, i) => [n, i + 1]));
  return {
    sql: sql.replace(/\$(\d+)\b/g, (_, n: string) => `$${renumber.get(Number(n))}`),
    params: used.map((n) => params[n - 1]),
  };
}

/** Statistics of one entity's partition, just filled (the others keep theirs). */
const analyzeRows = (spec: EntityComparisonSpec): string => `ANALYZE ${partition('cmp_rows', spec.entity)}`;
const analyzePairs = (spec: EntityComparisonSpec): string => `ANALYZE ${partition('cmp_pairs', spec.entity)}`;

/** Every statement computing the work tables, in order. */
export function comparisonStatements(columns: SnapColumns, options: ComparisonOptions): string[] {
  // Fresh statistics for every table the comparison joins that the extraction did not just analyse.
  const statements = [...setupStatements(), 'ANALYZE id_crosswalks', ...studentSchoolStatements()];
  const identities = COMPARISON_SPECS.filter((s) => s.identity);
  const keyed = COMPARISON_SPECS.filter((s) => !s.identity);
  // Temporary tables have no statistics until analysed: without them the planner assumes a handful of rows and
  // joins cmp_rows to itself in a nested loop, which made the comparison quadratic in the number of records.
  for (const spec of identities)
    statements.push(...rowStatements(spec, options), analyzeRows(spec), ...identityStatements(spec, options));
  statements.push(
    `INSERT INTO cmp_idmap (entity, old_id, new_id)
    SELECT entity, old_id, new_id FROM id_crosswalks WHERE district_id = $3 ON CONFLICT DO NOTHING`,
    'ANALYZE cmp_idmap',
  );
  for (const spec of keyed)
    statements.push(
      ...rowStatements(spec, options),
      analyzeRows(spec),
      keyedPairStatement(spec),
      analyzePairs(spec),
    );
  // Matched identities take the school of their record in the new snapshot (keyed pairs carry it already).
  for (const spec of identities)
    statements.push(
      `UPDATE cmp_pairs p SET school_id = r.school_id FROM cmp_rows r
      WHERE p.entity = ${lit(spec.entity)} AND r.entity = ${lit(spec.entity)} AND r.side = 'n' AND r.row_no = p.new_row`,
      analyzePairs(spec),
    );
  for (const spec of COMPARISON_SPECS) {
    const all = columns.get(snapshotTable(spec.entity)) ?? [];
    statements.push(...missingStatements(spec));
    const diff = fieldDiffStatement(spec, all, options);
    if (diff) statements.push(diff);
    statements.push(...warningStatements(spec, all));
  }
  return statements;
}

/** Entities counted in the per-school readiness (schools and staff belong to no single school). */
export const READINESS_ENTITIES = COMPARISON_SPECS.filter((s) => s.school !== 'none').map((s) => s.entity);
