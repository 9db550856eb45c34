import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  fastHealthEnv,
  technicalContact,
  waitForState,
} from 'test/connectivity/support/link-health.fixture';
import { TcpProxy } from 'test/connectivity/support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { RUN_ENV, scoredDistrict, type ScoredDistrict } from 'test/scorecards/scorecard-fixtures';

const IT_EMAIL = 'it@lakeside.test';

interface OutboxRow {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  recipients: string[];
  dedupe_key: string | null;
}

/**
 * SMTP is down while both kinds of mail fall due — the nightly digests of two runs and a link's DOWN and
 * RECOVERED alerts — and comes back afterwards: every digest and every alert arrives exactly once, each under
 * its outbox row's Message-ID, and nothing is queued twice by the retries.
 */
describe('SMTP outage with digests and alerts due', () => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let proxy: TcpProxy;
  let replica: TestDatabase;
  let scored: ScoredDistrict | undefined;
  let admin: TestUser;

  beforeAll(async () => {
    smtp = await SmtpCapture.reserve();
    proxy = await TcpProxy.start('127.0.0.1', 5432);
    replica = await createTestDatabase({ scratch: true });
    t = await createTestApp({ ...fastHealthEnv(smtp.url), ...RUN_ENV });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await smtp?.stop();
    await replica?.drop();
    await scored?.replica.drop();
  });

  const outbox = async (): Promise<OutboxRow[]> =>
    (
      await t.db.pool.query<OutboxRow>(
        `SELECT id, kind, status, attempts, recipients, dedupe_key FROM notification_outbox ORDER BY created_at, id`,
      )
    ).rows;

  it('delivers every digest and every alert exactly once when SMTP is back', async () => {
    // Two nightly runs of a scored district: their digests are queued and fail while SMTP is down.
    scored = await scoredDistrict(t, {
      seed: 'smtp-outage-digest',
      name: 'Lakeside Unified',
      kind: 'nightly',
      before: async (districtId) => {
        admin = await t.user('district_admin', districtId);
      },
    });
    const digests = await waitFor(
      'the digests failing repeatedly',
      async () => {
        // Each nightly run has news for the admin (the first: every finding; the second: the changes), and
        // its digest is queued once the run is done: wait for both, failing.
        const rows = (await outbox()).filter((r) => r.kind === 'digest');
        return rows.length === 2 && rows.every((r) => r.attempts >= 2 && r.status !== 'sent') ? rows : null;
      },
      300_000,
    );
    const runs = scored.runIds;
    expect(digests.map((r) => r.dedupe_key).sort()).toEqual(
      runs.map((runId) => `digest:${runId}:${admin.id}`).sort(),
    );
    expect(new Set(digests.map((r) => r.recipients.join(',')))).toEqual(new Set([admin.email]));

    // A link of another district drops and recovers, all while SMTP is still down.
    const district = await factory.district(t.db.pool, { name: 'Riverbend USD' });
    await technicalContact(t.db.pool, district.id, IT_EMAIL);
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    await waitForState(t.db.pool, linkId, 'UP', 300_000);
    proxy.cut();
    await waitFor(
      'DOWN alerts queued and failing',
      async () => {
        const rows = (await outbox()).filter((r) => r.kind === 'link_open');
        return rows.length === 2 && rows.every((r) => r.attempts >= 1 && r.status !== 'sent');
      },
      300_000,
    );
    proxy.restore();
    await waitFor(
      'DOWN and RECOVERED alerts queued and failing',
      async () => {
        const rows = (await outbox()).filter((r) => r.kind !== 'digest');
        return rows.length === 4 && rows.every((r) => r.attempts >= 1 && r.status !== 'sent');
      },
      300_000,
    );
    expect(smtp.received).toEqual([]);

    // SMTP is back: every row is delivered once and confirmed.
    await smtp.start();
    const sent = await waitFor(
      'every digest and alert delivered and confirmed',
      async () => {
        const rows = await outbox();
        return rows.every((r) => r.status === 'sent') && smtp.received.length >= rows.length ? rows : null;
      },
      300_000,
    );
    expect(sent.filter((r) => r.kind === 'digest')).toHaveLength(digests.length);
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(
      sent.map((r) => `<${r.id}@sis-certify>`).sort(),
    );
    const alerts = smtp
      .summary()
      .filter((line) => !line.startsWith(`${admin.email} |`))
      .sort();
    expect(alerts).toEqual(
      [
        `${IT_EMAIL} | [sis-certify] DOWN: Riverbend USD — Aeries (current)`,
        `${IT_EMAIL} | [sis-certify] RECOVERED: Riverbend USD — Aeries (current)`,
        `${SUPPORT_EMAIL} | [sis-certify] DOWN: Riverbend USD — Aeries (current)`,
        `${SUPPORT_EMAIL} | [sis-certify] RECOVERED: Riverbend USD — Aeries (current)`,
      ].sort(),
    );
    const digestMails = smtp.received.filter((m) => m.to.includes(admin.email));
    expect(digestMails).toHaveLength(digests.length);
    for (const m of digestMails) expect(m.subject).toMatch(/^Lakeside Unified: score \d+/);
  });
});
