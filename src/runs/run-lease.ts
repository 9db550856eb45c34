import { keepLease } from 'src/database/lease';
import type { Ticker } from 'src/database/ticker';
import { RunStoppedException, type RunStopReason } from 'src/runs/run.exception';
import type { RunStore } from 'src/runs/run-pipeline.ports';
import type { LeaseState, RunStatus } from 'src/runs/runs.types';

/**
 * A worker's hold on one run: renews the lease in the background, learns about cancel requests, and
 * turns a lost lease, a cancel or a shutdown into a RunStoppedException at the next progress report.
 * Progress is written at most every `writeEveryMs`.
 */
export class RunLease {
  private renewal?: Ticker;
  private stopReason: RunStopReason | null = null;
  private lastWrite = 0;
  private pending?: { status?: RunStatus; phase: string; percent: number; message?: string };

  constructor(
    private readonly runs: Pick<RunStore, 'renew' | 'progress'>,
    readonly runId: string,
    readonly owner: string,
    private readonly leaseSeconds: number,
    private readonly isShuttingDown: () => boolean,
    private readonly writeEveryMs = 500,
  ) {}

  start(): void {
    this.renewal = keepLease(this.leaseSeconds * 1000, () => this.renew(), 500);
  }

  stop(): void {
    this.renewal?.stop();
  }

  private async renew(): Promise<void> {
    try {
      this.learn(await this.runs.renew(this.runId, this.owner, this.leaseSeconds));
      if (this.pending && Date.now() - this.lastWrite >= this.writeEveryMs) await this.flush();
    } catch {
      // A missed renewal is retried at the next interval; the lease outlives two of them.
    }
  }

  /** Throws when the run must stop. */
  check(): void {
    if (this.isShuttingDown()) this.stopReason ??= 'shutdown';
    if (this.stopReason) throw new RunStoppedException(this.stopReason);
  }

  /** Records progress (throttled) after checking the run may go on. */
  report(p: { status?: RunStatus; phase: string; percent: number; message?: string }): void {
    this.check();
    this.pending = { ...p, status: p.status ?? this.pending?.status };
    if (Date.now() - this.lastWrite >= this.writeEveryMs) void this.flush().catch(() => undefined);
  }

  /** Writes progress now (phase changes). */
  async set(p: { status?: RunStatus; phase: string; percent: number; message?: string }): Promise<void> {
    this.check();
    this.pending = p;
    await this.flush();
    this.check();
  }

  private async flush(): Promise<void> {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.lastWrite = Date.now();
    this.learn(await this.runs.progress(this.runId, this.owner, p));
  }

  private learn(state: LeaseState): void {
    if (!state.held) this.stopReason ??= 'lease_lost';
    else if (state.cancelRequested) this.stopReason ??= 'cancelled';
  }
}
