import { Ticker } from 'src/database/ticker';

/**
 * Leases: a row is held by whoever wrote the lease column last, until the instant written there. Claims and
 * renewals are single UPDATEs (with FOR UPDATE SKIP LOCKED where several rows compete), so exactly one
 * holder wins; a holder that dies simply stops renewing and the lease runs out. These helpers are the one
 * way the runs, the agent relay, the outbox and the probe rounds write and test their leases.
 */

/** SQL: the instant a lease taken at `from` (a timestamptz expression) for `ms` milliseconds ends. */
export const leaseEnd = (from: string, ms: string): string =>
  `${from}::timestamptz + make_interval(secs => ${ms}::double precision / 1000)`;

/** SQL: the lease in `column` ran out before `at` (a lease never taken is not "expired"). */
export const leaseExpired = (column: string, at = 'now()'): string => `${column} < ${at}`;

/** SQL: the lease in `column` still runs at `at` (NULL when never taken or released). */
export const leaseHeld = (column: string, at = 'now()'): string => `${column} > ${at}`;

/** SQL: nobody holds the lease in `column` at `at`: never taken, released (NULL) or expired. */
export const leaseFree = (column: string, at = 'now()'): string =>
  `(${column} IS NULL OR ${leaseExpired(column, at)})`;

/**
 * Keeps a lease alive: calls `renew` every third of the lease (at least every `minEveryMs`) until stopped,
 * so one missed renewal never loses it. Errors are the caller's to handle inside `renew`.
 */
export function keepLease(leaseMs: number, renew: () => Promise<unknown>, minEveryMs = 100): Ticker {
  return new Ticker(Math.max(minEveryMs, Math.floor(leaseMs / 3)), renew).start();
}
