import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import { CLOCK, type Clock } from 'src/common/tokens';
import { AgentsRepository, type AgentRow } from 'src/agent-gateway/agents.repository';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { issueAgentToken } from 'src/agent-gateway/agent-token.util';
import type { CreateAgentDto } from 'src/agent-gateway/agents.dto';

export interface AgentView {
  id: string;
  districtId: string;
  name: string;
  tokenPrefix: string;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  state: string;
  stateSince: Date;
  connected: boolean;
  lastHeartbeatAt: Date | null;
  lastProbeOk: boolean | null;
  lastProbeLatencyMs: number | null;
  lastProbeError: string | null;
  version: string | null;
  hostname: string | null;
}

/** The clear token appears in this response only; afterwards only its prefix is shown. */
export interface AgentWithToken {
  agent: AgentView;
  token: string;
}

/** Agent administration (support staff): create with a one-time token, rotate, revoke, list. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly gateway: AgentGatewayService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(p: Principal, districtId: string): Promise<AgentView[]> {
    TenantScope.of(p).assertDistrict(districtId);
    return (await this.agents.list(districtId)).map((a) => this.view(a));
  }

  async create(p: Principal, districtId: string, dto: CreateAgentDto): Promise<AgentWithToken> {
    TenantScope.of(p).assertDistrict(districtId);
    const t = issueAgentToken();
    try {
      const row = await this.agents.create({
        districtId,
        name: dto.name,
        tokenHash: t.hash,
        tokenPrefix: t.prefix,
        at: this.clock.now(),
      });
      return { agent: this.view(row), token: t.token };
    } catch (err) {
      if ((err as { code?: string }).code === '23503') throw DomainException.notFound('district');
      throw err;
    }
  }

  async rotate(p: Principal, districtId: string, id: string): Promise<AgentWithToken> {
    TenantScope.of(p).assertDistrict(districtId);
    const t = issueAgentToken();
    const row = await this.agents.rotate(districtId, id, t.hash, t.prefix, this.clock.now());
    if (!row) throw DomainException.notFound('agent');
    this.gateway.disconnect(id, 'token rotated');
    return { agent: this.view(row), token: t.token };
  }

  async revoke(p: Principal, districtId: string, id: string): Promise<AgentView> {
    TenantScope.of(p).assertDistrict(districtId);
    const row = await this.agents.revoke(districtId, id, this.clock.now());
    if (!row) throw DomainException.notFound('agent');
    this.gateway.disconnect(id, 'token revoked');
    return this.view(row);
  }

  private view(a: AgentRow): AgentView {
    return {
      id: a.id,
      districtId: a.district_id,
      name: a.name,
      tokenPrefix: a.token_prefix,
      createdAt: a.created_at,
      rotatedAt: a.rotated_at,
      revokedAt: a.revoked_at,
      state: a.state,
      stateSince: a.state_since,
      connected: this.gateway.isConnected(a.id),
      lastHeartbeatAt: a.last_heartbeat_at,
      lastProbeOk: a.last_probe_ok,
      lastProbeLatencyMs: a.last_probe_latency_ms,
      lastProbeError: a.last_probe_error,
      version: a.version,
      hostname: a.hostname,
    };
  }
}
