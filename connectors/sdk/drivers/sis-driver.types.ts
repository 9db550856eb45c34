import type { Dialect, NativeRow, NativeValue } from 'connectors/sdk/connector.types';
import type { DriverKind } from 'connectors/sdk/sis-kinds';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_BATCH_SIZE = 5_000;

/** How to reach one SIS database. `linkName` only labels errors; `password` never appears in any message. */
export interface DriverConnectionOptions {
  linkName: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** Oracle service name; SQL Server instance name (used when no port is given). */
  service?: string;
  /** PostgreSQL replicas: schema holding the native tables (search_path). */
  schema?: string;
  /** Encrypt the connection (TLS). Unset: on for SQL Server, off for PostgreSQL and Oracle. */
  ssl?: boolean;
  /** PEM bundle of the CAs that sign the server's certificate (instead of the system store). */
  sslCa?: string;
  /** `false` accepts any certificate (encrypted, not authenticated); logged as a warning. Default true. */
  sslVerify?: boolean;
  /** Ed-Fi ODS/API: base URL (`https://ods.district.org/api`); `user` is the client key, `password` the secret. */
  url?: string;
  /** Ed-Fi XML: folder of interchange files (on the service's or the agent's file system). */
  path?: string;
  /** Bound on establishing the connection. Default 15 s. */
  connectTimeoutMs?: number;
  /** Bound on one extract query from start to last row. Default 10 min. */
  queryTimeoutMs?: number;
}

/** Named parameters (`:schoolYear` → `schoolYear`); values are always bound, never pasted. */
export type QueryParams = Record<string, NativeValue>;

export interface StreamOptions {
  batchSize?: number;
}

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error?: { code: string; message: string };
}

/** One connection to one SIS database. Not safe for concurrent streams: run one query at a time. */
export interface SisDriver {
  readonly kind: DriverKind;
  readonly dialect: Dialect;
  /** Opens the connection; stream() and probe() connect on demand as well. */
  connect(): Promise<void>;
  /** Rows in batches of at most `batchSize`, with lower-case column names; memory stays flat. */
  stream(sql: string, params: QueryParams, opts?: StreamOptions): AsyncIterable<NativeRow[]>;
  /** A trivial round trip with its latency; never throws. */
  probe(): Promise<ProbeResult>;
  close(): Promise<void>;
}

export const DIALECT_OF_DRIVER: Record<DriverKind, Dialect> = {
  pg: 'postgres',
  mssql: 'mssql',
  oracle: 'oracle',
  edfi_api: 'edfi',
  edfi_xml: 'edfi',
};
