import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import { CLOCK, type Clock } from 'src/common/tokens';
import { AgentsRepository, type AgentRow } from 'src/agent-gateway/agents.repository';
import type { IncidentsQueryDto } from 'src/connectivity/connectivity.dto';
import { IncidentsRepository, type IncidentRow } from 'src/connectivity/incidents.repository';
import { LinkHealthRepository } from 'src/connectivity/link-health.repository';
import type { LinkState } from 'src/connectivity/link-state.machine';
import { MaintenanceRepository } from 'src/connectivity/maintenance.repository';
import { StatusRepository, type LinkStatusRow } from 'src/connectivity/status.repository';

export interface UptimeView {
  h24: number | null;
  d7: number | null;
  d30: number | null;
}

export interface LinkStatusView {
  linkId: string;
  name: string;
  role: string;
  sisKind: string;
  transport: 'direct' | 'agent';
  agentId: string | null;
  enabled: boolean;
  state: LinkState;
  since: Date | null;
  lastProbeAt: Date | null;
  lastLatencyMs: number | null;
  lastErrorCode: string | null;
  lastError: string | null;
  uptime: UptimeView;
  openIncident: { id: string; openedAt: Date; causeCode: string } | null;
}

export interface AgentStatusView {
  id: string;
  name: string;
  state: string;
  since: Date;
  lastHeartbeatAt: Date | null;
  lastProbeOk: boolean | null;
  version: string | null;
  hostname: string | null;
  revoked: boolean;
  openIncident: { id: string; openedAt: Date; causeCode: string } | null;
}

export interface DistrictStatusView {
  districtId: string;
  name: string;
  /** The worst link state: DOWN > PENDING > MAINTENANCE > UP. */
  state: LinkState;
  links: LinkStatusView[];
  agents: AgentStatusView[];
  maintenance: Array<{ id: string; linkId: string | null; startsAt: Date; endsAt: Date; reason: string }>;
}

export interface IncidentView {
  id: string;
  districtId: string;
  subjectKind: 'link' | 'agent';
  linkId: string | null;
  agentId: string | null;
  subject: string;
  openedAt: Date;
  closedAt: Date | null;
  durationSeconds: number | null;
  causeCode: string;
  cause: string;
  notifyState: string;
}

const SEVERITY: Record<LinkState, number> = { DOWN: 3, PENDING: 2, MAINTENANCE: 1, UP: 0 };
const round4 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10_000) / 10_000);

export const toIncidentView = (r: IncidentRow): IncidentView => ({
  id: r.id,
  districtId: r.district_id,
  subjectKind: r.subject_kind,
  linkId: r.link_id,
  agentId: r.agent_id,
  subject: r.subject_name,
  openedAt: r.opened_at,
  closedAt: r.closed_at,
  durationSeconds: r.duration_seconds,
  causeCode: r.cause_code,
  cause: r.cause,
  notifyState: r.notify_state,
});

/** Status board and incident lists, scoped to the caller's tenant. */
@Injectable()
export class StatusService {
  constructor(
    private readonly status: StatusRepository,
    private readonly health: LinkHealthRepository,
    private readonly agents: AgentsRepository,
    private readonly incidents: IncidentsRepository,
    private readonly maintenance: MaintenanceRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async board(p: Principal): Promise<DistrictStatusView[]> {
    return this.build(TenantScope.of(p).districtId);
  }

  async district(p: Principal, districtId: string): Promise<DistrictStatusView> {
    TenantScope.of(p).assertDistrict(districtId);
    const [view] = await this.build(districtId);
    if (!view) throw DomainException.notFound('district');
    return view;
  }

  async listIncidents(
    p: Principal,
    districtId: string | null,
    q: IncidentsQueryDto,
  ): Promise<IncidentView[]> {
    const scope = TenantScope.of(p);
    const wanted = districtId ?? q.districtId ?? scope.districtId;
    if (wanted) scope.assertDistrict(wanted);
    const open = q.open === undefined ? undefined : q.open === 'true';
    const rows = await this.incidents.list({
      districtIds: wanted ? [wanted] : null,
      open,
      limit: q.limit ?? 100,
    });
    return rows.map(toIncidentView);
  }

  private async build(districtId: string | null): Promise<DistrictStatusView[]> {
    const now = this.clock.now();
    const [districts, links, agents, agentIncidents] = await Promise.all([
      this.status.districts(districtId),
      this.status.links(districtId),
      this.agents.list(districtId),
      this.status.openAgentIncidents(districtId),
    ]);
    const uptime = new Map(
      (
        await this.health.uptime(
          links.map((l) => l.link_id),
          now,
        )
      ).map((u) => [u.link_id, u]),
    );
    const incidentOfAgent = new Map(
      agentIncidents.map((i) => [i.agent_id, { id: i.id, openedAt: i.opened_at, causeCode: i.cause_code }]),
    );
    const views: DistrictStatusView[] = [];
    for (const d of districts) {
      const mine = links
        .filter((l) => l.district_id === d.id)
        .map((l) => this.linkView(l, uptime.get(l.link_id)));
      const windows = await this.maintenance.listWindows(d.id, false, now);
      views.push({
        districtId: d.id,
        name: d.name,
        state: mine.reduce<LinkState>(
          (worst, l) => (SEVERITY[l.state] > SEVERITY[worst] ? l.state : worst),
          'UP',
        ),
        links: mine,
        agents: agents
          .filter((a) => a.district_id === d.id)
          .map((a) => this.agentView(a, incidentOfAgent.get(a.id) ?? null)),
        maintenance: windows.map((w) => ({
          id: w.id,
          linkId: w.link_id,
          startsAt: w.starts_at,
          endsAt: w.ends_at,
          reason: w.reason,
        })),
      });
    }
    return views;
  }

  private linkView(
    l: LinkStatusRow,
    u: { h24: number | null; d7: number | null; d30: number | null } | undefined,
  ): LinkStatusView {
    return {
      linkId: l.link_id,
      name: l.name,
      role: l.role,
      sisKind: l.sis_kind,
      transport: l.transport,
      agentId: l.agent_id,
      enabled: l.enabled,
      state: l.state,
      since: l.since,
      lastProbeAt: l.last_probe_at,
      lastLatencyMs: l.last_latency_ms,
      lastErrorCode: l.last_error_code,
      lastError: l.last_error,
      uptime: { h24: round4(u?.h24 ?? null), d7: round4(u?.d7 ?? null), d30: round4(u?.d30 ?? null) },
      openIncident: l.incident_id
        ? {
            id: l.incident_id,
            openedAt: l.incident_opened_at as Date,
            causeCode: l.incident_cause_code ?? 'UNKNOWN',
          }
        : null,
    };
  }

  private agentView(a: AgentRow, incident: AgentStatusView['openIncident']): AgentStatusView {
    return {
      id: a.id,
      name: a.name,
      state: a.state,
      since: a.state_since,
      lastHeartbeatAt: a.last_heartbeat_at,
      lastProbeOk: a.last_probe_ok,
      version: a.version,
      hostname: a.hostname,
      revoked: a.revoked_at !== null,
      openIncident: incident,
    };
  }
}
