import { Logger } from '@nestjs/common';
import type { MailChannel, MailMessage } from 'src/notifications/mail-channel.types';

/** Development channel: logs each message and keeps the last ones in memory (no SMTP server needed). */
export class LogMailChannel implements MailChannel {
  readonly kind = 'log' as const;
  readonly delivered: MailMessage[] = [];
  private readonly logger = new Logger(LogMailChannel.name);

  constructor(private readonly keep = 200) {}

  send(m: MailMessage): Promise<void> {
    this.delivered.push(m);
    if (this.delivered.length > this.keep) this.delivered.shift();
    this.logger.log(`mail to ${m.to.join(', ')}: ${m.subject}`);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Mail stays in the outbox (no SMTP configured): the dispatcher does not run. */
export class NoMailChannel implements MailChannel {
  readonly kind = 'none' as const;

  send(): Promise<void> {
    return Promise.reject(new Error('no mail channel is configured (set SMTP_URL)'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
