import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import type { NativeRow } from 'connectors/sdk/connector.types';
import { errorText } from 'src/common/error-text.util';
import type { AgentMessage, BatchFrame, ServerMessage } from 'src/agent-gateway/agent-protocol.types';

const gzipAsync = promisify(gzip);

/** Limits of the agent protocol: what one frame, one batch and one session may cost the server. */
export const AGENT_LIMITS = {
  /** Compressed size of one WebSocket frame (ws `maxPayload`: a larger frame closes the connection, 1009). */
  maxFrameBytes: 16 * 1024 * 1024,
  /** Text frames (hello, heartbeat, end, error) are small. */
  maxTextFrameBytes: 64 * 1024,
  /** Uncompressed size of one batch: decompression stops there (a gzip bomb costs at most this). */
  maxBatchBytes: 32 * 1024 * 1024,
  /** The header line must come within this many uncompressed bytes. */
  maxHeaderBytes: 1024,
  /** Frames received but not yet decoded, per session; beyond it the agent is flooding and is disconnected. */
  maxPendingBytes: 64 * 1024 * 1024,
  /** Decoded batches a stream may hold before its consumer asked for them (the agent keeps a window of 2). */
  maxBufferedBatches: 8,
  /** Heartbeat intervals an agent may announce. */
  minHeartbeatMs: 100,
  maxHeartbeatMs: 5 * 60_000,
} as const;

/** The interval the server holds an agent to, whatever it announced (2147483647 would keep it UP for weeks). */
export function clampHeartbeatMs(announced: number): number {
  if (!Number.isFinite(announced)) return AGENT_LIMITS.maxHeartbeatMs;
  return Math.min(AGENT_LIMITS.maxHeartbeatMs, Math.max(AGENT_LIMITS.minHeartbeatMs, Math.round(announced)));
}

/** A frame that breaks the protocol (forged, oversized, inconsistent): the session is closed, 1008. */
export class AgentProtocolViolation extends Error {
  constructor(
    message: string,
    /** The request the frame claimed to belong to, when its header was read. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'AgentProtocolViolation';
  }
}

export interface BatchHeader {
  requestId: string;
  seq: number;
  count: number;
}

/** Checks a batch's header before its rows are decompressed further; throws to refuse the batch. */
export type BatchAdmission = (header: BatchHeader) => { maxRows: number };

/** Dates survive the trip as `{"$date": iso}` (JSON would turn them into indistinguishable strings). */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const d = (value as { $date?: unknown }).$date;
    if (typeof d === 'string' && Object.keys(value).length === 1) return new Date(d);
  }
  return value;
}

/** A batch as one binary frame: gzip of JSON lines, the first line a header. */
export async function encodeBatch(b: BatchFrame): Promise<Buffer> {
  const lines = [JSON.stringify({ requestId: b.requestId, seq: b.seq, count: b.rows.length })];
  for (const row of b.rows) lines.push(JSON.stringify(row, replacer));
  return gzipAsync(Buffer.from(lines.join('\n'), 'utf8'));
}

function parseHeader(line: Buffer): BatchHeader {
  let h: unknown;
  try {
    h = JSON.parse(line.toString('utf8'));
  } catch {
    throw new AgentProtocolViolation('batch header is not JSON');
  }
  const o = (h ?? {}) as Record<string, unknown>;
  if (
    typeof o.requestId !== 'string' ||
    !Number.isSafeInteger(o.seq) ||
    !Number.isSafeInteger(o.count) ||
    (o.count as number) < 0
  ) {
    throw new AgentProtocolViolation('batch header needs requestId, seq and count');
  }
  return { requestId: o.requestId, seq: o.seq as number, count: o.count as number };
}

/**
 * Decompresses a batch with a cap on its output, reading the header line first: `admit` checks the request id,
 * sequence and row count before the rest is inflated, and inflation stops at {@link AGENT_LIMITS.maxBatchBytes}.
 * Rows are counted before any is parsed.
 */
export async function decodeBatch(
  frame: Buffer,
  admit: BatchAdmission = () => ({ maxRows: Number.MAX_SAFE_INTEGER }),
): Promise<BatchFrame> {
  const { header, body } = await inflateBounded(frame, admit);
  if (countLines(body, header.count + 1) !== header.count) {
    throw new AgentProtocolViolation(
      `batch ${header.seq} does not carry the ${header.count} rows it announced`,
      header.requestId,
    );
  }
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  if (lines.length !== header.count) {
    throw new AgentProtocolViolation(
      `batch ${header.seq} announced ${header.count} rows but carried ${lines.length}`,
      header.requestId,
    );
  }
  const rows = lines.map((l) => {
    try {
      return JSON.parse(l, reviver) as NativeRow;
    } catch {
      throw new AgentProtocolViolation(`batch ${header.seq}: a row is not JSON`, header.requestId);
    }
  });
  return { requestId: header.requestId, seq: header.seq, rows };
}

/** Non-empty lines of `body`, counted without splitting it, stopping at `stopAt`. */
function countLines(body: Buffer, stopAt: number): number {
  let n = 0;
  let start = 0;
  while (start < body.length && n < stopAt) {
    const nl = body.indexOf(0x0a, start);
    const end = nl < 0 ? body.length : nl;
    if (end > start) n += 1;
    start = end + 1;
  }
  return n;
}

/** Parses and admits the header line. */
function admitHeader(line: Buffer, admit: BatchAdmission): BatchHeader {
  const header = parseHeader(line);
  const { maxRows } = admit(header);
  if (header.count > maxRows) {
    throw new AgentProtocolViolation(
      `batch ${header.seq} announces ${header.count} rows, more than the ${maxRows} asked for`,
      header.requestId,
    );
  }
  return header;
}

function asViolation(err: unknown, requestId?: string): AgentProtocolViolation {
  if (err instanceof AgentProtocolViolation) return err;
  return new AgentProtocolViolation(`batch: ${errorText(err)}`, requestId);
}

/** Streams the gunzip output, stopping at the byte cap; the header is admitted as soon as its line is complete. */
function inflateBounded(
  frame: Buffer,
  admit: BatchAdmission,
): Promise<{ header: BatchHeader; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    let header: BatchHeader | null = null;
    let bodyStart = 0;
    let done = false;
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      gunzip.destroy();
      reject(asViolation(err, header?.requestId));
    };
    const tryHeader = (final: boolean): void => {
      const head = Buffer.concat(chunks);
      const nl = head.indexOf(0x0a);
      if (nl < 0 && !final && head.length <= AGENT_LIMITS.maxHeaderBytes) return;
      const end = nl < 0 ? head.length : nl;
      if (end > AGENT_LIMITS.maxHeaderBytes)
        throw new AgentProtocolViolation('batch header line is too long');
      header = admitHeader(head.subarray(0, end), admit);
      bodyStart = nl < 0 ? head.length : nl + 1;
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      try {
        if (size > AGENT_LIMITS.maxBatchBytes) {
          throw new AgentProtocolViolation(
            `batch exceeds ${AGENT_LIMITS.maxBatchBytes} bytes uncompressed`,
            header?.requestId,
          );
        }
        if (!header) tryHeader(false);
      } catch (err) {
        fail(err);
      }
    });
    gunzip.on('error', fail);
    gunzip.on('end', () => {
      if (done) return;
      try {
        if (!header) tryHeader(true);
      } catch (err) {
        fail(err);
        return;
      }
      done = true;
      const found = header as BatchHeader | null;
      if (!found) return reject(new AgentProtocolViolation('batch has no header'));
      resolve({ header: found, body: Buffer.concat(chunks).subarray(bodyStart) });
    });
    gunzip.end(frame);
  });
}

export function encodeMessage(m: AgentMessage | ServerMessage): string {
  return JSON.stringify(m, replacer);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text, reviver);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Validates an agent's text frame; anything malformed is null (and dropped). */
export function parseAgentMessage(text: string): AgentMessage | null {
  const m = parseObject(text);
  if (!m) return null;
  switch (m.type) {
    case 'hello':
      return str(m.version) &&
        str(m.hostname) &&
        str(m.sisKind) &&
        num(m.heartbeatIntervalMs) &&
        num(m.protocol)
        ? (m as AgentMessage)
        : null;
    case 'heartbeat': {
      const p = m.probe as Record<string, unknown> | undefined;
      return p && typeof p.ok === 'boolean' && num(p.latencyMs) ? (m as AgentMessage) : null;
    }
    case 'end':
      return str(m.requestId) && num(m.rows) && num(m.batches) ? (m as AgentMessage) : null;
    case 'error':
      return str(m.requestId) && str(m.code) && str(m.message) ? (m as AgentMessage) : null;
    default:
      return null;
  }
}

export function parseServerMessage(text: string): ServerMessage | null {
  const m = parseObject(text);
  if (!m) return null;
  switch (m.type) {
    case 'welcome':
      return str(m.agentId) && str(m.districtId) ? (m as ServerMessage) : null;
    case 'extract':
      return str(m.requestId) &&
        str(m.sisKind) &&
        str(m.entity) &&
        num(m.batchSize) &&
        m.params !== null &&
        typeof m.params === 'object' &&
        (m.absent === undefined || (Array.isArray(m.absent) && m.absent.every((n) => typeof n === 'string')))
        ? (m as ServerMessage)
        : null;
    case 'ack':
      return str(m.requestId) && num(m.seq) ? (m as ServerMessage) : null;
    case 'cancel':
      return str(m.requestId) ? (m as ServerMessage) : null;
    default:
      return null;
  }
}
