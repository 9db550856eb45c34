import type { TestApp } from 'test/helpers/app';
import type { TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { type SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  technicalContact,
  waitForState,
  startLinkHealthScenario,
  stopLinkHealthScenario,
} from 'test/connectivity/support/link-health.fixture';
import type { TcpProxy } from 'test/connectivity/support/tcp-proxy';

const IT_EMAIL = 'it@riverbend.test';

interface OutboxState {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  recipients: string[];
}

/**
 * The SMTP server is down for the whole of an incident — the link goes DOWN and RECOVERS while no mail can be
 * delivered — and comes back afterwards: the outbox keeps retrying with back-off, and every alert arrives
 * exactly once (no message lost, none doubled by the retries), each with its stable Message-ID.
 */
describe('SMTP outage across an incident', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    ({ t, replica, proxy, smtp } = await startLinkHealthScenario({ smtp: 'down' }));
  });

  afterAll(() => stopLinkHealthScenario({ t, replica, proxy, smtp }));

  const outbox = async (): Promise<OutboxState[]> =>
    (
      await t.db.pool.query<OutboxState>(
        `SELECT id, kind, status, attempts, last_error, recipients FROM notification_outbox ORDER BY created_at, id`,
      )
    ).rows;

  it('keeps retrying with back-off and delivers every alert exactly once when SMTP is back', async () => {
    const district = await factory.district(t.db.pool, { name: 'Riverbend USD' });
    await technicalContact(t.db.pool, district.id, IT_EMAIL);
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    await waitForState(t.db.pool, linkId, 'UP');

    // The link drops: its DOWN alerts are queued and fail, again and again, while SMTP is down.
    proxy.cut();
    const opened = await waitFor(
      'DOWN alerts failing repeatedly',
      async () => {
        const rows = (await outbox()).filter((r) => r.kind === 'link_open');
        return rows.length === 2 && rows.every((r) => r.attempts >= 3) ? rows : null;
      },
      300_000,
    );
    expect(opened.map((r) => r.recipients.join(',')).sort()).toEqual([IT_EMAIL, SUPPORT_EMAIL].sort());
    for (const r of opened) {
      expect(r.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(['pending', 'sending']).toContain(r.status);
    }

    // The link recovers while SMTP is still down: the RECOVERED alerts queue behind the DOWN ones.
    proxy.restore();
    await waitForState(t.db.pool, linkId, 'UP', 300_000);
    await waitFor(
      'RECOVERED alerts failing too',
      async () => {
        const rows = (await outbox()).filter((r) => r.kind !== 'link_open');
        return rows.length === 2 && rows.every((r) => r.attempts >= 1 && r.status !== 'sent');
      },
      300_000,
    );
    expect(smtp.received).toEqual([]);

    // SMTP is back: everything is delivered, and once every row is confirmed nothing is left to send again.
    await smtp.start();
    const sent = await waitFor(
      'every alert delivered and confirmed',
      async () => {
        const rows = await outbox();
        return rows.every((r) => r.status === 'sent') && smtp.received.length >= rows.length ? rows : null;
      },
      300_000,
    );
    expect(sent).toHaveLength(4);
    expect(smtp.summary()).toEqual([
      `${IT_EMAIL} | [sis-certify] DOWN: Riverbend USD — Aeries (current)`,
      `${IT_EMAIL} | [sis-certify] RECOVERED: Riverbend USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Riverbend USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] RECOVERED: Riverbend USD — Aeries (current)`,
    ]);
    // One delivery per outbox row, each under the row's own stable Message-ID.
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(
      sent.map((r) => `<${r.id}@sis-certify>`).sort(),
    );
  });
});
