import { createTestApp, type TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  fastHealthEnv,
  outboxOf,
  waitForAlertsSettled,
  waitForMoreProbes,
  waitForState,
} from 'test/connectivity/support/link-health.fixture';
import { TcpProxy } from 'test/connectivity/support/tcp-proxy';

describe('alert grouping', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    proxy = await TcpProxy.start('127.0.0.1', 5432);
    smtp = await SmtpCapture.started();
    t = await createTestApp(fastHealthEnv(smtp.url, { ALERT_GROUP_WAIT_MS: '1500' }));
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await smtp?.stop();
    await replica?.drop();
  });

  it('sends one message for links of a district that go down within the grouping window', async () => {
    const district = await factory.district(t.db.pool, { name: 'Twin Oaks USD' });
    const oldLink = await directLink(t.db.pool, district.id, proxy.port, replica.name, 'Aeries (old)');
    const { rows } = await t.db.pool.query<{ id: string }>(
      `INSERT INTO sis_links (district_id, name, role, sis_kind, transport, settings) VALUES ($1, 'PowerSchool (new)', 'new', 'powerschool', 'direct', $2) RETURNING id`,
      [
        district.id,
        JSON.stringify({
          driver: 'pg',
          host: '127.0.0.1',
          port: proxy.port,
          database: replica.name,
          user: 'postgres',
          connectTimeoutMs: 1500,
        }),
      ],
    );
    const newLink = rows[0].id;
    await waitForState(t.db.pool, oldLink, 'UP');
    await waitForState(t.db.pool, newLink, 'UP');

    proxy.cut();
    await waitFor('the grouped DOWN message', () => smtp.received.length >= 1);
    // Both links DOWN, both incidents told and every outbox row delivered, then later failed probes of
    // both links: a second DOWN message (one per link) would have been queued by then.
    await waitForState(t.db.pool, oldLink, 'DOWN');
    await waitForState(t.db.pool, newLink, 'DOWN');
    await waitForAlertsSettled(t.db.pool, district.id, 'notified');
    await waitForMoreProbes(t.db.pool, oldLink, 3, false);
    await waitForMoreProbes(t.db.pool, newLink, 3, false);
    expect(smtp.summary()).toEqual([`${SUPPORT_EMAIL} | [sis-certify] DOWN: Twin Oaks USD — 2 connections`]);
    expect(smtp.received[0].text).toContain('Aeries (old)');
    expect(smtp.received[0].text).toContain('PowerSchool (new)');

    proxy.restore();
    await waitFor('the grouped recovery', () => smtp.received.length >= 2);
    await waitForState(t.db.pool, oldLink, 'UP');
    await waitForState(t.db.pool, newLink, 'UP');
    await waitForAlertsSettled(t.db.pool, district.id, 'resolved');
    await waitForMoreProbes(t.db.pool, oldLink, 5, true);
    await waitForMoreProbes(t.db.pool, newLink, 5, true);
    expect(smtp.summary()).toEqual([
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Twin Oaks USD — 2 connections`,
      `${SUPPORT_EMAIL} | [sis-certify] RECOVERED: Twin Oaks USD — 2 connections`,
    ]);
    expect((await outboxOf(t.db.pool, district.id)).map((r) => [r.kind, r.status])).toEqual([
      ['link_open', 'sent'],
      ['link_recovery', 'sent'],
    ]);
  });
});
