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
import { SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';

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

  /** One service instance: its own pool, SMTP channel and dispatcher over the shared outbox. */
  async function instance(
    leaseMs = 30_000,
  ): Promise<{ dispatcher: OutboxDispatcherService; outbox: OutboxService }> {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      MAIL_CHANNEL: 'smtp',
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_LEASE_MS: String(leaseMs),
    });
    const ds = createDataSource(db.url, 4);
    await ds.initialize();
    sources.push(ds);
    const channel = new SmtpMailChannel(smtp.url, 60_000);
    channels.push(channel);
    const repo = new OutboxRepository(new DataSourceSqlRunner(ds));
    return {
      dispatcher: new OutboxDispatcherService(repo, channel, config, systemClock),
      outbox: new OutboxService(repo, systemClock),
    };
  }

  async function lockedUntil(dedupeKey: string): Promise<{ lockedUntil: number; lockedBy: string }> {
    const { rows } = await db.pool.query<{ locked_until: Date; locked_by: string }>(
      `SELECT locked_until, locked_by FROM notification_outbox WHERE dedupe_key = $1`,
      [dedupeKey],
    );
    return { lockedUntil: rows[0].locked_until.getTime(), lockedBy: rows[0].locked_by };
  }

  async function statuses(): Promise<{ dedupe_key: string; status: string }[]> {
    const { rows } = await db.pool.query<{ dedupe_key: string; status: string }>(
      `SELECT dedupe_key, status FROM notification_outbox ORDER BY dedupe_key`,
    );
    return rows;
  }

  beforeEach(async () => {
    smtp.received.length = 0;
    await db.pool.query(`DELETE FROM notification_outbox`);
  });

  it('delivers each message once when two dispatchers drain one outbox concurrently', async () => {
    // A lease far longer than one send but short enough that a batch of sends under load may outlast it.
    const a = await instance(5000);
    const b = await instance(5000);
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
    const a = await instance();
    await a.outbox.enqueue({
      dedupeKey: 'crash:1',
      districtId: null,
      kind: 'digest',
      to: ['crash@d.test'],
      subject: 'claimed then crashed',
      text: 'x',
    });
    // Another instance claimed it and vanished (no confirmation); while its lease holds, nobody takes it.
    await db.pool.query(
      `UPDATE notification_outbox SET status = 'sending', locked_by = 'dead-instance', locked_until = now() + interval '1 hour', attempts = 1 WHERE dedupe_key = 'crash:1'`,
    );
    expect((await a.dispatcher.dispatchDue()).claimed).toBe(0);
    // Its lease lapsed.
    await db.pool.query(
      `UPDATE notification_outbox SET locked_until = now() - interval '1 second' WHERE dedupe_key = 'crash:1'`,
    );
    expect((await a.dispatcher.dispatchDue()).sent).toBe(1);
    expect((await a.dispatcher.dispatchDue()).claimed).toBe(0);
    expect(smtp.summary()).toEqual(['crash@d.test | claimed then crashed']);
  });

  it('keeps the lease of a message whose SMTP answer is slower than the lease: no second instance sends it', async () => {
    const leaseMs = 1500;
    const a = await instance(leaseMs);
    const b = await instance(leaseMs);
    await a.outbox.enqueue({
      dedupeKey: 'slow:1',
      districtId: null,
      kind: 'digest',
      to: ['slow@d.test'],
      subject: 'slow answer',
      text: 'x',
    });
    const held = smtp.hold((s) => s === 'slow answer');
    const roundA = a.dispatcher.dispatchDue();
    await held.arrived;
    // The lease taken when the send began has lapsed by the wall clock; the row is still A's.
    const atSend = await lockedUntil('slow:1');
    await waitFor('the lease renewed while the send is in flight', async () => {
      const now = await lockedUntil('slow:1');
      return Date.now() > atSend.lockedUntil + 200 && now.lockedUntil > Date.now() + 200;
    });
    expect((await b.dispatcher.dispatchDue()).claimed).toBe(0);
    held.release();
    expect(await roundA).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0, lost: 0 });
    expect((await b.dispatcher.dispatchDue()).claimed).toBe(0);
    expect(smtp.summary()).toEqual(['slow@d.test | slow answer']);
    expect(await statuses()).toEqual([{ dedupe_key: 'slow:1', status: 'sent' }]);
  });

  it('skips a claimed message whose lease lapsed while earlier ones were sending and another instance took it', async () => {
    const leaseMs = 1500;
    const a = await instance(leaseMs);
    const b = await instance(leaseMs);
    const base = Date.now();
    for (const [n, subject] of [
      [1, 'first of the batch'],
      [2, 'second of the batch'],
    ] as const) {
      await a.outbox.enqueue({
        dedupeKey: `batch:${n}`,
        districtId: null,
        kind: 'digest',
        to: [`batch${n}@d.test`],
        subject,
        text: 'x',
        notBefore: new Date(base - 10_000 + n * 1000),
      });
    }
    const held = smtp.hold((s) => s === 'first of the batch');
    const roundA = a.dispatcher.dispatchDue(2);
    await held.arrived;
    // While A's SMTP server sits on the first message, A's claim on the second lapses.
    const second = await lockedUntil('batch:2');
    expect(second.lockedBy).toBe(a.dispatcher.instanceId);
    await waitFor('the second message free to take', () => Date.now() > second.lockedUntil + 200);
    expect(await b.dispatcher.dispatchDue()).toMatchObject({ claimed: 1, sent: 1 });
    held.release();
    const reportA = await roundA;
    expect(smtp.summary()).toEqual([
      'batch1@d.test | first of the batch',
      'batch2@d.test | second of the batch',
    ]);
    expect(reportA).toEqual({ claimed: 2, sent: 1, retried: 0, failed: 0, lost: 1 });
    expect(await statuses()).toEqual([
      { dedupe_key: 'batch:1', status: 'sent' },
      { dedupe_key: 'batch:2', status: 'sent' },
    ]);
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
    expect(r).toEqual({ claimed: 1, sent: 0, retried: 0, failed: 1, lost: 0 });
    const { rows } = await db.pool.query<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM notification_outbox WHERE dedupe_key = 'bad:1'`,
    );
    expect(rows[0]).toEqual({ status: 'failed', attempts: 12 });
    await smtp.start();
  });
});
