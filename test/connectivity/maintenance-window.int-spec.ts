import type { TestApp } from 'test/helpers/app';
import type { TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { type SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  outboxOf,
  technicalContact,
  waitForMoreProbes,
  waitForState,
  startLinkHealthScenario,
  stopLinkHealthScenario,
} from 'test/connectivity/support/link-health.fixture';
import { TcpProxy } from 'test/connectivity/support/tcp-proxy';

describe('maintenance windows and silences', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    ({ t, replica, proxy, smtp } = await startLinkHealthScenario());
  });

  afterAll(() => stopLinkHealthScenario({ t, replica, proxy, smtp }));

  const failedProbes = async (linkId: string): Promise<number> =>
    (
      await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM probe_results WHERE link_id = $1 AND NOT ok`,
        [linkId],
      )
    ).rows[0].n;

  it('mutes everything inside a maintenance window, and alerts again once it is removed', async () => {
    const district = await factory.district(t.db.pool, { name: 'Hillcrest SD' });
    await technicalContact(t.db.pool, district.id, 'it@hillcrest.test');
    const admin = await t.user('district_admin', district.id);
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    await waitForState(t.db.pool, linkId, 'UP');

    const now = Date.now();
    const created = await t.http
      .post(`/api/districts/${district.id}/maintenance-windows`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({
        startsAt: new Date(now - 1000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        reason: 'SIS server patching',
      })
      .expect(201);
    const window = created.body as { id: string; active: boolean };
    expect(window.active).toBe(true);

    proxy.cut();
    await waitFor('6 failed probes inside the window', async () => (await failedProbes(linkId)) >= 6);
    await waitForState(t.db.pool, linkId, 'MAINTENANCE');
    proxy.restore();
    await waitFor('a good probe after the drop', async () => {
      const r = await t.db.pool.query(
        `SELECT 1 FROM probe_results WHERE link_id = $1 AND ok AND probed_at > (SELECT max(probed_at) FROM probe_results WHERE link_id = $1 AND NOT ok)`,
        [linkId],
      );
      return (r.rowCount ?? 0) > 0;
    });
    // Later good probes: the recovery inside the window has been applied, and any alert it led to queued.
    await waitForMoreProbes(t.db.pool, linkId, 5, true);
    expect(smtp.received).toEqual([]);
    expect(await outboxOf(t.db.pool, district.id)).toEqual([]);
    const incidents = await t.db.pool.query(`SELECT id FROM incidents WHERE district_id = $1`, [district.id]);
    expect(incidents.rowCount).toBe(0);
    const status = await t.http
      .get(`/api/districts/${district.id}/status`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    expect(
      (status.body as { maintenance: Array<{ reason: string }> }).maintenance.map((m) => m.reason),
    ).toEqual(['SIS server patching']);

    // Same drop without the window: the alert pipeline is live.
    await t.http
      .delete(`/api/districts/${district.id}/maintenance-windows/${window.id}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(204);
    proxy.cut();
    await waitFor('DOWN messages', () => smtp.received.length >= 2);
    expect(smtp.summary()).toEqual([
      `it@hillcrest.test | [sis-certify] DOWN: Hillcrest SD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Hillcrest SD — Aeries (current)`,
    ]);
    proxy.restore();
    await waitFor('recovery', () => smtp.received.length >= 4);
  });

  it('records the incident but sends nothing under a silence', async () => {
    smtp.received.length = 0;
    const district = await factory.district(t.db.pool, { name: 'Silent Valley USD' });
    await technicalContact(t.db.pool, district.id, 'it@silent.test');
    const admin = await t.user('district_admin', district.id);
    // Its own tunnel: the first district's link keeps running through the other proxy.
    const vpn = await TcpProxy.start('127.0.0.1', 5432);
    const linkId = await directLink(t.db.pool, district.id, vpn.port, replica.name, 'PowerSchool (new)');
    await waitForState(t.db.pool, linkId, 'UP');
    const silence = await t.http
      .post(`/api/districts/${district.id}/silences`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'known VPN work, ticket 4411',
        linkId,
      })
      .expect(201);
    expect((silence.body as { active: boolean }).active).toBe(true);

    vpn.cut();
    await waitForState(t.db.pool, linkId, 'DOWN');
    // Later failed probes, well past the group wait: an unmuted incident would have its message queued.
    await waitForMoreProbes(t.db.pool, linkId, 6, false);
    expect(smtp.received).toEqual([]);
    expect(await outboxOf(t.db.pool, district.id)).toEqual([]);
    const open = await t.http
      .get(`/api/districts/${district.id}/incidents?open=true`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    expect(
      (open.body as Array<{ causeCode: string; notifyState: string }>).map((i) => [
        i.causeCode,
        i.notifyState,
      ]),
    ).toEqual([['UNREACHABLE', 'pending']]);

    vpn.restore();
    await waitForState(t.db.pool, linkId, 'UP');
    // The incident closed before anyone was told: quiet, for good. Then later good probes.
    await waitFor('the quiet incident', async () => {
      const r = await t.db.pool.query(
        `SELECT 1 FROM incidents WHERE link_id = $1 AND notify_state = 'quiet' AND closed_at IS NOT NULL`,
        [linkId],
      );
      return (r.rowCount ?? 0) > 0;
    });
    await waitForMoreProbes(t.db.pool, linkId, 5, true);
    expect(smtp.received).toEqual([]);
    expect(await outboxOf(t.db.pool, district.id)).toEqual([]);
    const closed = await t.http
      .get(`/api/districts/${district.id}/incidents`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    expect(
      (closed.body as Array<{ notifyState: string; closedAt: string | null }>).map((i) => [
        i.notifyState,
        i.closedAt !== null,
      ]),
    ).toEqual([['quiet', true]]);
    await vpn.close();
  });
});
