import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorText } from 'src/common/error-text.util';
import { keepLease } from 'src/database/lease';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { CLOCK, type Clock } from 'src/common/tokens';
import { backoffDelayMs } from 'src/notifications/backoff.util';
import { MAIL_CHANNEL, type MailChannel } from 'src/notifications/mail-channel.types';
import { OutboxRepository } from 'src/notifications/outbox.repository';
import type { OutboxRow } from 'src/notifications/outbox.types';

export interface DispatchReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Claimed rows whose lease lapsed before their turn and that another instance took over (not sent here). */
  lost: number;
}

/**
 * Delivers outbox rows. Each round claims due rows (SKIP LOCKED: several instances never claim the same
 * row) and sends them one by one. A claimed row is sent only while its claim is held: the lease is
 * renewed just before the send (a row whose lease lapsed while earlier rows of the batch were sending,
 * and that another instance took over, is skipped) and kept alive while the send is in flight (a slow
 * SMTP server never lets the lease lapse under a message being delivered); the confirmation is
 * conditional on still holding the claim. What remains is a process frozen for longer than the lease in
 * the middle of a send, or a crash after the SMTP server accepted a message but before the confirmation;
 * the stable Message-ID lets mail systems drop that duplicate.
 */
@Injectable()
export class OutboxDispatcherService {
  private readonly logger = new Logger(OutboxDispatcherService.name);
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private running: Promise<DispatchReport> | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(MAIL_CHANNEL) private readonly channel: MailChannel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One delivery round; overlapping calls share the running round. */
  dispatchDue(limit = 50): Promise<DispatchReport> {
    this.running ??= this.round(limit).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(limit: number): Promise<DispatchReport> {
    const report: DispatchReport = { claimed: 0, sent: 0, retried: 0, failed: 0, lost: 0 };
    if (this.channel.kind === 'none') return report;
    const rows = await this.outbox.claim(this.instanceId, this.clock.now(), this.leaseMs, limit);
    report.claimed = rows.length;
    for (const row of rows) await this.deliver(row, report);
    return report;
  }

  private get leaseMs(): number {
    return this.config.health.OUTBOX_LEASE_MS;
  }

  private renew(row: OutboxRow): Promise<boolean> {
    return this.outbox.renew(row.id, this.instanceId, this.clock.now(), this.leaseMs);
  }

  private async deliver(row: OutboxRow, report: DispatchReport): Promise<void> {
    if (!(await this.renew(row))) {
      report.lost += 1;
      return;
    }
    const keepAlive = keepLease(this.leaseMs, () => this.renew(row).catch(() => undefined), 50);
    try {
      await this.channel.send({
        messageId: `<${row.id}@sis-certify>`,
        from: this.config.mail.MAIL_FROM,
        to: row.recipients,
        subject: row.subject,
        text: row.text,
        html: row.html,
      });
    } catch (err) {
      keepAlive.stop();
      await this.onFailure(row, errorText(err), report);
      return;
    }
    keepAlive.stop();
    report.sent += 1;
    try {
      if (await this.outbox.markSent(row.id, this.instanceId, this.clock.now())) return;
      this.logger.warn(
        `message ${row.id} (${row.kind}) was delivered after its claim lapsed; another instance may deliver it again (same Message-ID)`,
      );
    } catch (err) {
      // Not retried as a failure: the message was accepted. The row is taken over when its lease lapses.
      this.logger.error(`message ${row.id} (${row.kind}) delivered but not confirmed: ${errorText(err)}`);
    }
  }

  private async onFailure(row: OutboxRow, error: string, report: DispatchReport): Promise<void> {
    const h = this.config.health;
    if (row.attempts >= h.OUTBOX_MAX_ATTEMPTS) {
      this.logger.error(
        `giving up on message ${row.id} (${row.kind}) after ${row.attempts} attempts: ${error}`,
      );
      await this.outbox.markFailed(row.id, this.instanceId, error);
      report.failed += 1;
      return;
    }
    const delay = backoffDelayMs(row.attempts, {
      baseMs: h.OUTBOX_RETRY_BASE_MS,
      capMs: h.OUTBOX_RETRY_CAP_MS,
      jitter: 0.2,
    });
    this.logger.warn(
      `message ${row.id} (${row.kind}) not delivered, attempt ${row.attempts}, retry in ${delay} ms: ${error}`,
    );
    await this.outbox.markRetry(row.id, this.instanceId, error, new Date(this.clock.now().getTime() + delay));
    report.retried += 1;
  }
}
