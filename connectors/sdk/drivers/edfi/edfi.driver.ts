import { EdfiApiClient } from 'connectors/sdk/drivers/edfi/edfi-api.client';
import { EdfiApiReader } from 'connectors/sdk/drivers/edfi/edfi-api.reader';
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

function entityOf(query: string, linkName: string): CanonicalEntity {
  const name = query.trim().startsWith(EDFI_QUERY_PREFIX) ? query.trim().slice(EDFI_QUERY_PREFIX.length) : '';
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

  async *stream(query: string, params: QueryParams, opts?: StreamOptions): AsyncGenerator<NativeRow[]> {
    const entity = entityOf(query, this.opts.linkName);
    const asOf = typeof params.asOf === 'string' ? params.asOf : new Date().toISOString().slice(0, 10);
    const assembler = new EdfiRowAssembler(this.reader(), asOf, opts?.batchSize ?? DEFAULT_BATCH_SIZE);
    try {
      yield* assembler.rows(entity);
    } catch (err) {
      throw this.wrap(err);
    }
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
