import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow } from 'connectors/sdk/connector.types';
import { CLOCK, type Clock } from 'src/common/tokens';
import { AgentsRepository, type AgentRow } from 'src/agent-gateway/agents.repository';
import { LinkHealthService } from 'src/connectivity/link-health.service';
import { AGENT_CONNECT_PATH, AGENT_PROTOCOL_VERSION } from 'src/agent-gateway/agent-protocol.types';
import { AgentSession, type ExtractRequest } from 'src/agent-gateway/agent-session';
import { AGENT_LIMITS, clampHeartbeatMs } from 'src/agent-gateway/agent-protocol.util';
import { hashAgentToken } from 'src/agent-gateway/agent-token.util';
import { errorText } from 'src/common/error-text.util';

/** Close codes the agent understands: replaced by a newer connection, token rotated or revoked. */
export const CLOSE_REPLACED = 4000;
export const CLOSE_CREDENTIALS = 4001;

/**
 * The WebSocket endpoint for on-prem agents, attached to Nest's HTTP server (path-based upgrade, so it
 * shares the API's port and TLS). The agent token is checked before the upgrade completes.
 */
@Injectable()
export class AgentGatewayService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AgentGatewayService.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: AGENT_LIMITS.maxFrameBytes,
    perMessageDeflate: false,
  });
  private readonly sessions = new Map<string, AgentSession>();
  private server: Server | null = null;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(req.url ?? '/', 'http://local').pathname !== AGENT_CONNECT_PATH) return;
    void this.upgrade(req, socket, head);
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly agents: AgentsRepository,
    private readonly health: LinkHealthService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    // An application context (CLI, benchmark) has no HTTP server: agents only connect to the service.
    const http = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (!http) return;
    this.server = http.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
  }

  onModuleDestroy(): void {
    this.server?.off('upgrade', this.onUpgrade);
    for (const s of this.sessions.values()) s.close(1001, 'server shutting down');
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  /** Agents with a live session on this instance. */
  connectedAgentIds(): string[] {
    return [...this.sessions.entries()].filter(([, s]) => s.connected).map(([id]) => id);
  }

  isConnected(agentId: string): boolean {
    return this.sessions.get(agentId)?.connected === true;
  }

  /** Rows of one entity through the agent; throws UNREACHABLE when the agent is not connected to this instance. */
  extract(agentId: string, req: ExtractRequest): AsyncIterable<NativeRow[]> {
    const session = this.sessions.get(agentId);
    if (!session?.connected) {
      throw new ConnectorException(
        ConnectorErrorCode.UNREACHABLE,
        `agent ${agentId}`,
        'the agent is not connected to this server',
      );
    }
    return session.extract(req);
  }

  /** Drops the live connection (token rotated or revoked): the old token no longer authenticates. */
  disconnect(agentId: string, reason: string): void {
    this.sessions.get(agentId)?.close(CLOSE_CREDENTIALS, reason);
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    let agent: AgentRow | null = null;
    try {
      agent = token ? await this.agents.findByTokenHash(hashAgentToken(token)) : null;
    } catch (err) {
      this.logger.error(`agent authentication failed: ${errorText(err)}`);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!agent) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    const found = agent;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(found, ws));
  }

  private attach(agent: AgentRow, ws: WebSocket): void {
    this.sessions.get(agent.id)?.close(CLOSE_REPLACED, 'replaced by a newer connection');
    const session: AgentSession = new AgentSession(agent.id, agent.name, ws, {
      hello: (m) =>
        this.agents.recordHello(agent.id, {
          version: m.version,
          hostname: m.hostname,
          heartbeatIntervalMs: clampHeartbeatMs(m.heartbeatIntervalMs),
          at: this.clock.now(),
        }),
      heartbeat: (probe) => this.health.recordAgentHeartbeat(agent.id, probe),
      closed: () => {
        if (this.sessions.get(agent.id) === session) this.sessions.delete(agent.id);
      },
    });
    this.sessions.set(agent.id, session);
    session.send({ type: 'welcome', agentId: agent.id, districtId: agent.district_id });
    this.logger.log(`agent ${agent.name} connected (protocol ${AGENT_PROTOCOL_VERSION})`);
  }
}
