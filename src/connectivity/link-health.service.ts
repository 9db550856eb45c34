import { Inject, Injectable } from '@nestjs/common';
import type { ProbeResult } from 'connectors/sdk/drivers/sis-driver.types';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { CLOCK, type Clock } from 'src/common/tokens';
import { AgentsRepository } from 'src/agent-gateway/agents.repository';
import { AlertPolicyService } from 'src/connectivity/alert-policy.service';
import { IncidentsRepository } from 'src/connectivity/incidents.repository';
import { LinkHealthRepository, type LinkHealthRow } from 'src/connectivity/link-health.repository';
import {
  incidentAction,
  nextLinkHealth,
  type HealthEvent,
  type LinkHealthState,
} from 'src/connectivity/link-state.machine';
import { MaintenanceRepository } from 'src/connectivity/maintenance.repository';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export const AGENT_DOWN_CODE = 'AGENT_DOWN';

const toState = (r: LinkHealthRow): LinkHealthState => ({
  state: r.state,
  since: r.since,
  consecutiveFailures: r.consecutive_failures,
});

/**
 * Applies probe outcomes (direct probes, agent heartbeats) and agent liveness to link_health, opens and
 * closes incidents, and lets the alert policy react, each in one transaction.
 */
@Injectable()
export class LinkHealthService {
  constructor(
    private readonly sql: SqlRunner,
    private readonly health: LinkHealthRepository,
    private readonly incidents: IncidentsRepository,
    private readonly agents: AgentsRepository,
    private readonly maintenance: MaintenanceRepository,
    private readonly alerts: AlertPolicyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async recordLinkProbe(linkId: string, probe: ProbeResult): Promise<void> {
    const at = this.clock.now();
    await this.sql.transaction(async (m) => {
      const cur = await this.health.lock(m, linkId);
      if (!cur) return;
      await this.applyProbe(m, cur, toState(cur), probe, 'direct', at);
      await this.alerts.evaluateDistrict(m, cur.district_id, at);
    });
  }

  /** A heartbeat: the agent is alive (closing its incident) and its database probe speaks for its links. */
  async recordAgentHeartbeat(agentId: string, probe: ProbeResult): Promise<void> {
    const at = this.clock.now();
    await this.sql.transaction(async (m) => {
      const hb = await this.agents.recordHeartbeat(m, agentId, {
        at,
        probeOk: probe.ok,
        latencyMs: probe.latencyMs,
        error: probe.error?.message ?? null,
      });
      if (!hb) return;
      const open = await this.incidents.findOpen(m, 'agent', agentId);
      if (open) await this.incidents.close(m, open.id, at);
      for (const link of await this.health.lockLinksOfAgent(m, agentId, at)) {
        let state = toState(link);
        if (hb.prev === 'DOWN' || link.last_error_code === AGENT_DOWN_CODE)
          state = nextLinkHealth(state, { kind: 'agent_up', at }, this.failures);
        await this.applyProbe(m, link, state, probe, 'agent', at);
      }
      await this.alerts.evaluateDistrict(m, hb.row.district_id, at);
    });
  }

  /** Agents that missed K heartbeats go DOWN with an incident; their links follow without incidents of their own. */
  async checkAgentHeartbeats(): Promise<number> {
    const at = this.clock.now();
    const k = this.config.health.AGENT_MISSED_HEARTBEATS;
    return this.sql.transaction(async (m) => {
      const down = await this.agents.markMissedDown(m, at, k);
      for (const a of down) {
        const last = a.last_heartbeat_at?.toISOString() ?? 'never';
        await this.incidents.open(m, {
          districtId: a.district_id,
          subjectKind: 'agent',
          linkId: null,
          agentId: a.id,
          name: `agent ${a.name}`,
          at,
          causeCode: 'AGENT_HEARTBEAT_MISSED',
          cause: `no heartbeat since ${last} (${k} missed at ${a.heartbeat_interval_ms} ms)${a.hostname ? ` from ${a.hostname}` : ''}`,
        });
        for (const link of await this.health.lockLinksOfAgent(m, a.id, at)) {
          const next = nextLinkHealth(toState(link), { kind: 'agent_down', at }, this.failures);
          await this.health.updateWithoutProbe(
            m,
            link.link_id,
            next,
            AGENT_DOWN_CODE,
            `agent ${a.name} is not reporting`,
          );
        }
        await this.alerts.evaluateDistrict(m, a.district_id, at);
      }
      return down.length;
    });
  }

  private get failures(): number {
    return this.config.health.PROBE_FAILURES_BEFORE_DOWN;
  }

  private async applyProbe(
    m: SqlSession,
    link: LinkHealthRow,
    cur: LinkHealthState,
    probe: ProbeResult,
    via: 'direct' | 'agent',
    at: Date,
  ): Promise<void> {
    const inMaintenance = await this.maintenance.inMaintenance(m, link.district_id, link.link_id, at);
    const ev: HealthEvent = { kind: 'probe', ok: probe.ok, at, inMaintenance };
    const next = nextLinkHealth(cur, ev, this.failures);
    const errorCode = probe.ok ? null : (probe.error?.code ?? 'UNKNOWN');
    const error = probe.ok ? null : (probe.error?.message ?? 'probe failed');
    await this.health.recordProbe(m, {
      linkId: link.link_id,
      districtId: link.district_id,
      at,
      ok: probe.ok,
      latencyMs: probe.latencyMs,
      errorCode,
      error,
      via,
    });
    await this.health.update(m, link.link_id, next, { at, latencyMs: probe.latencyMs, errorCode, error });
    const open = await this.incidents.findOpen(m, 'link', link.link_id);
    const action = incidentAction(next, ev, open !== null);
    if (action === 'open') {
      await this.incidents.open(m, {
        districtId: link.district_id,
        subjectKind: 'link',
        linkId: link.link_id,
        agentId: null,
        name: link.name,
        at,
        causeCode: errorCode ?? 'UNKNOWN',
        cause: error ?? 'probe failed',
      });
    } else if (action === 'close' && open) {
      await this.incidents.close(m, open.id, at);
    }
  }
}
