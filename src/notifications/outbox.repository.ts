import { Injectable } from '@nestjs/common';
import type { OutboxMessage, OutboxRow } from 'src/notifications/outbox.types';
import { leaseEnd, leaseExpired } from 'src/database/lease';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

const COLUMNS = `id, dedupe_key, district_id, kind, recipients, subject, text, html, status, attempts, next_attempt_at, sent_at, last_error, created_at`;

/** Every statement on notification_outbox. Claims use FOR UPDATE SKIP LOCKED so instances never share a row. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly sql: SqlRunner) {}

  /** Inserts unless the dedupe key exists; true when a row was created. Pass a transaction's manager as `q`. */
  async insert(m: OutboxMessage, now: Date, q: SqlSession = this.sql): Promise<boolean> {
    const rows = await q.query<{ id: string }>(
      `INSERT INTO notification_outbox (dedupe_key, district_id, kind, recipients, subject, text, html, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [m.dedupeKey, m.districtId, m.kind, m.to, m.subject, m.text, m.html ?? null, m.notBefore ?? now, now],
    );
    return rows.length > 0;
  }

  /**
   * Claims due rows for one instance, oldest due first: pending ones whose time has come, and 'sending'
   * ones whose lease expired (their instance died between claim and confirmation, or fell behind).
   */
  claim(instance: string, now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    return this.sql.query<OutboxRow>(
      `WITH claimed AS (
         UPDATE notification_outbox o
            SET status = 'sending', locked_by = $1, locked_until = ${leaseEnd('$2', '$3')},
                attempts = o.attempts + 1
          WHERE o.id IN (SELECT id FROM notification_outbox
                          WHERE ((status = 'pending' AND next_attempt_at <= $2) OR (status = 'sending' AND ${leaseExpired('locked_until', '$2')}))
                          ORDER BY next_attempt_at
                          LIMIT $4
                          FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS.split(', ')
           .map((c) => `o.${c}`)
           .join(', ')})
       SELECT ${COLUMNS} FROM claimed ORDER BY next_attempt_at, created_at`,
      [instance, now, leaseMs, limit],
    );
  }

  /**
   * Extends this instance's lease on one claimed row; false when the claim is no longer held (it lapsed and
   * another instance took the row over, or it was confirmed). The dispatcher renews before each send and
   * while a send is in flight, so a row is never handed to a second instance while its first is sending.
   */
  async renew(id: string, instance: string, now: Date, leaseMs: number): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE notification_outbox
          SET locked_until = ${leaseEnd('$3', '$4')}
        WHERE id = $1 AND locked_by = $2 AND status = 'sending'
       RETURNING id`,
      [id, instance, now, leaseMs],
    );
    return rows.length > 0;
  }

  /** Confirms delivery; only the instance holding the claim may confirm. False when the claim was lost. */
  async markSent(id: string, instance: string, now: Date): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE notification_outbox SET status = 'sent', sent_at = $3, locked_until = NULL, last_error = NULL
        WHERE id = $1 AND locked_by = $2 AND status = 'sending'
       RETURNING id`,
      [id, instance, now],
    );
    return rows.length > 0;
  }

  async markRetry(id: string, instance: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.sql.query(
      `UPDATE notification_outbox SET status = 'pending', next_attempt_at = $3, last_error = $4, locked_until = NULL
        WHERE id = $1 AND locked_by = $2 AND status = 'sending'`,
      [id, instance, nextAttemptAt, error.slice(0, 2000)],
    );
  }

  async markFailed(id: string, instance: string, error: string): Promise<void> {
    await this.sql.query(
      `UPDATE notification_outbox SET status = 'failed', last_error = $3, locked_until = NULL
        WHERE id = $1 AND locked_by = $2 AND status = 'sending'`,
      [id, instance, error.slice(0, 2000)],
    );
  }

  list(districtId: string | null, limit: number): Promise<OutboxRow[]> {
    return this.sql.query<OutboxRow>(
      `SELECT ${COLUMNS} FROM notification_outbox WHERE ($1::uuid IS NULL OR district_id = $1) ORDER BY created_at DESC LIMIT $2`,
      [districtId, limit],
    );
  }
}
