import { createDriver } from 'connectors/sdk/drivers/driver.factory';
import type { DriverConnectionOptions, SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import type { DriverKind } from 'connectors/sdk/sis-kinds';

/** Non-secret connection settings of a link (or of an agent's own database); the password is kept apart. */
export interface LinkConnectionSettings {
  driver: DriverKind;
  host?: string;
  port?: number;
  database?: string;
  /** PostgreSQL replicas only: schema holding the native tables (search_path), e.g. the demo's replicas. */
  schema?: string;
  user?: string;
  /** Oracle service name / SQL Server instance, when needed. */
  service?: string;
  /** Aeries keeps one database per school year: `{year}` in the name is replaced, e.g. DST{yy}000ABC. */
  databasePattern?: string;
  /** Ed-Fi ODS/API base URL (`user` = client key; the client secret is the link's encrypted secret). */
  url?: string;
  /** Ed-Fi XML interchange folder, on the service's file system (direct) or the agent's (agent links). */
  path?: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Encrypt (TLS). Unset: on for SQL Server, off for PostgreSQL and Oracle. The certificate is always verified… */
  ssl?: boolean;
  /** …against this PEM CA bundle when given (else the system store)… */
  sslCa?: string;
  /** …unless the link opts out explicitly with `false` (logged as a warning; refused for Oracle). */
  sslVerify?: boolean;
}

export interface LinkDriverOptions {
  /** The school year extracted: picks the per-year database of a `databasePattern`. */
  schoolYear?: number;
  /** Caps both timeouts (probes). */
  timeoutMs?: number;
}

/** Aeries keeps one database per school year: `{year}` is the start year (2026 for 2026-27), `{yy}` its two digits. */
export function databaseFor(
  settings: LinkConnectionSettings,
  schoolYear: number | undefined,
): string | undefined {
  if (!settings.databasePattern || schoolYear === undefined) return settings.database;
  return settings.databasePattern
    .replace(/\{year\}/g, String(schoolYear))
    .replace(/\{yy\}/g, String(schoolYear % 100).padStart(2, '0'));
}

/** Connection options for a driver from a link's settings and its (already decrypted) password. */
export function linkDriverOptions(
  name: string,
  settings: LinkConnectionSettings,
  password: string | undefined,
  o: LinkDriverOptions = {},
): DriverConnectionOptions {
  const { timeoutMs } = o;
  const bound = (v: number | undefined): number | undefined =>
    timeoutMs === undefined ? v : Math.min(v ?? timeoutMs, timeoutMs);
  return {
    linkName: name,
    host: settings.host,
    port: settings.port,
    database: databaseFor(settings, o.schoolYear),
    user: settings.user,
    password,
    service: settings.service,
    schema: settings.schema,
    ssl: settings.ssl,
    sslCa: settings.sslCa,
    sslVerify: settings.sslVerify,
    url: settings.url,
    path: settings.path,
    connectTimeoutMs: bound(settings.connectTimeoutMs),
    queryTimeoutMs: bound(settings.queryTimeoutMs),
  };
}

/**
 * The one way to open a driver on a link's database, used by the prober, the extractor and the agent: the
 * driver of the settings' kind, the per-year database, the timeouts. Decrypting the password is the caller's
 * (the service's link-driver factory; the agent has it from its own configuration).
 */
export function createLinkDriver(
  name: string,
  settings: LinkConnectionSettings,
  password: string | undefined,
  o: LinkDriverOptions = {},
): SisDriver {
  return createDriver(settings.driver, linkDriverOptions(name, settings, password, o));
}
