import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  fastHealthEnv,
  linkState,
  outboxOf,
  technicalContact,
  waitForAlertsSettled,
  waitForMoreProbes,
} from 'test/connectivity/support/link-health.fixture';

const ROOT = join(__dirname, '..', '..');
const IT = 'it@pine.test';

describe('agent process killed and restarted', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let smtp: SmtpCapture;
  let child: ChildProcess | null = null;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    smtp = await SmtpCapture.started();
    t = await createTestApp(fastHealthEnv(smtp.url, { AGENT_MISSED_HEARTBEATS: '3' }));
    await t.app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await stopChild('SIGKILL');
    await t?.close();
    await smtp?.stop();
    await replica?.drop();
  });

  function startChild(): void {
    child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'test', 'agent', 'fixtures', 'agent-entry.ts')],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }

  async function stopChild(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  }

  const agentState = async (id: string): Promise<string> =>
    (await t.db.pool.query<{ state: string }>(`SELECT state FROM agents WHERE id = $1`, [id])).rows[0].state;

  it('alerts once for the agent (its links suppressed), and sends a recovery when the restarted agent reconnects by itself', async () => {
    const district = await factory.district(t.db.pool, { name: 'Pine USD' });
    await technicalContact(t.db.pool, district.id, IT);
    const support = await t.user('support', null);
    const created = await t.http
      .post(`/api/districts/${district.id}/agents`)
      .set('Authorization', `Bearer ${support.token}`)
      .send({ name: 'office server' })
      .expect(201);
    const { token, agent } = created.body as { token: string; agent: { id: string } };
    const link = await factory.link(t.db.pool, district.id, { sis_kind: 'powerschool', transport: 'agent' });
    await t.db.pool.query(`UPDATE sis_links SET agent_id = $2, name = 'PowerSchool (new)' WHERE id = $1`, [
      link.id,
      agent.id,
    ]);

    const u = new URL(replica.url);
    env = {
      ...process.env,
      SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      AGENT_SERVER: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`,
      AGENT_TOKEN: token,
      AGENT_CONFIG: JSON.stringify({
        sisKind: 'powerschool',
        connection: {
          driver: 'pg',
          host: u.hostname,
          port: Number(u.port || 5432),
          database: u.pathname.slice(1),
          user: u.username,
        },
        heartbeatIntervalMs: 250,
        reconnect: { baseMs: 100, capMs: 1000 },
      }),
    };
    // A direct link of another district, probed by the same service throughout: its probe history shows
    // the service's later ticks while the agent (and so the agent's link) has nothing to report.
    const control = await factory.district(t.db.pool, { name: 'Control USD' });
    const controlLink = await directLink(
      t.db.pool,
      control.id,
      Number(u.port || 5432),
      replica.name,
      'Aeries (control)',
    );
    startChild();
    await waitFor('agent UP', async () => (await agentState(agent.id)) === 'UP', 300_000);
    await waitFor('link UP via agent probe', async () => (await linkState(t.db.pool, link.id)) === 'UP');

    await stopChild('SIGKILL');
    await waitFor('agent DOWN messages', () => smtp.received.length >= 2);
    expect(await agentState(agent.id)).toBe('DOWN');
    expect(await linkState(t.db.pool, link.id)).toBe('DOWN');
    // The agent's incident is told and its messages delivered; later probe ticks of the service: a second
    // DOWN message, or one for the suppressed link, would have been queued by then.
    await waitForAlertsSettled(t.db.pool, district.id, 'notified');
    await waitForMoreProbes(t.db.pool, controlLink, 10, true);
    expect(smtp.summary()).toEqual([
      `${IT} | [sis-certify] DOWN: Pine USD — agent office server`,
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Pine USD — agent office server`,
    ]);
    const itMail = smtp.received.find((m) => m.to.includes(IT))!;
    expect(itMail.text).toMatch(/Restart the sis-certify agent service on \S+/);
    expect(itMail.text).toContain('PowerSchool (new)');
    const linkIncidents = await t.db.pool.query(`SELECT id FROM incidents WHERE link_id = $1`, [link.id]);
    expect(linkIncidents.rowCount).toBe(0);

    startChild();
    await waitFor('recovery messages', () => smtp.received.length >= 4, 300_000);
    await waitFor('link UP again', async () => (await linkState(t.db.pool, link.id)) === 'UP');
    // Resolved and delivered, then later heartbeats of the restarted agent recorded for its link.
    await waitForAlertsSettled(t.db.pool, district.id, 'resolved');
    await waitForMoreProbes(t.db.pool, link.id, 5, true);
    expect(smtp.summary()).toEqual([
      `${IT} | [sis-certify] DOWN: Pine USD — agent office server`,
      `${IT} | [sis-certify] RECOVERED: Pine USD — agent office server`,
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Pine USD — agent office server`,
      `${SUPPORT_EMAIL} | [sis-certify] RECOVERED: Pine USD — agent office server`,
    ]);
    const incidents = await t.http
      .get(`/api/incidents`)
      .set('Authorization', `Bearer ${support.token}`)
      .expect(200);
    expect(
      (incidents.body as Array<{ subjectKind: string; causeCode: string; notifyState: string }>).map((i) => [
        i.subjectKind,
        i.causeCode,
        i.notifyState,
      ]),
    ).toEqual([['agent', 'AGENT_HEARTBEAT_MISSED', 'resolved']]);
    expect((await outboxOf(t.db.pool, district.id)).map((r) => [r.kind, r.status, r.recipients])).toEqual([
      ['link_open', 'sent', [IT]],
      ['link_open', 'sent', [SUPPORT_EMAIL]],
      ['link_recovery', 'sent', [IT]],
      ['link_recovery', 'sent', [SUPPORT_EMAIL]],
    ]);
    await stopChild('SIGTERM');
  });
});
