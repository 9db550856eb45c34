import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { CLOCK, type Clock } from 'src/common/tokens';
import { backoffDelayMs } from 'src/notifications/backoff.util';
import { MAIL_CHANNEL, type MailChannel } from 'src/notifications/mail-channel.types';
import { OutboxRepository } from 'src/notifications/outbox.repository';
import type { OutboxRow } from 'src/notifications/outbox.types';
import { errorText } from 'src/common/error-text.util';

export interface DispatchReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Delivers outbox rows. Each round claims due rows (SKIP LOCKED: several instances never claim the same
 * row), sends them one by one and confirms each. A crash after the SMTP server accepted a message but
 * before the confirmation is the only window for a second delivery; the stable Message-ID lets mail
 * systems drop that duplicate.
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
    const report: DispatchReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
    if (this.channel.kind === 'none') return report;
    const rows = await this.outbox.claim(
      this.instanceId,
      this.clock.now(),
      this.config.health.OUTBOX_LEASE_MS,
      limit,
    );
    report.claimed = rows.length;
    for (const row of rows) await this.deliver(row, report);
    return report;
  }

  private async deliver(row: OutboxRow, report: DispatchReport): Promise<void> {
    try {
      await this.channel.send({
        messageId: `<${row.id}@sis-certify>`,
        from: this.config.mail.MAIL_FROM,
        to: row.recipients,
        subject: row.subject,
        text: row.text,
        html: row.html,
      });
      await this.outbox.markSent(row.id, this.instanceId, this.clock.now());
      report.sent += 1;
    } catch (err) {
      await this.onFailure(row, errorText(err), report);
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
