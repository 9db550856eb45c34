import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { errorText } from 'src/common/error-text.util';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { LinksRepository } from 'src/districts/links.repository';
import { keepLease } from 'src/database/lease';
import { TickerService } from 'src/database/ticker';
import { AgentRelayRepository, type RelayRequest } from 'src/agent-gateway/agent-relay.repository';
import { DriverExtractorAdapter } from 'src/runs/driver-extractor.adapter';

const PROGRESS_EVERY_MS = 1_000;

/**
 * The serving side of the agent relay: every instance that holds agent connections claims the extraction
 * requests of those agents, extracts through its own WebSocket session into the requested snapshot (the same
 * code path as a local run) and records the outcome. Present only where the agent gateway is.
 */
@Injectable()
export class AgentRelayWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgentRelayWorker.name);
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly repo: AgentRelayRepository,
    private readonly links: LinksRepository,
    private readonly extractor: DriverExtractorAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly agents?: AgentGatewayService,
    @Optional() private readonly schedule?: TickerService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.agents || !this.schedule) return;
    this.schedule.addInterval('runs.agent-relay', this.config.runs.AGENT_RELAY_POLL_MS, () =>
      this.serveAll(),
    );
  }

  /** Serves requests for the agents connected here until none is waiting; returns how many were served. */
  async serveAll(): Promise<number> {
    let served = 0;
    while (await this.serveOne()) served += 1;
    return served;
  }

  async serveOne(): Promise<boolean> {
    const local = this.agents?.connectedAgentIds() ?? [];
    const leaseMs = this.config.runs.AGENT_RELAY_LEASE_MS;
    const r = await this.repo.claim(local, this.instanceId, leaseMs);
    if (!r) return false;
    let progress: RelayRequest['progress'] = null;
    let renewedAt = 0;
    const renew = (): void => {
      renewedAt = Date.now();
      void this.repo
        .renew(r.snapshotId, this.instanceId, leaseMs, progress)
        .catch((err: unknown) => this.logger.warn(`lease renewal failed: ${errorText(err)}`));
    };
    const renewal = keepLease(leaseMs, () => Promise.resolve(renew()));
    try {
      const link = await this.links.findById(r.linkId);
      if (!link)
        throw new ConnectorException(ConnectorErrorCode.UNKNOWN, r.linkId, 'the link no longer exists');
      const report = await this.extractor.extractHere({
        runId: r.runId ?? '',
        districtId: r.districtId,
        link,
        snapshotId: r.snapshotId,
        schoolYear: r.schoolYear,
        asOf: r.asOf,
        // The asking run's window, not this instance's reading of the district.
        windowYears: r.windowYears ?? undefined,
        onProgress: (fraction, message) => {
          progress = { fraction, message: message ?? null };
          // Progress reaches the asking instance at most about once a second, with the lease.
          if (Date.now() - renewedAt >= PROGRESS_EVERY_MS) renew();
        },
      });
      await this.repo.finish(r.snapshotId, this.instanceId, report);
      this.logger.log(
        `extracted snapshot ${r.snapshotId} through agent ${r.agentId} for another instance (${report.totalRows} rows)`,
      );
    } catch (err) {
      const code = err instanceof ConnectorException ? err.code : ConnectorErrorCode.UNKNOWN;
      const detail = errorText(err).replace(/^link "[^"]*": /, '');
      await this.repo.fail(r.snapshotId, this.instanceId, code, detail);
      this.logger.warn(`extraction of snapshot ${r.snapshotId} through agent ${r.agentId} failed: ${detail}`);
    } finally {
      renewal.stop();
    }
    return true;
  }
}
