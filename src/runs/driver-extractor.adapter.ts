import { Inject, Injectable, Optional } from '@nestjs/common';
import { getConnector } from 'connectors/index';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { AgentRowSource } from 'src/agent-gateway/agent-row-source';
import { TenantScope } from 'src/auth/tenant-scope';
import { DistrictsRepository } from 'src/districts/districts.repository';
import type { SisLinkEntity } from 'src/districts/sis-link.entity';
import type { ProbeResult } from 'connectors/sdk/drivers/sis-driver.types';
import type { NativeColumn } from 'connectors/sdk/native-schema';
import { errorText } from 'src/common/error-text.util';
import { LinkDriverFactory } from 'src/districts/link-driver.factory';
import { CrosswalkService } from 'src/extraction/crosswalk.service';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { ExtractionService } from 'src/extraction/extraction.service';
import type { RowSource } from 'src/extraction/extraction.types';
import { AgentRelayClient } from 'src/agent-gateway/agent-relay.client';
import type { ExtractLinkInput, ExtractReport, RunExtractor } from 'src/runs/run-pipeline.ports';

/**
 * Extraction of a link: the link's own driver (direct links) or the on-premises agent (agent links) as row
 * source, the district's crosswalks, resumable per entity.
 */
@Injectable()
export class DriverExtractorAdapter implements RunExtractor {
  constructor(
    private readonly extraction: ExtractionService,
    private readonly crosswalks: CrosswalkService,
    private readonly districts: DistrictsRepository,
    private readonly drivers: LinkDriverFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly agents?: AgentGatewayService,
    @Optional() private readonly relay?: AgentRelayClient,
  ) {}

  /**
   * An agent link whose agent is connected to another instance is extracted there, through the relay;
   * everything else here.
   */
  async extract(input: ExtractLinkInput): Promise<ExtractReport> {
    const { link } = input;
    if (link.transport === 'agent' && link.agentId && this.relay && !this.agents?.isConnected(link.agentId)) {
      return this.relay.extractRemotely(input, link.agentId);
    }
    return this.extractHere(input);
  }

  /** Extraction in this process: the link's driver, or the agent's session held by this instance. */
  async extractHere(input: ExtractLinkInput): Promise<ExtractReport> {
    const { link } = input;
    const connector = getConnector(link.sisKind);
    const { rows, close } = this.rowSource(link, input.schoolYear);
    try {
      const district = await this.districts.find(TenantScope.system(), link.districtId);
      const state = district?.state ?? null;
      const codeMaps = await this.crosswalks.codeMapsFor(link.districtId, link.id, connector, state);
      const report = await this.extraction.extractSnapshot({
        snapshotId: input.snapshotId,
        connector,
        rows,
        codeMaps,
        state,
        schoolYear: input.schoolYear,
        asOf: input.asOf,
        // The run's window (fixed when it was recorded); the district's for extractions outside a run.
        windowYears: input.windowYears ?? district?.comparisonYears ?? undefined,
        linkName: link.name,
        // The embedded database (no DATABASE_URL) cannot take COPY FROM STDIN over its socket.
        bulkWrite: this.config.database.DATABASE_URL ? 'copy' : 'insert',
        incremental: this.incremental(input),
        onBasis: ({ incremental, reason }) =>
          input.onProgress(
            0,
            incremental
              ? `extracting from ${link.name}: only what changed since the last snapshot`
              : `extracting everything from ${link.name}${reason ? ` (${reason})` : ''}`,
          ),
        onProgress: (entity, n, index, count) =>
          input.onProgress((index + 0.5) / count, `extracting ${entity} from ${link.name} (${n} rows)`),
      });
      const notSupplied = report.schema?.notSupplied ?? [];
      return {
        totalRows: report.totalRows,
        entities: Object.fromEntries(report.entities.map((e) => [e.entity, e.rows])),
        notSupplied,
        leftOut: notSupplied.map((f) => `${f.entity}.${f.field}: ${f.reason}`),
      };
    } finally {
      await close();
    }
  }

  /**
   * "Test link": one round trip and the native schema of the connector's tables, through the link's driver
   * or its agent (when connected to this instance). Never throws for an unreachable SIS: it says why.
   */
  async inspect(
    link: SisLinkEntity,
    schoolYear: number,
  ): Promise<{ probe: ProbeResult; columns: NativeColumn[] | null }> {
    const connector = getConnector(link.sisKind);
    if (link.transport === 'agent') {
      if (!link.agentId || !this.agents?.isConnected(link.agentId)) {
        const message = link.agentId
          ? 'the agent is not connected to this service instance'
          : 'the link is reached through an agent, but no agent is assigned';
        return { probe: { ok: false, latencyMs: 0, error: { code: 'UNREACHABLE', message } }, columns: null };
      }
    }
    const started = performance.now();
    const { rows, close, probe } = this.rowSource(link, schoolYear);
    try {
      const reached = probe ? await probe() : null;
      if (reached && !reached.ok) return { probe: reached, columns: null };
      const columns = (await rows.describe?.(connector)) ?? null;
      return {
        probe: reached ?? { ok: true, latencyMs: Math.round(performance.now() - started) },
        columns,
      };
    } catch (err) {
      const code = err instanceof ConnectorException ? err.code : ConnectorErrorCode.UNKNOWN;
      return {
        probe: {
          ok: false,
          latencyMs: Math.round(performance.now() - started),
          error: { code, message: errorText(err) },
        },
        columns: null,
      };
    } finally {
      await close();
    }
  }

  /** Whether this extraction may carry unchanged rows forward (the SIS and the row source decide the rest). */
  private incremental(input: ExtractLinkInput): { fullEvery: number } | undefined {
    const mode = this.config.runs.RUN_INCREMENTAL_EXTRACTION;
    if (mode === 'off' || (mode === 'nightly' && input.kind !== 'nightly')) return undefined;
    return { fullEvery: this.config.runs.RUN_FULL_EXTRACTION_EVERY };
  }

  private rowSource(
    link: ExtractLinkInput['link'],
    schoolYear: number,
  ): { rows: RowSource; close: () => Promise<void>; probe?: () => Promise<ProbeResult> } {
    if (link.transport === 'agent') {
      if (!link.agentId || !this.agents) {
        throw new ConnectorException(
          ConnectorErrorCode.UNREACHABLE,
          link.name,
          'the link is reached through an agent, but no agent is assigned',
        );
      }
      return {
        rows: new AgentRowSource(this.agents, link.agentId, link.sisKind),
        close: () => Promise.resolve(),
      };
    }
    const driver = this.drivers.open(link, { schoolYear });
    return {
      rows: new DriverRowSource(driver),
      close: () => driver.close().catch(() => undefined),
      probe: () => driver.probe(),
    };
  }
}
