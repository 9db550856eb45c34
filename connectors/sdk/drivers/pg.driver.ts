import { Client, types as pgTypes, type ClientConfig, type CustomTypesConfig } from 'pg';
import Cursor from 'pg-cursor';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow } from 'connectors/sdk/connector.types';
import {
  bindValues,
  connectorError,
  errorCode,
  errorMessage,
  lowerCaseRow,
  target,
  withDeadline,
  runProbe,
} from 'connectors/sdk/drivers/driver.util';
import { rewriteNamedParams } from 'connectors/sdk/drivers/named-params.util';
import { tlsPolicy } from 'connectors/sdk/drivers/tls.util';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  type DriverConnectionOptions,
  type ProbeResult,
  type QueryParams,
  type SisDriver,
  type StreamOptions,
} from 'connectors/sdk/drivers/sis-driver.types';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  '3D000',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08006',
  '08001',
  '08004',
]);
const AUTH_CODES = new Set(['28P01', '28000']);

/** date, timestamp, timestamptz stay text so no time zone shifts a calendar date. */
const TEXT_OIDS = new Set([1082, 1114, 1184]);
const TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_OIDS.has(oid)
      ? (v: string) => v
      : pgTypes.getTypeParser(oid, format ?? 'text')) as CustomTypesConfig['getTypeParser'],
};

/** Maps a node-postgres error to a typed connector error. */
export function mapPgError(
  err: unknown,
  opts: DriverConnectionOptions,
  phase: 'connect' | 'query',
): ConnectorException {
  if (err instanceof ConnectorException) return err;
  const code = errorCode(err);
  const msg = errorMessage(err);
  if (code === '57014' || /timeout/i.test(msg))
    return connectorError(ConnectorErrorCode.TIMEOUT, opts, `${phase} timed out`, err);
  if (code && AUTH_CODES.has(code))
    return connectorError(ConnectorErrorCode.AUTH_FAILED, opts, 'authentication failed', err);
  if ((code && UNREACHABLE_CODES.has(code)) || /terminated unexpectedly|Connection terminated/i.test(msg)) {
    return connectorError(ConnectorErrorCode.UNREACHABLE, opts, `cannot reach ${target(opts, 5432)}`, err);
  }
  if (code && /^[0-9A-Z]{5}$/.test(code))
    return connectorError(ConnectorErrorCode.QUERY_FAILED, opts, 'query failed', err);
  return connectorError(ConnectorErrorCode.UNKNOWN, opts, `${phase} failed`, err);
}

/** node-postgres TLS options: verified (chain and host name) unless the link opts out explicitly. */
export function pgSsl(opts: DriverConnectionOptions): ClientConfig['ssl'] {
  const tls = tlsPolicy(opts, false);
  if (!tls.enabled) return false;
  return { rejectUnauthorized: tls.verify, ...(tls.ca ? { ca: tls.ca } : {}) };
}

/** PostgreSQL (replicas, tests, demo): one client, server-side cursor, statement_timeout bounds each query. */
export class PgDriver implements SisDriver {
  readonly kind = 'pg' as const;
  readonly dialect = 'postgres' as const;
  private client: Client | null = null;

  constructor(private readonly opts: DriverConnectionOptions) {}

  private get connectTimeoutMs(): number {
    return this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  private get queryTimeoutMs(): number {
    return this.opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  }

  async connect(): Promise<void> {
    if (this.client) return;
    const config: ClientConfig = {
      host: this.opts.host ?? 'localhost',
      port: this.opts.port ?? 5432,
      database: this.opts.database,
      user: this.opts.user,
      password: this.opts.password,
      ssl: pgSsl(this.opts),
      connectionTimeoutMillis: this.connectTimeoutMs,
      statement_timeout: this.queryTimeoutMs,
      application_name: 'sis-certify',
    };
    const client = new Client(config);
    // An idle client whose server goes away emits 'error'; unhandled it would crash the process.
    client.on('error', () => undefined);
    const connecting = client.connect().then(() => client);
    try {
      await withDeadline(
        connecting,
        this.connectTimeoutMs + 1000,
        () =>
          new ConnectorException(
            ConnectorErrorCode.TIMEOUT,
            this.opts.linkName,
            `connect to ${target(this.opts, 5432)} timed out`,
          ),
        (late) => late.end(),
      );
      if (this.opts.schema)
        await client.query(`SELECT set_config('search_path', $1, false)`, [this.opts.schema]);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw mapPgError(err, this.opts, 'connect');
    }
    this.client = client;
  }

  async *stream(sql: string, params: QueryParams, opts: StreamOptions = {}): AsyncIterable<NativeRow[]> {
    await this.connect();
    const client = this.requireClient();
    const { sql: text, names } = rewriteNamedParams(sql, 'postgres');
    const values = bindValues(names, params, this.opts);
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    const cursor = client.query(new Cursor<Record<string, unknown>>(text, values, { types: TYPES }));
    let done = false;
    try {
      for (;;) {
        const rows = await cursor.read(batchSize).catch((err: unknown) => {
          throw mapPgError(err, this.opts, 'query');
        });
        if (rows.length === 0) break;
        yield rows.map(lowerCaseRow);
        if (rows.length < batchSize) break;
      }
      done = true;
    } finally {
      await cursor.close().catch(() => undefined);
      if (!done) await this.resetAfterAbort();
    }
  }

  probe(): Promise<ProbeResult> {
    return runProbe(
      {
        connect: () => this.connect(),
        query: () => this.requireClient().query('SELECT 1'),
        close: () => this.close(),
      },
      (err) => mapPgError(err, this.opts, 'query'),
    );
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }

  /** After a failed or abandoned cursor the connection may be mid-transaction or broken; start clean. */
  private async resetAfterAbort(): Promise<void> {
    await this.close();
  }

  private requireClient(): Client {
    if (!this.client)
      throw new ConnectorException(ConnectorErrorCode.UNREACHABLE, this.opts.linkName, 'not connected');
    return this.client;
  }
}
