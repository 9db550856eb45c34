import type { TestApp } from 'test/helpers/app';
import type { TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { type SmtpCapture, sleep, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  waitForState,
  startLinkHealthScenario,
  stopLinkHealthScenario,
} from 'test/connectivity/support/link-health.fixture';
import type { TcpProxy } from 'test/connectivity/support/tcp-proxy';

describe('SMTP outage when an incident opens', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    ({ t, replica, proxy, smtp } = await startLinkHealthScenario({ smtp: 'down' }));
  });

  afterAll(() => stopLinkHealthScenario({ t, replica, proxy, smtp }));

  it('keeps retrying with back-off and delivers the message exactly once when SMTP is back', async () => {
    const district = await factory.district(t.db.pool, { name: 'Riverbend USD' });
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    await waitForState(t.db.pool, linkId, 'UP');

    proxy.cut();
    const failing = await waitFor('failed delivery attempts', async () => {
      const r = await t.db.pool.query<{
        attempts: number;
        status: string;
        last_error: string | null;
        recipients: string[];
      }>(`SELECT attempts, status, last_error, recipients FROM notification_outbox WHERE kind = 'link_open'`);
      return r.rows.length === 1 && r.rows[0].attempts >= 3 ? r.rows[0] : null;
    });
    expect(failing.recipients).toEqual([SUPPORT_EMAIL]);
    expect(failing.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(['pending', 'sending']).toContain(failing.status);

    await smtp.start();
    await waitFor('the DOWN message', () => smtp.received.length >= 1);
    await sleep(1500);
    expect(smtp.summary()).toEqual([
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Riverbend USD — Aeries (current)`,
    ]);
    const row = await t.db.pool.query<{ status: string; sent_at: Date | null }>(
      `SELECT status, sent_at FROM notification_outbox WHERE kind = 'link_open'`,
    );
    expect(row.rows[0].status).toBe('sent');
    expect(row.rows[0].sent_at).toBeInstanceOf(Date);
    proxy.restore();
  });
});
