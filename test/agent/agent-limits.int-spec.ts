import { errorText } from 'src/common/error-text.util';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import type { NativeRow } from 'connectors/sdk/connector.types';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { AGENT_CONNECT_PATH, AGENT_PROTOCOL_VERSION } from 'src/agent-gateway/agent-protocol.types';
import { AGENT_LIMITS, encodeBatch } from 'src/agent-gateway/agent-protocol.util';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { waitFor } from 'test/notifications/support/smtp-capture';

const ENV = { MAIL_CHANNEL: 'none', RUN_WORKERS: 'off', RUN_SCHEDULER: 'off' };

/** An agent speaking the protocol by hand, so it can also break it. */
class FakeAgent {
  readonly ws: WebSocket;
  readonly extracts: Array<{ requestId: string; batchSize: number }> = [];
  closeCode: number | null = null;
  readonly opened: Promise<void>;

  constructor(url: string, token: string, heartbeatIntervalMs = 1_000) {
    this.ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(String(data)) as { type: string; requestId: string; batchSize: number };
      if (m.type === 'extract') this.extracts.push({ requestId: m.requestId, batchSize: m.batchSize });
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
    this.ws.on('error', () => undefined);
    this.opened = new Promise<void>((resolve) => this.ws.once('open', () => resolve())).then(() =>
      this.ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: AGENT_PROTOCOL_VERSION,
          version: 'fake',
          hostname: 'fake-host',
          sisKind: 'aeries',
          heartbeatIntervalMs,
        }),
      ),
    );
  }

  async nextExtract(): Promise<{ requestId: string; batchSize: number }> {
    return waitFor('an extract request', () => this.extracts.shift());
  }

  closed(): Promise<number> {
    return waitFor('the server to close the agent connection', () => this.closeCode);
  }
}

/**
 * Issue 12 hole 2: a decompression bomb, oversized and forged frames from one district's agent cost the server
 * a bounded amount of memory, fail only that agent's request and session, and the service keeps serving every
 * other district. Hole 11: an announced heartbeat interval is clamped.
 */
describe('agent protocol limits', () => {
  let t: TestApp;
  let wsUrl: string;
  let gateway: AgentGatewayService;
  const agents: Record<'a' | 'b', { id: string; token: string }> = {} as never;
  const open: FakeAgent[] = [];

  const connect = async (who: 'a' | 'b', heartbeatMs?: number): Promise<FakeAgent> => {
    const agent = new FakeAgent(wsUrl, agents[who].token, heartbeatMs);
    open.push(agent);
    await agent.opened;
    await waitFor('the session', () => gateway.isConnected(agents[who].id));
    return agent;
  };
  const collect = async (agentId: string): Promise<NativeRow[]> => {
    const out: NativeRow[] = [];
    for await (const rows of gateway.extract(agentId, {
      sisKind: 'aeries',
      entity: 'stu',
      params: {},
      batchSize: 100,
    }))
      out.push(...rows);
    return out;
  };
  const failure = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'no failure',
      (e: unknown) => errorText(e),
    );
  const healthyB = async (): Promise<void> => {
    const b = await connect('b');
    const rows = collect(agents.b.id);
    const { requestId } = await b.nextExtract();
    b.ws.send(await encodeBatch({ requestId, seq: 1, rows: [{ id: 1 }, { id: 2 }] }), { binary: true });
    b.ws.send(JSON.stringify({ type: 'end', requestId, rows: 2, batches: 1 }));
    expect(await rows).toEqual([{ id: 1 }, { id: 2 }]);
    await t.http.get('/health').expect(200);
  };

  beforeAll(async () => {
    t = await createTestApp(ENV);
    await t.app.listen(0, '127.0.0.1');
    wsUrl = `ws://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}${AGENT_CONNECT_PATH}`;
    gateway = t.app.get(AgentGatewayService);
    const support = await t.user('support', null);
    for (const who of ['a', 'b'] as const) {
      const districtId = (await factory.district(t.db.pool)).id;
      const res = await t.http
        .post(`/api/districts/${districtId}/agents`)
        .set('Authorization', `Bearer ${support.token}`)
        .send({ name: `agent ${who}` })
        .expect(201);
      agents[who] = {
        id: (res.body as { agent: { id: string } }).agent.id,
        token: (res.body as { token: string }).token,
      };
    }
  });

  afterAll(async () => {
    for (const a of open) a.ws.terminate();
    await t.close();
  });

  it('clamps an announced heartbeat interval of 2147483647 ms to 5 minutes', async () => {
    await connect('a', 2147483647);
    const row = await waitFor('the hello to be recorded', async () => {
      const { rows } = await t.db.pool.query<{ ms: number }>(
        `SELECT heartbeat_interval_ms AS ms FROM agents WHERE id = $1 AND hostname = 'fake-host'`,
        [agents.a.id],
      );
      return rows[0];
    });
    expect(Number(row.ms)).toBe(300_000);
  });

  it('survives a decompression bomb: only that request fails, the agent is disconnected, others are served', async () => {
    const a = await connect('a');
    const rows = failure(collect(agents.a.id));
    const { requestId } = await a.nextExtract();
    const header = Buffer.from(`${JSON.stringify({ requestId, seq: 1, count: 1 })}\n`);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(200 * 1024 * 1024, 0x20)]), { level: 9 });
    expect(bomb.length).toBeLessThan(300 * 1024);
    a.ws.send(bomb, { binary: true });
    expect(await rows).toContain('protocol violation: batch exceeds');
    expect(await a.closed()).toBe(1008);
    await healthyB();
  });

  it('refuses forged frames: an unknown request id, a replayed sequence, more rows than asked for', async () => {
    const forged = await connect('a');
    forged.ws.send(await encodeBatch({ requestId: 'not-a-request', seq: 1, rows: [{ id: 1 }] }), {
      binary: true,
    });
    expect(await forged.closed()).toBe(1008);

    const replay = await connect('a');
    const replayed = failure(collect(agents.a.id));
    const r1 = await replay.nextExtract();
    const batch = await encodeBatch({ requestId: r1.requestId, seq: 1, rows: [{ id: 1 }] });
    replay.ws.send(batch, { binary: true });
    replay.ws.send(batch, { binary: true });
    expect(await replayed).toContain('protocol violation: batch 1 repeats');

    const greedy = await connect('a');
    const tooMany = failure(collect(agents.a.id));
    const r2 = await greedy.nextExtract();
    const rowsOver = Array.from({ length: r2.batchSize + 1 }, (_, i) => ({ id: i }));
    greedy.ws.send(await encodeBatch({ requestId: r2.requestId, seq: 1, rows: rowsOver }), { binary: true });
    expect(await tooMany).toContain(`more than the ${r2.batchSize} asked for`);
    await healthyB();
  });

  it('closes a connection that sends a frame over the size limit (1009) and stays up', async () => {
    const a = await connect('a');
    a.ws.send(Buffer.alloc(AGENT_LIMITS.maxFrameBytes + 1, 1), { binary: true });
    expect(await a.closed()).toBe(1009);
    await healthyB();
  });
});
