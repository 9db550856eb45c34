import { DomainException } from 'src/common/domain.exception';

export enum RunErrorCode {
  /** The run stopped before its end without failing (cancelled, lease lost, shutdown). */
  STOPPED = 'RUN_STOPPED',
  /** Another live worker holds the run's lease. */
  BUSY = 'RUN_BUSY',
  /** A snapshot failed the completeness guard: the run fails instead of being certified. */
  INCOMPLETE = 'RUN_INCOMPLETE',
}

/** Why a run stopped before its end without failing. */
export type RunStopReason = 'cancelled' | 'lease_lost' | 'shutdown';

/** Errors of run execution; internal (the API reports runs by their status, not by these). */
export class RunException extends DomainException<RunErrorCode> {}

/** Thrown from progress reports to unwind a run that must stop (the lease is checked between reports). */
export class RunStoppedException extends RunException {
  constructor(readonly reason: RunStopReason) {
    super(RunErrorCode.STOPPED, `run stopped: ${reason}`);
  }
}

/** Another live worker holds the run's lease: the job is retried later (pg-boss retry delay). */
export class RunBusyException extends RunException {
  constructor(readonly runId: string) {
    super(RunErrorCode.BUSY, `run ${runId} is being executed by another worker`);
  }
}

/** The completeness guard refused a side's snapshot: the run fails with every reason, before any rule runs. */
export class RunIncompleteException extends RunException {
  constructor(readonly problems: string[]) {
    super(RunErrorCode.INCOMPLETE, `completeness guard: ${problems.join('; ')}`);
  }
}
