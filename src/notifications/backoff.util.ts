/** Exponential back-off with jitter, shared by the outbox dispatcher (SMTP retries) and the agent (reconnects). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** 0 = none; 0.5 = the delay is drawn from [50 %, 100 %] of the exponential value ("equal jitter"). */
  jitter: number;
}

/** Delay before attempt `attempt + 1`, where `attempt` (≥ 1) attempts have already failed. */
export function backoffDelayMs(
  attempt: number,
  p: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const exp = Math.min(p.capMs, p.baseMs * 2 ** Math.min(n - 1, 30));
  const jitter = Math.min(1, Math.max(0, p.jitter));
  return Math.round(exp * (1 - jitter) + exp * jitter * random());
}
