import oracledb from 'oracledb';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow, NativeValue } from 'connectors/sdk/connector.types';
import {
  bindValues,
  connectorError,
  errorCode,
  errorMessage,
  lowerCaseRow,
  naiveIso,
  target,
  withDeadline,
  runProbe,
} from 'connectors/sdk/drivers/driver.util';
import { rewriteNamedParams } from 'connectors/sdk/drivers/named-params.util';
import { tlsPolicy, type TlsPolicy } from 'connectors/sdk/drivers/tls.util';
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

const AUTH_ORA = new Set(['ORA-01017', 'ORA-28000', 'ORA-28001', 'ORA-01045', 'ORA-01005', 'ORA-01004']);
const TIMEOUT_ORA = new Set(['ORA-01013', 'ORA-03156', 'NJS-510', 'DPI-1067', 'NJS-123']);

function oracleCode(err: unknown): string | undefined {
  const code = errorCode(err);
  if (code && /^(ORA|NJS|DPI|TNS)-\d+$/.test(code)) return code;
  return /^((?:ORA|NJS|DPI|TNS)-\d+)/.exec(errorMessage(err))?.[1] ?? code;
}

/** Maps an oracledb (thin) error to a typed connector error. */
export function mapOracleError(
  err: unknown,
  opts: DriverConnectionOptions,
  phase: 'connect' | 'query',
): ConnectorException {
  if (err instanceof ConnectorException) return err;
  const code = oracleCode(err);
  const msg = errorMessage(err);
  if ((code && TIMEOUT_ORA.has(code)) || /call timeout|timed out/i.test(msg)) {
    return connectorError(ConnectorErrorCode.TIMEOUT, opts, `${phase} timed out`, err, code);
  }
  if (code && AUTH_ORA.has(code))
    return connectorError(ConnectorErrorCode.AUTH_FAILED, opts, 'login failed', err, code);
  if (code && /^(NJS-5\d\d|ORA-125\d\d|ORA-03113|ORA-03114|ORA-03135|TNS-\d+)$/.test(code)) {
    return connectorError(
      ConnectorErrorCode.UNREACHABLE,
      opts,
      `cannot reach ${target(opts, 1521)}`,
      err,
      code,
    );
  }
  if (code?.startsWith('ORA-'))
    return connectorError(ConnectorErrorCode.QUERY_FAILED, opts, 'query failed', err, code);
  if (/ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH/.test(msg)) {
    return connectorError(
      ConnectorErrorCode.UNREACHABLE,
      opts,
      `cannot reach ${target(opts, 1521)}`,
      err,
      code,
    );
  }
  return connectorError(ConnectorErrorCode.UNKNOWN, opts, `${phase} failed`, err, code);
}

/** DATE/TIMESTAMP come back as local-time Dates in thin mode; hand them on as naive ISO text. */
function fetchTypeHandler(meta: oracledb.Metadata<unknown>): oracledb.FetchTypeResponse | undefined {
  const t = meta.dbType;
  if (t === oracledb.DB_TYPE_CLOB || t === oracledb.DB_TYPE_NCLOB) return { type: oracledb.STRING };
  if (
    t === oracledb.DB_TYPE_DATE ||
    t === oracledb.DB_TYPE_TIMESTAMP ||
    t === oracledb.DB_TYPE_TIMESTAMP_TZ ||
    t === oracledb.DB_TYPE_TIMESTAMP_LTZ
  ) {
    return { converter: (v: unknown) => (v instanceof Date ? naiveIso(v, false) : v) };
  }
  return undefined;
}

const DESCRIPTOR_SAFE = /^[\w.-]+$/;

/** A full connect descriptor: the Easy Connect parser rejects some valid host/service pairs (e.g. 1-letter services). */
export function descriptor(opts: DriverConnectionOptions, tls: TlsPolicy = oracleTls(opts)): string {
  const host = opts.host ?? 'localhost';
  const service = opts.service ?? opts.database ?? '';
  if (!DESCRIPTOR_SAFE.test(host) || !DESCRIPTOR_SAFE.test(service)) {
    throw new ConnectorException(
      ConnectorErrorCode.UNKNOWN,
      opts.linkName,
      'host and service name may only contain letters, digits, dots, dashes and underscores',
    );
  }
  const protocol = tls.enabled ? 'TCPS' : 'TCP';
  return `(DESCRIPTION=(ADDRESS=(PROTOCOL=${protocol})(HOST=${host})(PORT=${opts.port ?? 1521}))(CONNECT_DATA=(SERVICE_NAME=${service})))`;
}

/**
 * The TLS policy of an Oracle link. The thin driver always verifies the server's certificate chain and
 * host name (it has no switch to accept any certificate), so an opt-out is refused by name instead of
 * being silently ignored; `sslCa` becomes the PEM wallet content.
 */
export function oracleTls(opts: DriverConnectionOptions): TlsPolicy {
  const tls = tlsPolicy({ ...opts, sslVerify: true }, false);
  if (tls.enabled && opts.sslVerify === false) {
    throw new ConnectorException(
      ConnectorErrorCode.UNKNOWN,
      opts.linkName,
      'the Oracle driver always verifies the server certificate: give the CA in sslCa instead of sslVerify: false',
    );
  }
  return tls;
}

/** The TLS part of oracledb's connection attributes: TCPS in the descriptor, the CA bundle as wallet. */
export function oracleTlsAttributes(tls: TlsPolicy): Partial<oracledb.ConnectionAttributes> {
  if (!tls.enabled) return {};
  return { sslServerDNMatch: true, ...(tls.ca ? { walletContent: tls.ca } : {}) };
}

/** Oracle (PowerSchool) in thin mode: connectTimeout always set, callTimeout bounds each round trip. */
export class OracleDriver implements SisDriver {
  readonly kind = 'oracle' as const;
  readonly dialect = 'oracle' as const;
  private conn: oracledb.Connection | null = null;

  constructor(private readonly opts: DriverConnectionOptions) {}

  async connect(): Promise<void> {
    if (this.conn) return;
    const connectTimeoutMs = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    let conn: oracledb.Connection;
    try {
      const tls = oracleTls(this.opts);
      const connectString = descriptor(this.opts, tls);
      conn = await withDeadline(
        oracledb.getConnection({
          ...oracleTlsAttributes(tls),
          user: this.opts.user,
          password: this.opts.password,
          connectString,
          connectTimeout: Math.max(1, Math.ceil(connectTimeoutMs / 1000)),
          transportConnectTimeout: Math.max(1, Math.ceil(connectTimeoutMs / 1000)),
          retryCount: 0,
        }),
        connectTimeoutMs + 1500,
        () =>
          new ConnectorException(
            ConnectorErrorCode.TIMEOUT,
            this.opts.linkName,
            `connect to ${target(this.opts, 1521)} timed out`,
          ),
        (late) => late.close(),
      );
    } catch (err) {
      throw mapOracleError(err, this.opts, 'connect');
    }
    try {
      conn.callTimeout = this.opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
      // Bound ISO date strings (:asOf) then convert without depending on the server's NLS defaults.
      await conn.execute(
        `ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD' NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF'`,
      );
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw mapOracleError(err, this.opts, 'connect');
    }
    this.conn = conn;
  }

  async *stream(sql: string, params: QueryParams, opts: StreamOptions = {}): AsyncIterable<NativeRow[]> {
    await this.connect();
    const conn = this.requireConn();
    const { sql: text, names } = rewriteNamedParams(sql, 'oracle');
    const values = bindValues(names, params, this.opts);
    const binds: Record<string, NativeValue> = {};
    names.forEach((n, i) => (binds[n] = values[i]));
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    const deadline = Date.now() + (this.opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    let rs: oracledb.ResultSet<Record<string, unknown>> | undefined;
    try {
      const result = await conn.execute<Record<string, unknown>>(text, binds, {
        resultSet: true,
        outFormat: oracledb.OUT_FORMAT_OBJECT,
        fetchArraySize: Math.min(batchSize, 10_000),
        fetchTypeHandler,
      });
      rs = result.resultSet;
      if (!rs) return;
      for (;;) {
        if (Date.now() > deadline) {
          throw new ConnectorException(ConnectorErrorCode.TIMEOUT, this.opts.linkName, 'query timed out');
        }
        const rows = await rs.getRows(batchSize);
        if (rows.length === 0) break;
        yield rows.map(lowerCaseRow);
        if (rows.length < batchSize) break;
      }
    } catch (err) {
      throw mapOracleError(err, this.opts, 'query');
    } finally {
      if (rs) await rs.close().catch(() => undefined);
    }
  }

  probe(): Promise<ProbeResult> {
    return runProbe(
      {
        connect: () => this.connect(),
        query: () => this.requireConn().execute('SELECT 1 FROM DUAL'),
        close: () => this.close(),
      },
      (err) => mapOracleError(err, this.opts, 'query'),
    );
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await c.close().catch(() => undefined);
  }

  private requireConn(): oracledb.Connection {
    if (!this.conn)
      throw new ConnectorException(ConnectorErrorCode.UNREACHABLE, this.opts.linkName, 'not connected');
    return this.conn;
  }
}
