import { EdfiApiClient } from 'connectors/sdk/drivers/edfi/edfi-api.client';
import { EdfiApiReader } from 'connectors/sdk/drivers/edfi/edfi-api.reader';
import {
  EDFI_CHANGES_PREFIX,
  EDFI_CLOCK_QUERY,
  EdfiChangeAssembler,
} from 'connectors/sdk/drivers/edfi/edfi-changes';
import type { EdfiReader } from 'connectors/sdk/drivers/edfi/edfi-records';
import { EdfiRowAssembler } from 'connectors/sdk/drivers/edfi/edfi-row-assembler';
import { InterchangeError } from 'connectors/sdk/drivers/edfi/interchange-reader';
import { EdfiXmlReader } from 'connectors/sdk/drivers/edfi/edfi-xml.reader';
import { CANONICAL_ENTITIES, type CanonicalEntity } from 'connectors/sdk/canonical';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { errorText } from 'connectors/sdk/error-text.util';
import type { NativeRow } from 'connectors/sdk/connector.types';
import {
  DEFAULT_BATCH_SIZE,
  type DriverConnectionOptions,
  type ProbeResult,
  type QueryParams,
  type SisDriver,
  type StreamOptions,
} from 'connectors/sdk/drivers/sis-driver.types';

/** The Ed-Fi "query" of an entity: `edfi:<canonical entity>` (see connectors/edfi/edfi.connector.ts). */
export const EDFI_QUERY_PREFIX = 'edfi:';

function entityOf(query: string, linkName: string, prefix = EDFI_QUERY_PREFIX): CanonicalEntity {
  const name = query.trim().startsWith(prefix) ? query.trim().slice(prefix.length) : '';
  if (!(CANONICAL_ENTITIES as readonly string[]).includes(name))
    throw new ConnectorException(
      ConnectorErrorCode.QUERY_FAILED,
      linkName,
      `not an Ed-Fi entity query: '${query.slice(0, 60)}'`,
    );
  return name as CanonicalEntity;
}

/**
 * An Ed-Fi source behind the driver contract: `edfi_api` reads an ODS/API (OAuth2 client credentials, paging,
 * Change Queries), `edfi_xml` a folder of XML interchange files. Both build the same native rows
 * (EdfiRowAssembler), so the connector's field maps, crosswalks and the extraction pipeline are the same as
 * for a SQL SIS, on a direct link and through the agent.
 */
export class EdfiDriver implements SisDriver {
  readonly dialect = 'edfi' as const;
  private client: EdfiApiClient | null = null;

  constructor(
    readonly kind: 'edfi_api' | 'edfi_xml',
    private readonly opts: DriverConnectionOptions,
  ) {}

  connect(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * `edfi:<entity>`: the entity's rows; `edfi:clock`: the change-tracking clock (one row: `now`, the ODS's
   * newest change version, and `full_reason` when the base's `:since` cannot be built on); `edfi-changes:
   * <entity>`: the rows changed or deleted after `:since` (EdfiChangeAssembler).
   */
  async *stream(query: string, params: QueryParams, opts?: StreamOptions): AsyncGenerator<NativeRow[]> {
    const asOf = typeof params.asOf === 'string' ? params.asOf : new Date().toISOString().slice(0, 10);
    const batchSize = opts?.batchSize ?? DEFAULT_BATCH_SIZE;
    try {
      if (query.trim() === EDFI_CLOCK_QUERY) {
        yield [await this.clock(params.since)];
        return;
      }
      if (query.trim().startsWith(EDFI_CHANGES_PREFIX)) {
        const entity = entityOf(query, this.opts.linkName, EDFI_CHANGES_PREFIX);
        const since = Number(params.since);
        if (this.kind !== 'edfi_api' || !Number.isInteger(since))
          throw new ConnectorException(
            ConnectorErrorCode.QUERY_FAILED,
            this.opts.linkName,
            `Ed-Fi changes need the ODS/API and a change version as :since (got '${String(params.since)}')`,
          );
        const reader = new EdfiApiReader(this.api());
        const changes = new EdfiChangeAssembler(
          reader,
          new EdfiRowAssembler(reader, asOf, batchSize),
          since + 1,
        );
        yield* changes.rows(entity);
        return;
      }
      const entity = entityOf(query, this.opts.linkName);
      yield* new EdfiRowAssembler(this.reader(), asOf, batchSize).rows(entity);
    } catch (err) {
      throw this.wrap(err);
    }
  }

  /**
   * The ODS's newest change version, pinned for every read of this extraction. Full extractions (`now` null,
   * or `full_reason`) where nothing can be built on: XML files, an ODS/API without Change Queries, change
   * versions that went back below the base's (a restored or reloaded ODS), changes purged after the base.
   */
  private async clock(since: QueryParams[string] | undefined): Promise<NativeRow> {
    if (this.kind === 'edfi_xml')
      return { now: null, full_reason: 'Ed-Fi XML interchange files carry no change tracking' };
    const versions = await this.api().availableChangeVersions();
    if (!versions)
      return {
        now: null,
        full_reason: 'the Ed-Fi ODS/API has no Change Queries (availableChangeVersions answers 404)',
      };
    const now = String(versions.newest);
    if (since === undefined || since === null || since === '') return { now, full_reason: null };
    const last = Number(since);
    if (!Number.isInteger(last))
      return { now, full_reason: `the last snapshot's watermark '${String(since)}' is not a change version` };
    if (last > versions.newest)
      return {
        now,
        full_reason: `the ODS's change versions went back (the last snapshot read up to version ${last}, the ODS is now at ${versions.newest}: restored or reloaded)`,
      };
    if (versions.oldest !== null && versions.oldest > last + 1)
      return {
        now,
        full_reason: `the ODS no longer holds the changes after version ${last} (its oldest change version is ${versions.oldest})`,
      };
    return { now, full_reason: null };
  }

  async probe(): Promise<ProbeResult> {
    const started = performance.now();
    try {
      if (this.kind === 'edfi_api') await this.api().probe();
      else {
        const found = await new EdfiXmlReader(this.folder()).interchanges();
        if (found.size === 0)
          throw new ConnectorException(
            ConnectorErrorCode.UNREACHABLE,
            this.opts.linkName,
            `no Ed-Fi interchange files in ${this.folder()}`,
          );
      }
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      const e = this.wrap(err);
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: { code: e.code, message: e.message },
      };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private reader(): EdfiReader {
    return this.kind === 'edfi_api' ? new EdfiApiReader(this.api()) : new EdfiXmlReader(this.folder());
  }

  /** One client per driver, so one extraction reads every resource at one pinned change version. */
  private api(): EdfiApiClient {
    if (!this.opts.url)
      throw new ConnectorException(
        ConnectorErrorCode.UNKNOWN,
        this.opts.linkName,
        'the Ed-Fi API link has no url',
      );
    this.client ??= new EdfiApiClient({
      linkName: this.opts.linkName,
      baseUrl: this.opts.url,
      clientId: this.opts.user ?? '',
      clientSecret: this.opts.password ?? '',
      requestTimeoutMs: this.opts.queryTimeoutMs,
    });
    return this.client;
  }

  private folder(): string {
    if (!this.opts.path)
      throw new ConnectorException(
        ConnectorErrorCode.UNKNOWN,
        this.opts.linkName,
        'the Ed-Fi XML link has no path',
      );
    return this.opts.path;
  }

  private wrap(err: unknown): ConnectorException {
    if (err instanceof ConnectorException) return err;
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR')
      return new ConnectorException(ConnectorErrorCode.UNREACHABLE, this.opts.linkName, errorText(err));
    const detail = err instanceof InterchangeError ? err.message : `Ed-Fi read failed: ${errorText(err)}`;
    return new ConnectorException(ConnectorErrorCode.QUERY_FAILED, this.opts.linkName, detail);
  }
}
