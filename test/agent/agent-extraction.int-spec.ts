import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { CONNECTORS, getConnector } from 'connectors/index';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { AgentGatewayService } from 'src/agent-gateway/agent-gateway.service';
import { AgentRowSource } from 'src/agent-gateway/agent-row-source';
import { runAgent, type AgentHandle } from 'src/agent/agent.main';
import { LinksRepository } from 'src/districts/links.repository';
import { DriverRowSource } from 'src/extraction/driver-row-source.adapter';
import { AgentRelayWorker } from 'src/agent-gateway/agent-relay.worker';
import { DriverExtractorAdapter } from 'src/runs/driver-extractor.adapter';
import { extractSnapshot } from 'src/extraction/extraction.service';
import type { RowSource } from 'src/extraction/extraction.types';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { waitFor } from 'test/notifications/support/smtp-capture';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };
const quiet = { info: () => undefined, warn: () => undefined };
/** Full service instances (agent gateway, runs API and relay) without run workers or the nightly scheduler. */
const INSTANCE_ENV = {
  LOG_LEVEL: process.env.DEBUG_RELAY ? 'info' : 'silent',
  MAIL_CHANNEL: 'none',
  ALERT_TICK_MS: '200',
  RUN_WORKERS: 'off',
  RUN_SCHEDULER: 'off',
  AGENT_RELAY_POLL_MS: '100',
  AGENT_RELAY_CLAIM_TIMEOUT_MS: '1500',
  AGENT_RELAY_LEASE_MS: '2000',
};

describe('extraction through an on-prem agent', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let support: TestUser;
  let serverUrl: string;
  let agent: AgentHandle | null = null;
  let agentId: string;
  let token: string;
  let districtId: string;
  let linkId: string;

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    await generateDistrict(replica.url, {
      sis: 'aeries',
      students: 300,
      seed: 'agent-extract',
      ...YEAR,
      defects: 'all',
    });
    t = await createTestApp(INSTANCE_ENV);
    await t.app.listen(0, '127.0.0.1');
    serverUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    support = await t.user('support', null);
    districtId = (await factory.district(t.db.pool)).id;
    linkId = (await factory.link(t.db.pool, districtId, { sis_kind: 'aeries', transport: 'agent' })).id;
    const res = await t.http
      .post(`/api/districts/${districtId}/agents`)
      .set('Authorization', `Bearer ${support.token}`)
      .send({ name: 'office server' })
      .expect(201);
    ({ token } = res.body as { token: string });
    agentId = (res.body as { agent: { id: string } }).agent.id;
    await t.db.pool.query(`UPDATE sis_links SET agent_id = $2 WHERE id = $1`, [linkId, agentId]);
    const u = new URL(replica.url);
    agent = runAgent({
      server: serverUrl,
      token,
      connector: getConnector,
      log: quiet,
      config: {
        sisKind: 'aeries',
        connection: {
          driver: 'pg',
          host: u.hostname,
          port: Number(u.port || 5432),
          database: u.pathname.slice(1),
          user: u.username,
        },
        heartbeatIntervalMs: 200,
        reconnect: { baseMs: 50, capMs: 300 },
        maxInFlightBatches: 1,
      },
    });
    await agent.firstConnection;
  });

  afterAll(async () => {
    await agent?.stop();
    await t?.close();
    await replica?.drop();
  });

  async function snapshotOf(rows: RowSource): Promise<{ id: string; totals: Record<string, number> }> {
    const id = await factory.snapshot(t.db.pool, districtId, linkId, {
      sisKind: 'aeries',
      ...YEAR,
      status: 'extracting',
    });
    const report = await extractSnapshot({
      pool: t.db.pool,
      snapshotId: id,
      connector: CONNECTORS.aeries,
      rows,
      codeMaps: CONNECTORS.aeries.defaultCodeMaps,
      ...YEAR,
    });
    return { id, totals: Object.fromEntries(report.entities.map((e) => [e.entity, e.rows])) };
  }

  async function checksums(snapshotId: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const entity of CANONICAL_ENTITIES) {
      const { rows } = await t.db.pool.query<{ n: number; sum: string | null }>(
        `SELECT count(*)::int AS n, md5(string_agg((to_jsonb(s) - 'snapshot_id')::text, '|' ORDER BY row_no)) AS sum
           FROM snap_${entity} s WHERE snapshot_id = $1`,
        [snapshotId],
      );
      out[entity] = `${rows[0].n}:${rows[0].sum ?? ''}`;
    }
    return out;
  }

  it('produces the same snapshot (counts and checksums) as a direct link on the same replica', async () => {
    const u = new URL(replica.url);
    const driver = new PgDriver({
      linkName: 'direct',
      host: u.hostname,
      port: Number(u.port || 5432),
      user: u.username,
      database: u.pathname.slice(1),
    });
    const direct = await snapshotOf(new DriverRowSource(driver, { batchSize: 500 })).finally(() =>
      driver.close(),
    );
    const gateway = t.app.get(AgentGatewayService);
    const viaAgent = await snapshotOf(new AgentRowSource(gateway, agentId, 'aeries', 37));

    expect(viaAgent.totals).toEqual(direct.totals);
    expect(direct.totals.student).toBeGreaterThanOrEqual(300);
    const [a, b] = [await checksums(direct.id), await checksums(viaAgent.id)];
    expect(b).toEqual(a);
    expect(Number(a.enrollment.split(':')[0])).toBeGreaterThan(300);
  });

  it('extracts an agent link from another service instance through the relay, with the same snapshot as a direct link', async () => {
    // Instance B shares A's database; the agent is connected to A only.
    const b = await createTestApp(INSTANCE_ENV, t.db);
    try {
      const link = await b.app.get(LinksRepository).findById(linkId);
      if (!link) throw new Error('link not found');
      const snapshotId = await factory.snapshot(t.db.pool, districtId, linkId, {
        sisKind: 'aeries',
        ...YEAR,
        status: 'extracting',
      });
      const progress: number[] = [];
      const report = await b.app.get(DriverExtractorAdapter).extract({
        runId: randomUUID(),
        districtId,
        link,
        snapshotId,
        ...YEAR,
        onProgress: (fraction) => progress.push(fraction),
      });

      const u = new URL(replica.url);
      const driver = new PgDriver({
        linkName: 'direct',
        host: u.hostname,
        port: Number(u.port || 5432),
        user: u.username,
        database: u.pathname.slice(1),
      });
      const direct = await snapshotOf(new DriverRowSource(driver, { batchSize: 500 })).finally(() =>
        driver.close(),
      );
      expect(report.entities).toEqual(direct.totals);
      expect(await checksums(snapshotId)).toEqual(await checksums(direct.id));
      const { rows } = await t.db.pool.query<{ status: string; claimed_by: string; attempts: number }>(
        `SELECT status, claimed_by, attempts FROM agent_extract_requests WHERE snapshot_id = $1`,
        [snapshotId],
      );
      expect(rows[0]).toEqual({
        status: 'done',
        claimed_by: t.app.get(AgentRelayWorker).instanceId,
        attempts: 1,
      });
      expect(progress.length).toBeGreaterThan(0);
    } finally {
      await b.close();
    }
  });

  it('fails an agent link as unreachable when its agent is connected to no instance', async () => {
    const created = await t.http
      .post(`/api/districts/${districtId}/agents`)
      .set('Authorization', `Bearer ${support.token}`)
      .send({ name: 'unplugged' })
      .expect(201);
    const otherLink = (
      await factory.link(t.db.pool, districtId, { sis_kind: 'aeries', transport: 'agent', role: 'new' })
    ).id;
    await t.db.pool.query(`UPDATE sis_links SET agent_id = $2 WHERE id = $1`, [
      otherLink,
      (created.body as { agent: { id: string } }).agent.id,
    ]);
    const link = await t.app.get(LinksRepository).findById(otherLink);
    if (!link) throw new Error('link not found');
    const snapshotId = await factory.snapshot(t.db.pool, districtId, otherLink, {
      sisKind: 'aeries',
      ...YEAR,
      status: 'extracting',
    });
    const attempt = t.app
      .get(DriverExtractorAdapter)
      .extract({ runId: randomUUID(), districtId, link, snapshotId, ...YEAR, onProgress: () => undefined });
    await expect(attempt).rejects.toMatchObject({
      code: ConnectorErrorCode.UNREACHABLE,
      message: expect.stringContaining('not connected to any service instance'),
    });
    const { rows } = await t.db.pool.query<{ status: string }>(
      `SELECT status FROM agent_extract_requests WHERE snapshot_id = $1`,
      [snapshotId],
    );
    expect(rows[0].status).toBe('failed');
  });

  it('marks the agent and its link UP from heartbeats carrying the agent’s own database probe', async () => {
    await waitFor(
      'agent UP',
      async () =>
        (
          await t.db.pool.query(`SELECT 1 FROM agents WHERE id = $1 AND state = 'UP' AND last_probe_ok`, [
            agentId,
          ])
        ).rowCount === 1,
    );
    await waitFor(
      'link UP',
      async () =>
        (await t.db.pool.query(`SELECT 1 FROM link_health WHERE link_id = $1 AND state = 'UP'`, [linkId]))
          .rowCount === 1,
    );
    const list = await t.http
      .get(`/api/districts/${districtId}/agents`)
      .set('Authorization', `Bearer ${support.token}`)
      .expect(200);
    expect(
      (list.body as Array<{ state: string; connected: boolean; version: string; tokenPrefix: string }>)[0],
    ).toMatchObject({
      state: 'UP',
      connected: true,
      version: '0.1.0',
      tokenPrefix: token.slice(0, 12),
    });
  });

  it('refuses an entity the connector does not define (the server never sends SQL)', async () => {
    const gateway = t.app.get(AgentGatewayService);
    const rows = gateway.extract(agentId, {
      sisKind: 'aeries',
      entity: 'attendance; DROP TABLE stu',
      params: YEAR,
      batchSize: 10,
    });
    await expect(
      (async () => {
        for await (const _ of rows) return;
      })(),
    ).rejects.toThrow(/has no entity/);
    await expect(
      (async () => {
        for await (const _ of gateway.extract(agentId, {
          sisKind: 'powerschool',
          entity: 'student',
          params: YEAR,
          batchSize: 10,
        }))
          return;
      })(),
    ).rejects.toBeInstanceOf(ConnectorException);
  });

  it('reconnects by itself after the connection drops', async () => {
    const gateway = t.app.get(AgentGatewayService);
    gateway.disconnect(agentId, 'test drop');
    await waitFor('disconnect seen', () => !gateway.isConnected(agentId), 5_000, 5).catch(() => true);
    await waitFor('reconnected', () => gateway.isConnected(agentId) && agent?.connected === true, 300_000);
  });

  it('rejects an unknown or revoked token at the handshake (401)', async () => {
    const status = (bearer: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`${serverUrl.replace('http', 'ws')}/api/agent/connect`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => undefined);
      });
    expect(await status('sisa_not-a-real-token')).toBe(401);
    const rotated = await t.http
      .post(`/api/districts/${districtId}/agents/${agentId}/rotate`)
      .set('Authorization', `Bearer ${support.token}`)
      .expect(200);
    expect(await status(token)).toBe(401);
    const fresh = (rotated.body as { token: string }).token;
    expect(await status(fresh)).toBe(101);
    await t.http
      .post(`/api/districts/${districtId}/agents/${agentId}/revoke`)
      .set('Authorization', `Bearer ${support.token}`)
      .expect(200);
    expect(await status(fresh)).toBe(401);
  });
});
