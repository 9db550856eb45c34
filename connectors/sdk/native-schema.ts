import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type {
  ConnectorDefinition,
  Dialect,
  EntityExtractSpec,
  ExtractQuery,
} from 'connectors/sdk/connector.types';

/**
 * What an entity's extract query needs of the native schema. `required` are `TABLE.Column` names the query
 * cannot run without; each optional entry names a column (`TABLE.Column`) or a whole table (`TABLE`) the
 * query can do without (`queryWithout`), and the canonical fields that are then not supplied.
 */
export interface NativeNeeds {
  required: string[];
  optional?: OptionalNative[];
}

export interface OptionalNative {
  /** `TABLE.Column` or `TABLE`, spelled as the connector's SQL spells it. */
  name: string;
  /** Canonical fields of the entity not supplied without it (empty: a fallback the query does without). */
  fields: string[];
}

/** One column of the native schema as the SIS reports it (information_schema or its Oracle equivalent). */
export interface NativeColumn {
  table: string;
  column: string;
  type: string;
}

/** A canonical field the link does not supply, and why. */
export interface FieldNotSupplied {
  entity: CanonicalEntity;
  field: string;
  reason: string;
}

/** What schema discovery found: absent optional names, the fields they cost, and missing required columns. */
export interface SchemaCheck {
  /** Native tables found among those the connector reads, and their column count. */
  tables: number;
  columns: number;
  /** Optional names absent from the schema, e.g. `S_CA_STU_X`, `STU.SX`. */
  absent: string[];
  notSupplied: FieldNotSupplied[];
  /** Required `TABLE.Column` names absent from the schema: the extraction cannot run. */
  missingRequired: string[];
}

/** Pseudo-entity an agent answers with the native schema's columns (its own connector's tables only). */
export const NATIVE_SCHEMA_ENTITY = '$native_schema';

/** Every native table the connector's queries read (from the declared needs), upper case, sorted. */
export function nativeTablesOf(def: ConnectorDefinition): string[] {
  const tables = new Set<string>();
  for (const spec of def.entities) {
    for (const name of spec.native?.required ?? []) tables.add(tableOf(name).toUpperCase());
    for (const o of spec.native?.optional ?? []) tables.add(tableOf(o.name).toUpperCase());
  }
  return [...tables].sort();
}

const tableOf = (name: string): string => name.split('.')[0] ?? name;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The catalogue query listing the columns of `tables` (table, column, type) in the link's database. Table
 * names are the connector's own constants (checked as plain identifiers), inlined as literals because an
 * IN list cannot be bound portably. PostgreSQL replicas: the current schema (the link's search_path);
 * SQL Server: the connected database; Oracle: every table the login can see (PowerSchool logins read the
 * PS schema through grants and synonyms). Null for Ed-Fi, which has no SQL catalogue.
 */
export function nativeSchemaSql(dialect: Dialect, tables: readonly string[]): string | null {
  for (const t of tables) if (!IDENT.test(t)) throw new Error(`not a table name: ${t}`);
  const list = tables.map((t) => `'${t.toUpperCase()}'`).join(', ') || `''`;
  switch (dialect) {
    case 'postgres':
      return `SELECT table_name AS table_name, column_name AS column_name, data_type AS data_type
FROM information_schema.columns
WHERE table_schema = current_schema() AND UPPER(table_name) IN (${list})
ORDER BY table_name, ordinal_position`;
    case 'mssql':
      return `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE AS data_type
FROM INFORMATION_SCHEMA.COLUMNS
WHERE UPPER(TABLE_NAME) IN (${list})
ORDER BY TABLE_NAME, ORDINAL_POSITION`;
    case 'oracle':
      return `SELECT DISTINCT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE AS data_type
FROM ALL_TAB_COLUMNS
WHERE UPPER(TABLE_NAME) IN (${list})
ORDER BY TABLE_NAME, COLUMN_NAME`;
    case 'edfi':
      // Not SQL: Ed-Fi resources have no catalogue to inspect; the extraction runs unchecked.
      return null;
  }
}

/** Rows of the catalogue query as native columns (drivers lower-case the result's column names). */
export function toNativeColumns(rows: readonly Record<string, unknown>[]): NativeColumn[] {
  return rows.map((r) => ({
    table: String(r['table_name'] ?? ''),
    column: String(r['column_name'] ?? ''),
    type: String(r['data_type'] ?? ''),
  }));
}

/**
 * Compares the connector's declared needs with the native schema. Names compare case-insensitively (SQL
 * Server and the replica fold unquoted identifiers differently from Oracle).
 */
export function checkNativeSchema(def: ConnectorDefinition, columns: readonly NativeColumn[]): SchemaCheck {
  const byTable = new Map<string, Set<string>>();
  for (const c of columns) {
    const t = c.table.toUpperCase();
    const set = byTable.get(t) ?? new Set<string>();
    set.add(c.column.toUpperCase());
    byTable.set(t, set);
  }
  const has = (name: string): boolean => {
    const [table, column] = name.toUpperCase().split('.');
    const cols = byTable.get(table ?? '');
    return cols !== undefined && (column === undefined || cols.has(column));
  };
  const missing = new Set<string>();
  const absent = new Set<string>();
  const notSupplied: FieldNotSupplied[] = [];
  for (const spec of def.entities) {
    for (const name of spec.native?.required ?? []) if (!has(name)) missing.add(name);
    for (const o of spec.native?.optional ?? []) {
      if (has(o.name)) continue;
      absent.add(o.name);
      const what = o.name.includes('.') ? `column ${o.name}` : `table ${o.name}`;
      for (const field of o.fields)
        notSupplied.push({ entity: spec.entity, field, reason: `${what} is not in the SIS schema` });
    }
  }
  return {
    tables: byTable.size,
    columns: columns.length,
    absent: [...absent].sort(),
    notSupplied,
    missingRequired: [...missing].sort(),
  };
}

/**
 * The extract query of an entity for the names absent from the schema: the full query when nothing it
 * reads is absent, else the connector's `queryWithout`. Only names the connector declared optional count.
 */
export function queryFor(spec: EntityExtractSpec, absent: readonly string[] = []): ExtractQuery {
  const declared = new Set((spec.native?.optional ?? []).map((o) => o.name));
  const own = new Set(absent.filter((n) => declared.has(n)));
  if (own.size === 0 || !spec.queryWithout) return spec.query;
  return spec.queryWithout(own);
}

/** `SELECT` list item or fallback: `expr` when `name` is present, else `fallback`. */
export function unless(absent: ReadonlySet<string>, name: string, expr: string, fallback: string): string {
  return absent.has(name) ? fallback : expr;
}

/** `cols('STU', 'ID SC SN')` → `['STU.ID', 'STU.SC', 'STU.SN']`: a table's required columns, written compactly. */
export function cols(table: string, columns: string): string[] {
  return columns
    .split(/\s+/)
    .filter(Boolean)
    .map((c) => `${table}.${c}`);
}
