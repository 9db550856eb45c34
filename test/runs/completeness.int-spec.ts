import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { getConnector } from 'connectors/index';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { runAgent, type AgentHandle } from 'src/agent/agent.main';
import { CliContext } from 'src/cli/cli-context';
import { bindAgentCommand } from 'src/cli/commands/link.command';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun, type RunRow } from 'test/runs/run-fixtures';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };
const quiet = { info: () => undefined, warn: () => undefined };

/**
 * The completeness guard through the API and real runs (an in-process worker on pg-boss): a run whose agent
 * answers no rows fails instead of being certified done, as does one whose students shrink past the
 * district's share; the share is a district setting. Agents are bound to links through the API and the CLI.
 */
describe('completeness guard and agent binding', () => {
  let t: TestApp;
  let agentReplica: TestDatabase;
  let directReplica: TestDatabase;
  let support: TestUser;
  let agent: AgentHandle | null = null;
  let cli: CliContext | null = null;

  beforeAll(async () => {
    [agentReplica, directReplica] = await Promise.all([
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
    ]);
    for (const [replica, seed] of [
      [agentReplica, 'complete-agent'],
      [directReplica, 'complete-direct'],
    ] as const) {
      await generateDistrict(replica.url, { sis: 'aeries', students: 150, seed, ...YEAR });
    }
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      MAIL_CHANNEL: 'none',
      RUN_WORKERS: 'on',
      RUN_SCHEDULER: 'off',
      RUN_QUEUE_POLL_SECONDS: '0.5',
      RUN_LEASE_SECONDS: '10',
      RUN_JOB_RETRY_DELAY_SECONDS: '1',
    });
    await t.app.listen(0, '127.0.0.1');
    support = await t.user('support', null);
  });

  afterAll(async () => {
    await agent?.stop();
    await cli?.close();
    await t?.close();
    await agentReplica?.drop();
    await directReplica?.drop();
  });

  async function startRun(districtId: string, token: string): Promise<RunRow> {
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(token, { type: 'bearer' })
      .send({ kind: 'manual', asOf: YEAR.asOf })
      .expect(201);
    return waitForRun(t.db.pool, (res.body as { id: string }).id, 120_000);
  }

  async function evaluatedRules(runId: string): Promise<number> {
    const { rows } = await t.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM rule_results r JOIN run_checkpoints c ON c.ref_id = r.evaluation_id
        WHERE c.run_id = $1 AND c.step = 'evaluate'`,
      [runId],
    );
    return rows[0].n;
  }

  it('binds an agent to a link through the API and the CLI, within the district only', async () => {
    const districtId = (await factory.district(t.db.pool)).id;
    const other = (await factory.district(t.db.pool)).id;
    const linkId = (await factory.link(t.db.pool, districtId, { sis_kind: 'aeries' })).id;
    const agentOf = async (d: string): Promise<string> =>
      (
        (
          await t.http
            .post(`/api/districts/${d}/agents`)
            .auth(support.token, { type: 'bearer' })
            .send({ name: 'office server' })
            .expect(201)
        ).body as { agent: { id: string } }
      ).agent.id;
    const own = await agentOf(districtId);
    const foreign = await agentOf(other);

    const bound = await t.http
      .put(`/api/districts/${districtId}/links/${linkId}/agent`)
      .auth(support.token, { type: 'bearer' })
      .send({ agentId: own })
      .expect(200);
    expect(bound.body).toMatchObject({ id: linkId, transport: 'agent', agentId: own });
    await t.http
      .put(`/api/districts/${districtId}/links/${linkId}/agent`)
      .auth(support.token, { type: 'bearer' })
      .send({ agentId: foreign })
      .expect(404);
    await t.http
      .put(`/api/districts/${districtId}/links/${linkId}/agent`)
      .auth(support.token, { type: 'bearer' })
      .send({ agentId: 'not-a-uuid' })
      .expect(400);
    const admin = await t.user('district_admin', districtId);
    await t.http
      .put(`/api/districts/${districtId}/links/${linkId}/agent`)
      .auth(admin.token, { type: 'bearer' })
      .send({ agentId: own })
      .expect(403);
    const unbound = await t.http
      .delete(`/api/districts/${districtId}/links/${linkId}/agent`)
      .auth(support.token, { type: 'bearer' })
      .expect(200);
    expect(unbound.body).toMatchObject({ transport: 'direct', agentId: null });

    cli = new CliContext({
      DATABASE_URL: t.db.url,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
    });
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await bindAgentCommand(cli, linkId, own);
      await expect(bindAgentCommand(cli, linkId, foreign)).rejects.toThrow(/not a live agent/);
    } finally {
      write.mockRestore();
    }
    const { rows } = await t.db.pool.query<{ transport: string; agent_id: string }>(
      `SELECT transport, agent_id FROM sis_links WHERE id = $1`,
      [linkId],
    );
    expect(rows[0]).toEqual({ transport: 'agent', agent_id: own });
  });

  it('fails the run whose agent answers no rows instead of certifying it', async () => {
    const districtId = (await factory.district(t.db.pool)).id;
    const admin = await t.user('district_admin', districtId);
    const created = await t.http
      .post(`/api/districts/${districtId}/links`)
      .auth(support.token, { type: 'bearer' })
      .send({
        name: 'Aeries via agent',
        role: 'current',
        sisKind: 'aeries',
        transport: 'agent',
        settings: { driver: 'pg' },
      })
      .expect(201);
    const linkId = (created.body as { id: string }).id;
    const registered = await t.http
      .post(`/api/districts/${districtId}/agents`)
      .auth(support.token, { type: 'bearer' })
      .send({ name: 'office server' })
      .expect(201);
    const { token, agent: a } = registered.body as { token: string; agent: { id: string } };
    await t.http
      .put(`/api/districts/${districtId}/links/${linkId}/agent`)
      .auth(support.token, { type: 'bearer' })
      .send({ agentId: a.id })
      .expect(200);
    const u = new URL(agentReplica.url);
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    agent = runAgent({
      server: `http://127.0.0.1:${port}`,
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
        heartbeatIntervalMs: 500,
        reconnect: { baseMs: 50, capMs: 500 },
      },
    });
    await agent.firstConnection;

    const first = await startRun(districtId, admin.token);
    expect({ status: first.status, error: first.error }).toEqual({ status: 'done', error: null });
    expect(await evaluatedRules(first.id)).toBeGreaterThan(0);

    // The SIS behind the agent now answers every extract query with nothing.
    const c = new Client({ connectionString: agentReplica.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`,
      );
      await c.query(`TRUNCATE ${rows.map((r) => `"${r.t}"`).join(', ')}`);
    } finally {
      await c.end();
    }
    const empty = await startRun(districtId, admin.token);
    expect(empty.status).toBe('failed');
    expect(empty.error).toMatch(/^completeness guard: current side \(Aeries via agent\): /);
    expect(empty.error).toContain('the SIS returned no rows at all');
    expect(await evaluatedRules(empty.id)).toBe(0);
    const view = await t.http
      .get(`/api/districts/${districtId}/runs/${empty.id}`)
      .auth(admin.token, { type: 'bearer' })
      .expect(200);
    expect(view.body).toMatchObject({ status: 'failed', error: empty.error });
  });

  it('fails a run whose students shrink past the share, and certifies it under the district’s own share', async () => {
    const districtId = (await factory.district(t.db.pool)).id;
    const admin = await t.user('district_admin', districtId);
    await replicaLink(t.db.pool, districtId, directReplica, { role: 'current', sis: 'aeries' });
    const first = await startRun(districtId, admin.token);
    expect(first.status).toBe('done');

    const c = new Client({ connectionString: directReplica.url });
    await c.connect();
    try {
      await c.query(`DELETE FROM stu WHERE id % 10 < 7`);
    } finally {
      await c.end();
    }
    const shrunk = await startRun(districtId, admin.token);
    expect(shrunk.status).toBe('failed');
    expect(shrunk.error).toMatch(
      /student: \d+ rows, \d+(\.\d)?% fewer than the \d+ of the last certified snapshot \(allowed: 50%\)/,
    );
    expect(await evaluatedRules(shrunk.id)).toBe(0);

    await t.http
      .patch(`/api/districts/${districtId}`)
      .auth(admin.token, { type: 'bearer' })
      .send({ completenessMaxShrink: 2 })
      .expect(400);
    const patched = await t.http
      .patch(`/api/districts/${districtId}`)
      .auth(admin.token, { type: 'bearer' })
      .send({ completenessMaxShrink: 0.9 })
      .expect(200);
    expect(patched.body).toMatchObject({ completenessMaxShrink: 0.9 });
    const accepted = await startRun(districtId, admin.token);
    expect({ status: accepted.status, error: accepted.error }).toEqual({ status: 'done', error: null });
    expect(await evaluatedRules(accepted.id)).toBeGreaterThan(0);
  });
});
