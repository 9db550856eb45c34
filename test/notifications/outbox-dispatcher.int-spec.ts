import type { DataSource } from 'typeorm';
import { systemClock } from 'src/common/tokens';
import { loadConfig } from 'src/config/config.service';
import { createDataSource } from 'src/database/data-source';
import { DataSourceSqlRunner } from 'src/database/sql-runner';
import { OutboxDispatcherService } from 'src/notifications/outbox-dispatcher.service';
import { OutboxRepository } from 'src/notifications/outbox.repository';
import { OutboxService } from 'src/notifications/outbox.service';
import { SmtpMailChannel } from 'src/notifications/smtp-mail.channel';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { SmtpCapture } from 'test/notifications/support/smtp-capture';

describe('outbox dispatcher across instances', () => {
  let db: TestDatabase;
  let smtp: SmtpCapture;
  const sources: DataSource[] = [];
  const channels: SmtpMailChannel[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await SmtpCapture.started();
  });

  afterAll(async () => {
    for (const c of channels) await c.close();
    for (const ds of sources) if (ds.isInitialized) await ds.destroy();
    await smtp?.stop();
    await db?.drop();
  });

  async function instance(): Promise<{ dispatcher: OutboxDispatcherService; outbox: OutboxService }> {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      MAIL_CHANNEL: 'smtp',
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_LEASE_MS: '1000',
    });
    const ds = createDataSource(db.url, 4);
    await ds.initialize();
    sources.push(ds);
    const channel = new SmtpMailChannel(smtp.url);
    channels.push(channel);
    const repo = new OutboxRepository(new DataSourceSqlRunner(ds));
    return {
      dispatcher: new OutboxDispatcherService(repo, channel, config, systemClock),
      outbox: new OutboxService(repo, systemClock),
    };
  }

  it('delivers each message once when two dispatchers drain one outbox concurrently', async () => {
    const a = await instance();
    const b = await instance();
    for (let i = 0; i < 30; i++) {
      await a.outbox.enqueue({
        dedupeKey: `digest:${i}`,
        districtId: null,
        kind: 'digest',
        to: [`user${i}@d.test`],
        subject: `digest ${i}`,
        text: `body ${i}`,
      });
    }
    expect(
      await b.outbox.enqueue({
        dedupeKey: 'digest:7',
        districtId: null,
        kind: 'digest',
        to: ['x@d.test'],
        subject: 'duplicate',
        text: 'dup',
      }),
    ).toBe(false);

    const drain = async (d: OutboxDispatcherService): Promise<number> => {
      let sent = 0;
      for (;;) {
        const r = await d.dispatchDue(4);
        sent += r.sent;
        if (r.claimed === 0) return sent;
      }
    };
    const [sentA, sentB] = await Promise.all([drain(a.dispatcher), drain(b.dispatcher)]);
    expect(sentA + sentB).toBe(30);
    expect(smtp.received).toHaveLength(30);
    expect(new Set(smtp.received.map((m) => m.subject)).size).toBe(30);
    expect(smtp.received.map((m) => m.subject).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `digest ${i}`).sort(),
    );
    const { rows } = await db.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM notification_outbox GROUP BY status`,
    );
    expect(rows).toEqual([{ status: 'sent', n: 30 }]);
  });

  it('re-delivers a message whose instance died after claiming it, once its lease expires', async () => {
    smtp.received.length = 0;
    const a = await instance();
    await a.outbox.enqueue({
      dedupeKey: 'crash:1',
      districtId: null,
      kind: 'digest',
      to: ['crash@d.test'],
      subject: 'claimed then crashed',
      text: 'x',
    });
    // Another instance claimed it and vanished (no confirmation).
    await db.pool.query(
      `UPDATE notification_outbox SET status = 'sending', locked_by = 'dead-instance', locked_until = now() + interval '300 milliseconds', attempts = 1 WHERE dedupe_key = 'crash:1'`,
    );
    expect((await a.dispatcher.dispatchDue()).claimed).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    expect((await a.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await a.dispatcher.dispatchDue()).claimed).toBe(0);
    expect(smtp.summary()).toEqual(['crash@d.test | claimed then crashed']);
  });

  it('marks a message failed after the maximum attempts and stops retrying', async () => {
    const a = await instance();
    await a.outbox.enqueue({
      dedupeKey: 'bad:1',
      districtId: null,
      kind: 'digest',
      to: ['bad@d.test'],
      subject: 'never',
      text: 'x',
    });
    await db.pool.query(`UPDATE notification_outbox SET attempts = 11 WHERE dedupe_key = 'bad:1'`);
    await smtp.stop();
    const r = await a.dispatcher.dispatchDue();
    expect(r).toEqual({ claimed: 1, sent: 0, retried: 0, failed: 1 });
    const { rows } = await db.pool.query<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM notification_outbox WHERE dedupe_key = 'bad:1'`,
    );
    expect(rows[0]).toEqual({ status: 'failed', attempts: 12 });
    await smtp.start();
  });
});
