import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type {
  ConnectorDefinition,
  EntityExtractSpec,
  ExtractQuery,
  NativeRow,
} from 'connectors/sdk/connector.types';
import type { NativeColumn, SchemaCheck } from 'connectors/sdk/native-schema';
import type { CodeSet } from 'src/districts/district.types';

/** Native code → canonical code per code set (district overrides already laid over connector defaults). */
export type CodeMaps = Partial<Record<CodeSet, Record<string, string>>>;

/**
 * Values bound in every extract query: `:schoolYear`, `:asOf` (ISO date) and the comparison window
 * (`:firstYear`, `:windowStart`, `:windowEnd`, see connectors/sdk/window.util.ts).
 */
export interface ExtractParams {
  schoolYear: number;
  asOf: string;
  firstYear: number;
  windowStart: string;
  windowEnd: string;
  [name: string]: string | number;
}

/**
 * Where native rows come from: a driver on a direct link, or batches streamed by an on-prem agent.
 * The pipeline assumes nothing else about the source.
 */
export interface RowSource {
  /** The entity's rows; `absent` names the optional native tables/columns the schema lacks (see native-schema.ts). */
  stream(
    spec: EntityExtractSpec,
    params: ExtractParams,
    absent?: readonly string[],
  ): AsyncIterable<NativeRow[]>;
  /**
   * The native schema's columns of the connector's tables (schema discovery); sources without it, or
   * answering null (Ed-Fi: no SQL catalogue), are not checked.
   */
  describe?(connector: ConnectorDefinition): Promise<NativeColumn[] | null>;
  /**
   * Any other query of the connector (change tracking's clock and `changes` queries). Sources that can only run
   * an entity's own extract query (the on-prem agent) leave it out, and are extracted in full.
   */
  streamQuery?(query: ExtractQuery, params: ExtractParams): AsyncIterable<NativeRow[]>;
}

export type ExtractionProgress = (
  entity: CanonicalEntity,
  rowsSoFar: number,
  entityIndex: number,
  entityCount: number,
) => void;

export interface ExtractSnapshotInput {
  snapshotId: string;
  connector: ConnectorDefinition;
  rows: RowSource;
  /** District overrides (or complete maps), laid over the connector's defaults for `state`. */
  codeMaps: CodeMaps;
  /** The district's state: picks the connector's state-specific default code maps. */
  state?: string | null;
  schoolYear: number;
  asOf: string;
  /** School years in the comparison window, ending with `schoolYear` (default 2: the current and prior year). */
  windowYears?: number;
  onProgress?: ExtractionProgress;
  /** Names the link in errors raised for a failing row source; defaults to the connector's title. */
  linkName?: string;
  /**
   * How rows reach the service database: COPY (default) or batched multi-row INSERT. The embedded database
   * needs `insert`: pglite-socket cannot carry COPY FROM STDIN (electric-sql/pglite#1028).
   */
  bulkWrite?: BulkWriteMode;
  /**
   * Extract only what changed since the link's last complete snapshot when the connector tracks changes and
   * the row source can run its change queries; `fullEvery`: every n-th snapshot in a row is extracted in full
   * again (rows deleted in the SIS leave only then). Absent: a full extraction.
   */
  incremental?: { fullEvery: number };
  /** Told once, before the first entity, whether this extraction builds on a base snapshot, and if not why. */
  onBasis?: (basis: { incremental: boolean; reason: string | null }) => void;
}

export type BulkWriteMode = 'copy' | 'insert';

export interface EntityReport {
  entity: CanonicalEntity;
  rows: number;
  durationMs: number;
  warnings: string[];
  issues: number;
  /** Already complete from an earlier, interrupted attempt: not extracted again. */
  skipped: boolean;
  /** Incremental: rows read from the SIS (changed since the base snapshot); the rest were carried forward. */
  changed?: number;
}

export interface ExtractionReport {
  snapshotId: string;
  /** Schema discovery at the start of the extraction (absent when the source cannot describe its schema). */
  schema?: Omit<SchemaCheck, 'missingRequired'>;
  /** The snapshot this one carried unchanged rows forward from (incremental extraction), else null. */
  baseSnapshotId: string | null;
  /** A full extraction: why no base was built on (no earlier snapshot, the SIS cannot say what changed …). */
  fullReason?: string;
  entities: EntityReport[];
  totalRows: number;
  durationMs: number;
}

export const ISSUE_KINDS = [
  'null_key',
  'invalid_date',
  'impossible_date',
  'unmapped_code',
  'invalid_value',
] as const;
export type IssueKind = (typeof ISSUE_KINDS)[number];

/** One junk value found while mapping a row; written to extraction_issues. */
export interface ExtractionIssue {
  sourceKey: string;
  field: string;
  rawValue: string | null;
  kind: IssueKind;
  message: string;
}
