import nodemailer, { type Transporter } from 'nodemailer';
import type { MailChannel, MailMessage } from 'src/notifications/mail-channel.types';

/** nodemailer over SMTP_URL (smtp:// or smtps://). No pooling: each delivery is its own short session. */
export class SmtpMailChannel implements MailChannel {
  readonly kind = 'smtp' as const;
  private readonly transport: Transporter;

  constructor(smtpUrl: string, timeoutMs = 15_000) {
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      ignoreTLS:
        url.searchParams.get('ignoreTLS') === 'true' || ['localhost', '127.0.0.1'].includes(url.hostname),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(m: MailMessage): Promise<void> {
    await this.transport.sendMail({
      messageId: m.messageId,
      from: m.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html ?? undefined,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
