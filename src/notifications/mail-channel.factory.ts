import type { AppConfig } from 'src/config/config.service';
import { LogMailChannel, NoMailChannel } from 'src/notifications/log-mail.channel';
import type { MailChannel, MailChannelKind } from 'src/notifications/mail-channel.types';
import { SmtpMailChannel } from 'src/notifications/smtp-mail.channel';

export class UnknownMailChannelError extends Error {}

export function mailChannelKind(config: AppConfig): MailChannelKind {
  const wanted = config.health.MAIL_CHANNEL;
  if (wanted !== 'auto') return wanted;
  return config.mail.SMTP_URL ? 'smtp' : 'none';
}

/** One channel per process, chosen by MAIL_CHANNEL (auto: smtp when SMTP_URL is set). */
export function createMailChannel(kind: MailChannelKind, config: AppConfig): MailChannel {
  switch (kind) {
    case 'smtp':
      if (!config.mail.SMTP_URL) throw new UnknownMailChannelError('MAIL_CHANNEL=smtp needs SMTP_URL');
      return new SmtpMailChannel(config.mail.SMTP_URL);
    case 'log':
      return new LogMailChannel();
    case 'none':
      return new NoMailChannel();
    default:
      throw new UnknownMailChannelError(`unknown mail channel: ${String(kind)}`);
  }
}
