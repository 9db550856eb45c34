import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { NativeNeeds } from 'connectors/sdk/native-schema';
import type { CodeSet, SisKind, Transport } from 'connectors/sdk/sis-kinds';

/**
 * SQL dialect of a SIS database. `postgres` is the replica dialect used by tests, the demo and the benchmark.
 * `edfi` is not SQL: an Ed-Fi entity's query names the canonical entity (`edfi:enrollment`) and the Ed-Fi
 * drivers read the resources behind it (connectors/edfi).
 */
export type Dialect = 'mssql' | 'oracle' | 'postgres' | 'edfi';

/** A native result row. Column names are normalised to lower case by the driver adapters. */
export type NativeValue = string | number | boolean | Date | null;
export type NativeRow = Record<string, NativeValue>;

/** A canonical row as written to snap_<entity>: canonical fields plus `<field>_raw` columns and source_key. */
export type CanonicalValue = string | number | boolean | string[] | null;
export type CanonicalRow = Record<string, CanonicalValue>;

/**
 * An extract query. The portable text runs unchanged on the SIS engine and on the PostgreSQL replica
 * (unquoted identifiers, ANSI joins, CASE, COALESCE, CAST(… AS varchar)). Parameters are written
 * `:schoolYear` and `:asOf` and bound by the driver adapter; values are never pasted into SQL.
 */
export interface ExtractQuery {
  sql: string;
  variants?: Partial<Record<Dialect, string>>;
}

/** Where a canonical field comes from in the query's result. `label` names the native field in warnings (e.g. `ENR.ER`). */
export type FieldSource =
  | { column: string; label?: string }
  | { column: string; date: true; adjust?: 'exclusive_end'; label?: string }
  | { column: string; codeSet: CodeSet; label?: string }
  | { columns: string[]; codeSet?: CodeSet; label?: string }
  | { column: string; bool: { true: string[]; false: string[] }; label?: string }
  | { value: string | number | boolean };

export interface EntityExtractSpec {
  entity: CanonicalEntity;
  /** Native tables the query reads (documentation, rules-by-SIS lists). */
  nativeTables: string[];
  query: ExtractQuery;
  /**
   * The native columns the query reads, required or optional (schema discovery checks them before extracting).
   * Specs without it are not checked (test connectors).
   */
  native?: NativeNeeds;
  /** The query without the optional names in `absent` (declared in `native.optional`); see native-schema.ts. */
  queryWithout?: (absent: ReadonlySet<string>) => ExtractQuery;
  /** Result columns forming the native key: source_key = `${keyPrefix}:${col}=${value};…`. */
  keyPrefix: string;
  keyColumns: string[];
  /** Canonical field → source. Fields absent here are not supplied by this connector. */
  fields: Partial<Record<string, FieldSource>>;
  /** Semantics beyond field mapping (e.g. PowerSchool no-shows); runs after field mapping, may edit `row`. */
  refine?: (row: CanonicalRow, native: NativeRow) => void;
  /**
   * Incremental extraction (connectors with `changeTracking`): the rows of `query` whose native rows (any
   * table the canonical row is built from) changed since `:since`, selected WITHOUT the window filter, with the
   * same columns plus `in_window` (1 when the row belongs to the extraction, 0 when it left it). Every key it
   * returns replaces the previous snapshot's rows of that key; rows with `in_window` = 0 only remove them.
   * Entities without it are extracted in full on every run.
   */
  changes?: ExtractQuery;
}

/**
 * Change tracking of a SIS (PowerSchool TRANSACTION_DATE, SQL Server rowversion): `clock` returns one row with
 * one column `now`, the SIS's own clock as text, already moved back by a safety overlap for transactions in
 * flight; it is read before the first entity and bound as `:since` in the next run's `changes` queries. It is
 * given the base snapshot's watermark as `:since` ('' without one) and may answer a `full_reason` column: the
 * base cannot be built on (an Ed-Fi ODS whose change versions went back); with `now` null as well, the source
 * tracks no changes at all (Ed-Fi XML, an ODS/API without Change Queries) and every extraction is full.
 */
export interface ChangeTracking {
  clock: ExtractQuery;
  description: string;
}

export interface ConnectorDefinition {
  kind: SisKind;
  title: string;
  vendor: string;
  dialect: Dialect;
  transports: Transport[];
  schoolYear: {
    /** Aeries keeps one database per year; PowerSchool and Infinite Campus filter by a year column. */
    mode: 'database_per_year' | 'column';
    description: string;
  };
  /** Native code → canonical code, per code set. Districts override entries through crosswalks. */
  defaultCodeMaps: Partial<Record<CodeSet, Record<string, string>>>;
  /**
   * Code sets whose defaults differ by the district's state (two-letter code): each listed set replaces the
   * default one whole. An empty map passes codes through unchanged (the state's codes are the district's).
   */
  stateCodeMaps?: Partial<Record<string, Partial<Record<CodeSet, Record<string, string>>>>>;
  /** Present when the SIS records when rows change: nightly runs then extract only what changed. */
  changeTracking?: ChangeTracking;
  /**
   * Fields the connector maps but that a source carries only with a state's extension (Ed-Fi: TEA's TX
   * extension), per state: entity → field → the extension element. Rules needing them still run; `rules
   * list` names the extension they depend on.
   */
  extensionFields?: Partial<
    Record<string, { extension: string; fields: Partial<Record<CanonicalEntity, Record<string, string>>> }>
  >;
  entities: EntityExtractSpec[];
}

/** The connector's default code maps for a district in `state` (the plain defaults when no state is known). */
export function defaultCodeMapsFor(
  def: Pick<ConnectorDefinition, 'defaultCodeMaps' | 'stateCodeMaps'>,
  state?: string | null,
): ConnectorDefinition['defaultCodeMaps'] {
  const byState = state ? def.stateCodeMaps?.[state] : undefined;
  return byState ? { ...def.defaultCodeMaps, ...byState } : def.defaultCodeMaps;
}
