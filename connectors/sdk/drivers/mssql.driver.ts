import sql from 'mssql';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow, NativeValue } from 'connectors/sdk/connector.types';
import {
  bindValues,
  connectorError,
  errorCode,
  lowerCaseRow,
  naiveIso,
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

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Maps an mssql/tedious error (ConnectionError, RequestError) to a typed connector error. */
export function mapMssqlError(
  err: unknown,
  opts: DriverConnectionOptions,
  phase: 'connect' | 'query',
): ConnectorException {
  if (err instanceof ConnectorException) return err;
  const code = errorCode(err);
  switch (code ?? '') {
    case 'ELOGIN':
      return connectorError(ConnectorErrorCode.AUTH_FAILED, opts, 'login failed', err);
    case 'ETIMEOUT':
    case 'ECANCEL':
      return connectorError(ConnectorErrorCode.TIMEOUT, opts, `${phase} timed out`, err);
    case 'ESOCKET':
    case 'ECONNCLOSED':
    case 'ENOCONN':
    case 'ENOTOPEN':
    case 'EINSTLOOKUP':
      return connectorError(ConnectorErrorCode.UNREACHABLE, opts, `cannot reach ${target(opts, 1433)}`, err);
    case 'EREQUEST':
    case 'EARGS':
      return connectorError(ConnectorErrorCode.QUERY_FAILED, opts, 'query failed', err);
    default:
      return connectorError(ConnectorErrorCode.UNKNOWN, opts, `${phase} failed`, err);
  }
}

/**
 * tedious options: encrypted by default (SQL Server always offers TLS) and the certificate verified
 * unless the link opts out explicitly (`sslVerify: false`); `sslCa` replaces the system CA store.
 */
export function mssqlConfig(opts: DriverConnectionOptions): sql.config {
  const useInstance = !!opts.service && opts.port === undefined;
  const tls = tlsPolicy(opts, true);
  return {
    server: opts.host ?? 'localhost',
    port: useInstance ? undefined : (opts.port ?? 1433),
    database: opts.database,
    user: opts.user,
    password: opts.password,
    connectionTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeout: opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    pool: { min: 0, max: 1 },
    options: {
      encrypt: tls.enabled,
      trustServerCertificate: !tls.verify,
      ...(tls.ca ? { cryptoCredentialsDetails: { ca: tls.ca } } : {}),
      useUTC: true,
      appName: 'sis-certify',
      ...(useInstance ? { instanceName: opts.service } : {}),
    },
  };
}

/** SQL Server (Aeries, Infinite Campus) over tedious: one connection, streamed rows with pause/resume. */
export class MssqlDriver implements SisDriver {
  readonly kind = 'mssql' as const;
  readonly dialect = 'mssql' as const;
  private pool: sql.ConnectionPool | null = null;

  constructor(private readonly opts: DriverConnectionOptions) {}

  private config(): sql.config {
    return mssqlConfig(this.opts);
  }

  async connect(): Promise<void> {
    if (this.pool) return;
    const pool = new sql.ConnectionPool(this.config());
    pool.on('error', () => undefined);
    const connectTimeout = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      await withDeadline(
        pool.connect(),
        connectTimeout + 1000,
        () =>
          new ConnectorException(
            ConnectorErrorCode.TIMEOUT,
            this.opts.linkName,
            `connect to ${target(this.opts, 1433)} timed out`,
          ),
        (late) => late.close(),
      );
    } catch (err) {
      await pool.close().catch(() => undefined);
      throw mapMssqlError(err, this.opts, 'connect');
    }
    this.pool = pool;
  }

  async *stream(text: string, params: QueryParams, opts: StreamOptions = {}): AsyncIterable<NativeRow[]> {
    await this.connect();
    const request = this.request(text, params);
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    const rows = request.sql.toReadableStream({ highWaterMark: batchSize });
    request.sql.query(request.text, () => undefined);
    let batch: NativeRow[] = [];
    let finished = false;
    try {
      for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
        batch.push(normaliseRow(row));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      finished = true;
    } catch (err) {
      throw mapMssqlError(err, this.opts, 'query');
    } finally {
      if (!finished) {
        request.sql.cancel();
        rows.destroy();
      }
    }
  }

  probe(): Promise<ProbeResult> {
    return runProbe(
      {
        connect: () => this.connect(),
        query: () => this.requirePool().request().query('SELECT 1 AS ok'),
        close: () => this.close(),
      },
      (err) => mapMssqlError(err, this.opts, 'query'),
    );
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    if (p) await p.close().catch(() => undefined);
  }

  private request(text: string, params: QueryParams): { sql: sql.Request; text: string } {
    const rewritten = rewriteNamedParams(text, 'mssql');
    const values = bindValues(rewritten.names, params, this.opts);
    const request = this.requirePool().request();
    request.stream = true;
    rewritten.names.forEach((name, i) => bindMssql(request, name, values[i]));
    return { sql: request, text: rewritten.sql };
  }

  private requirePool(): sql.ConnectionPool {
    if (!this.pool)
      throw new ConnectorException(ConnectorErrorCode.UNREACHABLE, this.opts.linkName, 'not connected');
    return this.pool;
  }
}

/** ISO dates bind as DATE so SQL Server never reads them through the session's DATEFORMAT. */
function bindMssql(request: sql.Request, name: string, value: NativeValue): void {
  if (typeof value === 'string' && ISO_DATE.test(value))
    request.input(name, sql.Date, new Date(`${value}T00:00:00Z`));
  else if (typeof value === 'number' && Number.isInteger(value)) request.input(name, sql.Int, value);
  else request.input(name, value);
}

/** useUTC: true hands back DATE/DATETIME values as UTC instants of the stored wall-clock value. */
function normaliseRow(row: Record<string, unknown>): NativeRow {
  const out = lowerCaseRow(row);
  for (const key of Object.keys(out)) {
    const v = out[key];
    if (v instanceof Date) out[key] = naiveIso(v, true);
  }
  return out;
}
