import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow, NativeValue } from 'connectors/sdk/connector.types';
import type {
  DriverConnectionOptions,
  ProbeResult,
  QueryParams,
} from 'connectors/sdk/drivers/sis-driver.types';

/** Removes every occurrence of the secrets from a driver message (drivers sometimes echo connection strings). */
export function scrub(message: string, opts: DriverConnectionOptions): string {
  let out = message;
  if (opts.password) out = out.split(opts.password).join('***');
  return out.replace(/(password|pwd)\s*=\s*[^;\s]+/gi, '$1=***');
}

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (typeof code === 'number') return String(code);
  return undefined;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function connectorError(
  code: ConnectorErrorCode,
  opts: DriverConnectionOptions,
  what: string,
  err: unknown,
  nativeCode = errorCode(err),
): ConnectorException {
  const native = scrub(errorMessage(err), opts);
  return new ConnectorException(code, opts.linkName, `${what}: ${native}`, nativeCode);
}

export function target(opts: DriverConnectionOptions, defaultPort: number): string {
  return `${opts.host ?? 'localhost'}:${opts.port ?? defaultPort}`;
}

/**
 * Races a connect attempt against a client-side deadline, a backstop for drivers whose own timeout does
 * not fire (oracledb waits forever without connectTimeout). A connection that arrives late is disposed.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => ConnectorException,
  dispose: (late: T) => Promise<void>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(onTimeout());
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (expired) work.then(dispose).catch(() => undefined);
  }
}

/** Values a driver may hand back, reduced to NativeValue; dates and times become naive ISO text. */
export function toNativeValue(v: unknown): NativeValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return JSON.stringify(v);
}

export function lowerCaseRow(row: Record<string, unknown>): NativeRow {
  const out: NativeRow = {};
  for (const key of Object.keys(row)) out[key.toLowerCase()] = toNativeValue(row[key]);
  return out;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DDTHH:MM:SS` from a Date's UTC or local fields, dropping a midnight time. */
export function naiveIso(d: Date, utc: boolean): string {
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const da = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  const date = `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(da)}`;
  return h === 0 && mi === 0 && s === 0 ? date : `${date}T${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
}

/** Values for the parameter names a rewritten statement uses; a missing one is a connector bug. */
export function bindValues(
  names: string[],
  params: QueryParams,
  opts: DriverConnectionOptions,
): NativeValue[] {
  return names.map((name) => {
    if (!(name in params)) {
      throw new ConnectorException(
        ConnectorErrorCode.QUERY_FAILED,
        opts.linkName,
        `parameter :${name} has no value`,
      );
    }
    return params[name];
  });
}

/**
 * The probe every driver runs: connect, a trivial query, the latency; a failure is mapped to the driver's
 * typed error and the connection closed so the next probe starts clean.
 */
export async function runProbe(
  steps: { connect(): Promise<void>; query(): Promise<unknown>; close(): Promise<void> },
  mapError: (err: unknown) => ConnectorException,
): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await steps.connect();
    await steps.query();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const e = mapError(err);
    await steps.close();
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: { code: e.code, message: e.message },
    };
  }
}
