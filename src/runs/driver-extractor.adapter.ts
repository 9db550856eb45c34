import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { getConnector } from 'connectors/index';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { createDriver } from 'connectors/sdk/drivers/driver.factory';
import type { SecretBox } from 'src/common/crypto/secret-box.service';
import { SECRET_BOX } from 'src/common/tokens';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { AgentRowSource } from 'src/agent-gateway/agent-row-source';
import { TenantScope } from 'src/auth/tenant-scope';
import { driverOptions } from 'src/connectivity/link-prober.repository';
import { DistrictsRepository } from 'src/districts/districts.repository';
import type { LinkConnectionSettings } from 'src/districts/sis-link.entity';
import { CrosswalkService } from 'src/extraction/crosswalk.service';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { EXTRACTION_POOL } from 'src/extraction/extraction.module';
import { ExtractionService } from 'src/extraction/extraction.service';
import type { RowSource } from 'src/extraction/extraction.types';
import { AgentRelayClient } from 'src/runs/agent-relay.client';
import type { ExtractLinkInput, ExtractReport, RunExtractor } from 'src/runs/run-pipeline.ports';

/** Aeries keeps one database per school year: `{year}` is the start year (2026 for 2026-27), `{yy}` its two digits. */
export function databaseFor(settings: LinkConnectionSettings, schoolYear: number): string | undefined {
  if (!settings.databasePattern) return settings.database;
  return settings.databasePattern
    .replace(/\{year\}/g, String(schoolYear))
    .replace(/\{yy\}/g, String(schoolYear % 100).padStart(2, '0'));
}

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
    @Inject(EXTRACTION_POOL) private readonly pool: Pool,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
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
        pool: this.pool,
        snapshotId: input.snapshotId,
        connector,
        rows,
        codeMaps,
        state,
        schoolYear: input.schoolYear,
        asOf: input.asOf,
        // Both sides of a run read the district's one comparison window.
        windowYears: district?.comparisonYears ?? undefined,
        linkName: link.name,
        // The embedded database (no DATABASE_URL) cannot take COPY FROM STDIN over its socket.
        bulkWrite: this.config.database.DATABASE_URL ? 'copy' : 'insert',
        incremental: this.incremental(input),
        onProgress: (entity, n, index, count) =>
          input.onProgress((index + 0.5) / count, `extracting ${entity} from ${link.name} (${n} rows)`),
      });
      return {
        totalRows: report.totalRows,
        entities: Object.fromEntries(report.entities.map((e) => [e.entity, e.rows])),
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
  ): { rows: RowSource; close: () => Promise<void> } {
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
    const password = link.secretCiphertext ? this.box.decrypt(link.secretCiphertext) : undefined;
    const settings = { ...link.settings, database: databaseFor(link.settings, schoolYear) };
    const driver = createDriver(link.settings.driver, driverOptions(link.name, settings, password));
    return { rows: new DriverRowSource(driver), close: () => driver.close().catch(() => undefined) };
  }
}
