export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** What a feature asks to be mailed. `dedupeKey` makes enqueueing idempotent (a second insert is ignored). */
export interface OutboxMessage {
  dedupeKey: string;
  districtId: string | null;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html?: string | null;
  /** Deliver no earlier than this (defaults to now). */
  notBefore?: Date;
}

export interface OutboxRow {
  id: string;
  dedupe_key: string;
  district_id: string | null;
  kind: string;
  recipients: string[];
  subject: string;
  text: string;
  html: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  created_at: Date;
}
