import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { NativeRow } from 'connectors/sdk/connector.types';
import type { AgentMessage, BatchFrame, ServerMessage } from 'src/agent-gateway/agent-protocol.types';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

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

export async function decodeBatch(frame: Buffer): Promise<BatchFrame> {
  const text = (await gunzipAsync(frame)).toString('utf8');
  const lines = text.split('\n');
  const header = JSON.parse(lines[0]) as { requestId: string; seq: number; count: number };
  const rows = lines
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l, reviver) as NativeRow);
  if (rows.length !== header.count)
    throw new Error(`batch ${header.seq} announced ${header.count} rows but carried ${rows.length}`);
  return { requestId: header.requestId, seq: header.seq, rows };
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
        typeof m.params === 'object'
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
