import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from 'src/common/tokens';
import { OutboxRepository } from 'src/notifications/outbox.repository';
import type { OutboxMessage } from 'src/notifications/outbox.types';
import { type SqlSession } from 'src/database/sql-runner';

/**
 * The one way features send mail: rows go into the outbox (inside the caller's transaction when `tx` is
 * given) and the dispatcher delivers them. Alerts use it; the nightly digest will too.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Idempotent by `dedupeKey`; returns false when that key was already queued. Empty recipient lists are skipped. */
  async enqueue(m: OutboxMessage, tx?: SqlSession): Promise<boolean> {
    const to = [...new Set(m.to.map((a) => a.trim()).filter((a) => a !== ''))];
    if (to.length === 0) return false;
    return this.outbox.insert({ ...m, to }, this.clock.now(), tx);
  }
}
