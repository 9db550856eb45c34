import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import WebSocket from 'ws';
import type { ConnectorDefinition } from 'connectors/sdk/connector.types';
import { createLinkDriver } from 'connectors/sdk/drivers/link-driver';
import type { ProbeResult, SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentMessage,
  type ServerMessage,
} from 'src/agent-gateway/agent-protocol.types';
import { encodeMessage, parseServerMessage } from 'src/agent-gateway/agent-protocol.util';
import type { AgentConfig } from 'src/agent/agent-config';
import { AgentExtractRunner } from 'src/agent/agent-extract.runner';
import { agentEndpoint } from 'src/agent/agent-url.util';
import { backoffDelayMs } from 'src/notifications/backoff.util';

export const AGENT_VERSION = '0.1.0';
const SEND_HIGH_WATER_BYTES = 4 * 1024 * 1024;

export interface AgentLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface AgentClientOptions {
  server: string;
  token: string;
  config: AgentConfig;
  connector: (kind: string) => ConnectorDefinition;
  log: AgentLog;
}

/**
 * The on-prem agent: dials out to the server (no inbound firewall rule needed), heartbeats with its own
 * database probe, serves extract requests, and reconnects after any drop with exponential back-off + jitter.
 */
export class AgentClient {
  private ws: WebSocket | null = null;
  private stopped = false;
  private failures = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeating = false;
  private readonly probeDriver: SisDriver;
  private readonly runners = new Map<string, AgentExtractRunner>();
  private connectedOnce: (() => void) | null = null;
  readonly connectedEver: Promise<void>;

  constructor(private readonly o: AgentClientOptions) {
    this.probeDriver = createLinkDriver(this.linkName, o.config.connection, o.config.password);
    this.connectedEver = new Promise((resolve) => {
      this.connectedOnce = resolve;
    });
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopHeartbeat();
    for (const r of this.runners.values()) r.cancel();
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'agent stopping');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000).unref();
      });
    }
    await this.probeDriver.close();
  }

  private get heartbeatMs(): number {
    return this.o.config.heartbeatIntervalMs ?? 15_000;
  }

  private get linkName(): string {
    return `agent ${this.o.config.sisKind}`;
  }

  private connect(): void {
    if (this.stopped) return;
    const tls = this.o.config.tls;
    const ws = new WebSocket(agentEndpoint(this.o.server), {
      headers: { authorization: `Bearer ${this.o.token}` },
      handshakeTimeout: 15_000,
      perMessageDeflate: false,
      ca: tls?.caFile ? readFileSync(tls.caFile) : undefined,
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    });
    this.ws = ws;
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on('error', (err) => this.o.log.warn(`connection error: ${err.message}`));
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onOpen(ws: WebSocket): void {
    this.failures = 0;
    this.o.log.info(`connected to ${agentEndpoint(this.o.server)}`);
    this.send(ws, {
      type: 'hello',
      protocol: AGENT_PROTOCOL_VERSION,
      version: AGENT_VERSION,
      hostname: hostname(),
      sisKind: this.o.config.sisKind,
      heartbeatIntervalMs: this.heartbeatMs,
    });
    void this.heartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.connectedOnce?.();
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.stopHeartbeat();
    for (const r of this.runners.values()) r.cancel();
    this.runners.clear();
    if (this.stopped) return;
    this.failures += 1;
    const r = this.o.config.reconnect;
    const delay = backoffDelayMs(this.failures, {
      baseMs: r?.baseMs ?? 1_000,
      capMs: r?.capMs ?? 60_000,
      jitter: 0.5,
    });
    this.o.log.warn(`disconnected (${code}${reason ? ` ${reason}` : ''}); reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeating) return;
    this.heartbeating = true;
    try {
      const probe: ProbeResult = await this.probeDriver.probe();
      const ws = this.ws;
      if (ws) this.send(ws, { type: 'heartbeat', probe });
    } finally {
      this.heartbeating = false;
    }
  }

  private onMessage(text: string): void {
    const m = parseServerMessage(text);
    const ws = this.ws;
    if (!m || !ws) return;
    switch (m.type) {
      case 'welcome':
        this.o.log.info(`registered as agent ${m.agentId}`);
        break;
      case 'extract':
        this.serve(ws, m);
        break;
      case 'ack':
        this.runners.get(m.requestId)?.ack();
        break;
      case 'cancel':
        this.runners.get(m.requestId)?.cancel();
        break;
    }
  }

  private serve(ws: WebSocket, m: Extract<ServerMessage, { type: 'extract' }>): void {
    const runner = new AgentExtractRunner(
      m,
      this.o.config,
      this.o.connector,
      this.linkName,
      {
        get open() {
          return ws.readyState === WebSocket.OPEN;
        },
        sendText: (t) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(t);
        },
        sendBinary: (frame) => this.sendWithBackpressure(ws, frame),
      },
      this.o.config.maxInFlightBatches ?? 2,
    );
    this.runners.set(m.requestId, runner);
    void runner.run().finally(() => this.runners.delete(m.requestId));
  }

  /** Waits for the socket buffer to drain below the high-water mark before queueing more. */
  private async sendWithBackpressure(ws: WebSocket, frame: Buffer): Promise<void> {
    while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > SEND_HIGH_WATER_BYTES) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (ws.readyState !== WebSocket.OPEN) return;
    await new Promise<void>((resolve, reject) =>
      ws.send(frame, { binary: true }, (err) => (err ? reject(err) : resolve())),
    );
  }

  private send(ws: WebSocket, m: AgentMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage(m));
  }
}
