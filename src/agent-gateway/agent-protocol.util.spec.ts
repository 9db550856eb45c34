import { gzipSync } from 'node:zlib';
import type { NativeRow } from 'connectors/sdk/connector.types';
import {
  AGENT_LIMITS,
  AgentProtocolViolation,
  clampHeartbeatMs,
  decodeBatch,
  encodeBatch,
} from 'src/agent-gateway/agent-protocol.util';

const frame = (header: unknown, body: string | Buffer): Buffer =>
  gzipSync(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), Buffer.from(body)]));

async function refusal(p: Promise<unknown>): Promise<AgentProtocolViolation> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentProtocolViolation);
  return err as AgentProtocolViolation;
}

describe('agent batch frames', () => {
  it('round-trips rows, dates included', async () => {
    const rows: NativeRow[] = [
      { id: 1, name: 'a', at: new Date('2026-01-02T03:04:05Z') },
      { id: 2, name: null, at: null },
    ];
    const decoded = await decodeBatch(await encodeBatch({ requestId: 'r1', seq: 1, rows }));
    expect(decoded).toEqual({ requestId: 'r1', seq: 1, rows });
  });

  // Issue 12 hole 2: one 154 KB gzip frame used to inflate without limit and exhaust the heap.
  it('stops inflating a decompression bomb at the byte cap', async () => {
    const bomb = frame(
      { requestId: 'r1', seq: 1, count: 1 },
      Buffer.alloc(AGENT_LIMITS.maxBatchBytes + 1024, 0x61),
    );
    expect(bomb.length).toBeLessThan(200_000);
    const err = await refusal(decodeBatch(bomb));
    expect(err.message).toContain('bytes uncompressed');
    expect(err.requestId).toBe('r1');
  });

  it('checks the header before inflating the rest: an unknown request is refused, not inflated', async () => {
    const bomb = frame(
      { requestId: 'forged', seq: 1, count: 1 },
      Buffer.alloc(AGENT_LIMITS.maxBatchBytes + 1024, 0x61),
    );
    const seen: string[] = [];
    const err = await refusal(
      decodeBatch(bomb, (h) => {
        seen.push(h.requestId);
        throw new AgentProtocolViolation('batch for an unknown request');
      }),
    );
    expect(seen).toEqual(['forged']);
    expect(err.message).toBe('batch for an unknown request');
  });

  it('refuses more rows than asked for, before parsing any', async () => {
    const err = await refusal(
      decodeBatch(frame({ requestId: 'r1', seq: 1, count: 5000 }, '{}\n'.repeat(5000)), () => ({
        maxRows: 100,
      })),
    );
    expect(err.message).toContain('more than the 100 asked for');
  });

  it('refuses a batch whose rows do not match its header, a bad header and rows that are not JSON', async () => {
    expect(
      (await refusal(decodeBatch(frame({ requestId: 'r', seq: 1, count: 1 }, '{}\n{}\n{}\n')))).message,
    ).toContain('does not carry the 1 rows');
    expect((await refusal(decodeBatch(frame({ seq: 1 }, '{}\n')))).message).toContain('needs requestId');
    expect((await refusal(decodeBatch(gzipSync('x'.repeat(5000))))).message).toContain(
      'header line is too long',
    );
    expect(
      (await refusal(decodeBatch(frame({ requestId: 'r', seq: 1, count: 1 }, '{nope\n')))).message,
    ).toContain('not JSON');
    expect((await refusal(decodeBatch(Buffer.from('not gzip at all')))).message).toContain('batch:');
  });
});

describe('heartbeat interval', () => {
  // Issue 12 hole 11: 2147483647 ms kept a silent agent UP for months.
  it('is clamped to [100 ms, 5 min]', () => {
    expect(clampHeartbeatMs(2147483647)).toBe(300_000);
    expect(clampHeartbeatMs(1)).toBe(100);
    expect(clampHeartbeatMs(15_000)).toBe(15_000);
    expect(clampHeartbeatMs(Number.NaN)).toBe(300_000);
  });
});
