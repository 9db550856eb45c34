import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type WebSocket from 'ws';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow, NativeValue } from 'connectors/sdk/connector.types';
import type { ProbeResult } from 'connectors/sdk/drivers/sis-driver.types';
import type { AgentMessage, ServerMessage } from 'src/agent-gateway/agent-protocol.types';
import {
  AGENT_LIMITS,
  AgentProtocolViolation,
  decodeBatch,
  encodeMessage,
  parseAgentMessage,
  type BatchHeader,
} from 'src/agent-gateway/agent-protocol.util';
import { AsyncQueue } from 'src/agent-gateway/async-queue.util';
import { errorText } from 'src/common/error-text.util';

type StreamItem =
  | { kind: 'batch'; seq: number; rows: NativeRow[] }
  | { kind: 'end'; rows: number }
  | { kind: 'error'; code: string; message: string };

export interface AgentSessionHandlers {
  hello(m: Extract<AgentMessage, { type: 'hello' }>): Promise<void>;
  heartbeat(probe: ProbeResult): Promise<void>;
  closed(): void;
}

export interface ExtractRequest {
  sisKind: string;
  entity: string;
  params: Record<string, NativeValue>;
  batchSize: number;
  /** Optional native names absent from the SIS schema (the agent builds its own query without them). */
  absent?: string[];
}

const CODES = new Set<string>(Object.values(ConnectorErrorCode));

/** WebSocket close code for a protocol violation (RFC 6455 1008: policy violation). */
export const CLOSE_VIOLATION = 1008;

interface Stream {
  queue: AsyncQueue<StreamItem>;
  batchSize: number;
  lastSeq: number;
}

/** One connected agent: routes its frames, serialises its heartbeats, multiplexes extract streams. */
export class AgentSession {
  private readonly logger = new Logger(AgentSession.name);
  private readonly streams = new Map<string, Stream>();
  private work: Promise<void> = Promise.resolve();
  private frames: Promise<void> = Promise.resolve();
  private pendingBytes = 0;
  private open = true;

  constructor(
    readonly agentId: string,
    readonly agentName: string,
    private readonly ws: WebSocket,
    private readonly handlers: AgentSessionHandlers,
  ) {
    // Frames are handled strictly in arrival order: a batch still being decompressed must not be overtaken by its 'end'.
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.pendingBytes += buf.length;
      if (this.pendingBytes > AGENT_LIMITS.maxPendingBytes) {
        this.violation(new AgentProtocolViolation('too many undecoded frames (flooding)'));
        return;
      }
      this.frames = this.frames.then(async () => {
        try {
          if (this.open) await this.onFrame(buf, isBinary);
        } finally {
          this.pendingBytes -= buf.length;
        }
      });
    });
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => this.logger.warn(`agent ${agentName}: ${err.message}`));
  }

  get connected(): boolean {
    return this.open;
  }

  send(m: ServerMessage): void {
    if (this.open) this.ws.send(encodeMessage(m));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /**
   * Rows of one connector entity, run by the agent. Each batch is acknowledged when the consumer asks for
   * the next one, and the agent keeps only a small window of unacknowledged batches: end-to-end back-pressure.
   */
  async *extract(req: ExtractRequest): AsyncGenerator<NativeRow[]> {
    if (!this.open)
      throw new ConnectorException(
        ConnectorErrorCode.UNREACHABLE,
        this.agentName,
        'the agent is not connected',
      );
    const requestId = randomUUID();
    const queue = new AsyncQueue<StreamItem>();
    this.streams.set(requestId, { queue, batchSize: req.batchSize, lastSeq: 0 });
    let finished = false;
    try {
      this.send({ type: 'extract', requestId, ...req });
      for (;;) {
        const item = await queue.next();
        if (item.kind === 'end') {
          finished = true;
          return;
        }
        if (item.kind === 'error') {
          finished = true;
          const code = CODES.has(item.code) ? (item.code as ConnectorErrorCode) : ConnectorErrorCode.UNKNOWN;
          throw new ConnectorException(
            code,
            this.agentName,
            `agent extract of ${req.entity} failed: ${item.message}`,
            item.code,
          );
        }
        yield item.rows;
        this.send({ type: 'ack', requestId, seq: item.seq });
      }
    } finally {
      this.streams.delete(requestId);
      if (!finished) this.send({ type: 'cancel', requestId });
    }
  }

  private async onFrame(buf: Buffer, isBinary: boolean): Promise<void> {
    try {
      if (isBinary) {
        const b = await decodeBatch(buf, (h) => this.admit(h));
        const stream = this.streams.get(b.requestId);
        if (!stream) return; // cancelled while it was being decoded
        stream.lastSeq = b.seq;
        stream.queue.push({ kind: 'batch', seq: b.seq, rows: b.rows });
        return;
      }
      if (buf.length > AGENT_LIMITS.maxTextFrameBytes) {
        throw new AgentProtocolViolation(`text frame over ${AGENT_LIMITS.maxTextFrameBytes} bytes`);
      }
      const m = parseAgentMessage(buf.toString('utf8'));
      if (!m) return;
      switch (m.type) {
        case 'hello':
          this.serial(() => this.handlers.hello(m));
          break;
        case 'heartbeat':
          this.serial(() => this.handlers.heartbeat(m.probe));
          break;
        case 'end':
          this.streams.get(m.requestId)?.queue.push({ kind: 'end', rows: m.rows });
          break;
        case 'error':
          this.streams
            .get(m.requestId)
            ?.queue.push({ kind: 'error', code: m.code, message: m.message.slice(0, 2000) });
          break;
      }
    } catch (err) {
      if (err instanceof AgentProtocolViolation) this.violation(err);
      else this.logger.warn(`agent ${this.agentName}: bad frame: ${errorText(err)}`);
    }
  }

  /** A batch's header, checked before its rows are inflated: a live request, the next sequence, room in its buffer. */
  private admit(h: BatchHeader): { maxRows: number } {
    const stream = this.streams.get(h.requestId);
    if (!stream) throw new AgentProtocolViolation(`batch for an unknown request ${h.requestId.slice(0, 64)}`);
    if (h.seq <= stream.lastSeq) {
      throw new AgentProtocolViolation(
        `batch ${h.seq} repeats or precedes batch ${stream.lastSeq}`,
        h.requestId,
      );
    }
    if (stream.queue.size >= AGENT_LIMITS.maxBufferedBatches) {
      throw new AgentProtocolViolation('batches sent without waiting for acknowledgements', h.requestId);
    }
    return { maxRows: stream.batchSize };
  }

  /** The agent broke the protocol: its request fails with the reason, and the session is closed. */
  private violation(err: AgentProtocolViolation): void {
    this.logger.warn(`agent ${this.agentName}: protocol violation, disconnecting: ${err.message}`);
    const stream = err.requestId ? this.streams.get(err.requestId) : undefined;
    stream?.queue.push({
      kind: 'error',
      code: ConnectorErrorCode.QUERY_FAILED,
      message: `protocol violation: ${err.message}`,
    });
    if (this.open) this.ws.close(CLOSE_VIOLATION, 'protocol violation');
  }

  /** Heartbeats of one agent are applied in order, never concurrently. */
  private serial(job: () => Promise<void>): void {
    this.work = this.work.then(job).catch((err: unknown) => {
      this.logger.error(`agent ${this.agentName}: ${errorText(err)}`);
    });
  }

  private onClose(): void {
    this.open = false;
    for (const { queue } of this.streams.values())
      queue.push({ kind: 'error', code: ConnectorErrorCode.UNREACHABLE, message: 'the agent disconnected' });
    this.handlers.closed();
  }
}
