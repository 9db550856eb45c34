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

const IT_EMAIL = 'it.director@district.test';

describe('VPN drop between the service and a SIS replica', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    ({ t, replica, proxy, smtp } = await startLinkHealthScenario());
  });

  afterAll(() => stopLinkHealthScenario({ t, replica, proxy, smtp }));

  it('sends one DOWN message after the retries, one reminder, and one recovery message with the downtime', async () => {
    const district = await factory.district(t.db.pool, { name: 'Lakeside USD' });
    await technicalContact(t.db.pool, district.id, IT_EMAIL);
    await t.db.pool.query(
      `INSERT INTO district_contacts (district_id, name, email, kind) VALUES ($1, 'Superintendent', 'boss@district.test', 'administrative')`,
      [district.id],
    );
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    await waitForState(t.db.pool, linkId, 'UP');

    proxy.cut();
    await waitFor('DOWN messages', () => smtp.received.length >= 2);
    const failures = await t.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM probe_results WHERE link_id = $1 AND NOT ok`,
      [linkId],
    );
    expect(failures.rows[0].n).toBeGreaterThanOrEqual(3);
    expect(smtp.summary()).toEqual([
      `${IT_EMAIL} | [sis-certify] DOWN: Lakeside USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Lakeside USD — Aeries (current)`,
    ]);
    const districtMail = smtp.received.find((m) => m.to.includes(IT_EMAIL))!;
    expect(districtMail.text).toContain('Reconnect the Aeries VPN');
    expect(districtMail.text).toContain('https://certify.example.test/status');
    expect(districtMail.text).not.toContain('UNREACHABLE');
    const supportMail = smtp.received.find((m) => m.to.includes(SUPPORT_EMAIL))!;
    expect(supportMail.text).toContain('cause: UNREACHABLE');
    expect(supportMail.text).toContain(`host: 127.0.0.1`);
    expect(supportMail.text).toMatch(/recent probes:\n.*FAIL/);

    // A reminder falls due when the last notice is older than the repeat interval (1 h here): age the notice
    // in the database instead of shortening the interval, so exactly one reminder is due however slow the machine.
    await t.db.pool.query(
      `UPDATE incidents SET last_notified_at = last_notified_at - interval '2 hours'
        WHERE closed_at IS NULL AND notify_state = 'notified'`,
    );
    await waitFor('reminders', () => smtp.received.length >= 4, 300_000);
    expect(smtp.summary().filter((s) => s.includes('Still DOWN'))).toEqual([
      `${IT_EMAIL} | [sis-certify] Still DOWN: Lakeside USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] Still DOWN: Lakeside USD — Aeries (current)`,
    ]);

    proxy.restore();
    await waitFor('recovery messages', () => smtp.received.length >= 6);
    await waitFor(
      'the incident resolved and the outbox drained',
      async () => {
        const open = await t.db.pool.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM incidents WHERE notify_state <> 'resolved')
              + (SELECT count(*) FROM notification_outbox WHERE status IN ('pending', 'sending')) AS n`,
        );
        return Number(open.rows[0].n) === 0;
      },
      300_000,
    );
    expect(smtp.summary()).toEqual([
      `${IT_EMAIL} | [sis-certify] DOWN: Lakeside USD — Aeries (current)`,
      `${IT_EMAIL} | [sis-certify] RECOVERED: Lakeside USD — Aeries (current)`,
      `${IT_EMAIL} | [sis-certify] Still DOWN: Lakeside USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Lakeside USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] RECOVERED: Lakeside USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] Still DOWN: Lakeside USD — Aeries (current)`,
    ]);
    const recovery = smtp.received.find((m) => m.to.includes(IT_EMAIL) && m.subject.includes('RECOVERED'))!;
    expect(recovery.text).toMatch(/after \d+s of downtime/);

    const admin = await t.user('district_admin', district.id);
    const incidents = await t.http
      .get(`/api/districts/${district.id}/incidents`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    const list = incidents.body as Array<{
      subjectKind: string;
      causeCode: string;
      closedAt: string | null;
      durationSeconds: number;
      notifyState: string;
    }>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ subjectKind: 'link', causeCode: 'UNREACHABLE', notifyState: 'resolved' });
    expect(list[0].closedAt).not.toBeNull();
    expect(list[0].durationSeconds).toBeGreaterThanOrEqual(1);

    const status = await t.http
      .get(`/api/districts/${district.id}/status`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    const board = status.body as {
      state: string;
      links: Array<{ linkId: string; state: string; openIncident: unknown; uptime: { h24: number } }>;
    };
    expect(board.state).toBe('UP');
    expect(board.links[0]).toMatchObject({ linkId, state: 'UP', openIncident: null });
    expect(board.links[0].uptime.h24).toBeGreaterThan(0);
    expect(board.links[0].uptime.h24).toBeLessThan(1);

    const outbox = await t.db.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM notification_outbox GROUP BY status`,
    );
    expect(outbox.rows).toEqual([{ status: 'sent', n: 6 }]);
  });
});
