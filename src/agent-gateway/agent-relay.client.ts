import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { AgentRelayRepository } from 'src/agent-gateway/agent-relay.repository';
import type { ExtractLinkInput, ExtractReport } from 'src/runs/run-pipeline.ports';

const asCode = (code: string | null): ConnectorErrorCode =>
  (Object.values(ConnectorErrorCode) as string[]).includes(code ?? '')
    ? (code as ConnectorErrorCode)
    : ConnectorErrorCode.UNKNOWN;

/**
 * The asking side of the agent relay: a run on an instance the link's agent is not connected to records an
 * extraction request and waits for the instance holding the agent's connection to carry it out (progress is
 * passed through). Nobody claiming it within AGENT_RELAY_CLAIM_TIMEOUT_MS means the agent is connected to no
 * instance: the step fails as UNREACHABLE, like a direct link that is down.
 */
@Injectable()
export class AgentRelayClient {
  constructor(
    private readonly repo: AgentRelayRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async extractRemotely(input: ExtractLinkInput, agentId: string): Promise<ExtractReport> {
    const { AGENT_RELAY_POLL_MS: pollMs, AGENT_RELAY_CLAIM_TIMEOUT_MS: claimTimeoutMs } = this.config.runs;
    await this.repo.request({
      snapshotId: input.snapshotId,
      districtId: input.districtId,
      runId: input.runId || null,
      linkId: input.link.id,
      agentId,
      schoolYear: input.schoolYear,
      asOf: input.asOf,
      windowYears: input.windowYears ?? null,
    });
    let unattendedSince = Date.now();
    for (;;) {
      const r = await this.repo.find(input.snapshotId);
      if (!r)
        throw new Error(`the extraction request of snapshot ${input.snapshotId} is gone (snapshot deleted)`);
      if (r.status === 'done' && r.report) return r.report;
      if (r.status === 'failed')
        throw new ConnectorException(
          asCode(r.errorCode),
          input.link.name,
          r.error ?? 'the extraction through the agent failed',
        );
      if (r.status === 'running' && r.leaseValid) {
        unattendedSince = Date.now();
        if (r.progress) input.onProgress(r.progress.fraction, r.progress.message ?? undefined);
      } else if (Date.now() - unattendedSince > claimTimeoutMs) {
        const reason = `the agent is not connected to any service instance (no instance took the extraction within ${Math.round(claimTimeoutMs / 1000)} s)`;
        if (await this.repo.abandon(input.snapshotId, reason))
          throw new ConnectorException(ConnectorErrorCode.UNREACHABLE, input.link.name, reason);
      }
      await sleep(pollMs);
    }
  }
}
