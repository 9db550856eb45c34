/** One email as handed to a channel. `messageId` is stable per outbox row so a retried delivery can be recognised. */
export interface MailMessage {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string | null;
}

export const MAIL_CHANNEL_KINDS = ['smtp', 'log', 'none'] as const;
export type MailChannelKind = (typeof MAIL_CHANNEL_KINDS)[number];

/** Where outbox rows are delivered. `send` resolves only once the message was accepted, else throws. */
export interface MailChannel {
  readonly kind: MailChannelKind;
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

export const MAIL_CHANNEL = Symbol('MAIL_CHANNEL');
