/** Why a run stopped before its end without failing. */
export type RunStopReason = 'cancelled' | 'lease_lost' | 'shutdown';

/** Thrown from progress reports to unwind a run that must stop (the lease is checked between reports). */
export class RunStoppedException extends Error {
  constructor(readonly reason: RunStopReason) {
    super(`run stopped: ${reason}`);
    this.name = 'RunStoppedException';
  }
}

/** Another live worker holds the run's lease: the job is retried later (pg-boss retry delay). */
export class RunBusyException extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} is being executed by another worker`);
    this.name = 'RunBusyException';
  }
}
