import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsString, IsOptional, Matches, Max, Min } from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim()))
    ? Number(value)
    : value;

/** Runs on the job queue (pg-boss), the nightly scheduler and comparisons. */
export class RunsEnv {
  /** on/off override of the role: workers consume run jobs in roles worker and all. */
  @IsOptional()
  @IsIn(['auto', 'on', 'off'])
  RUN_WORKERS: 'auto' | 'on' | 'off' = 'auto';

  /** on/off override of the role: the nightly scheduler ticks in roles worker and all. */
  @IsOptional()
  @IsIn(['auto', 'on', 'off'])
  RUN_SCHEDULER: 'auto' | 'on' | 'off' = 'auto';

  /**
   * Completeness guard: a run fails instead of being certified when an entity of a link shrinks by more than
   * this share against the link's last certified snapshot of the school year (districts may set their own).
   */
  @IsOptional()
  @Transform(toNumber)
  @IsNumber()
  @Min(0.01)
  @Max(1)
  RUN_COMPLETENESS_MAX_SHRINK: number = 0.5;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  RUN_SCHEDULER_TICK_SECONDS: number = 30;

  /**
   * Incremental extraction (SISs with change tracking, direct links): only rows changed since the link's last
   * snapshot are read, the rest carried forward inside PostgreSQL. `nightly` runs only (default), `always`, `off`.
   */
  @IsOptional()
  @IsIn(['nightly', 'always', 'off'])
  RUN_INCREMENTAL_EXTRACTION: 'nightly' | 'always' | 'off' = 'nightly';

  /** Every n-th snapshot of a link in a row is extracted in full (rows deleted in the SIS leave then). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(366)
  RUN_FULL_EXTRACTION_EVERY: number = 7;

  /** A nightly slot missed by up to this long (service down) still runs; older slots are left alone. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  RUN_SCHEDULE_GRACE_MINUTES: number = 360;

  /** pg-boss expires (and retries) a job active for longer than this: a crashed worker's run comes back. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(23 * 3600)
  RUN_JOB_EXPIRE_SECONDS: number = 4 * 3600;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  RUN_JOB_RETRY_LIMIT: number = 10;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  RUN_JOB_RETRY_DELAY_SECONDS: number = 30;

  /** A worker renews its lease on a run every third of this; a lease left to expire means the worker died. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(3600)
  RUN_LEASE_SECONDS: number = 60;

  /** pg-boss maintenance (expiry of jobs of dead workers) and polling; no LISTEN/NOTIFY on the embedded database. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  RUN_QUEUE_MAINTENANCE_SECONDS: number = 60;

  @IsOptional()
  @Matches(/^\d+(\.\d+)?$/, { message: 'RUN_QUEUE_POLL_SECONDS must be a number of seconds (>= 0.5)' })
  RUN_QUEUE_POLL_SECONDS: string = '2';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  RUN_QUEUE_POOL_SIZE: number = 2;

  /** Runs one worker process executes at the same time. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  RUN_WORKER_CONCURRENCY: number = 1;

  /** Student match passes, comma-separated, in order. */
  @IsOptional()
  @IsString()
  @Matches(/^(state_student_id|student_id)(,(state_student_id|student_id))*$/, {
    message: 'COMPARISON_STUDENT_KEYS: state_student_id and/or student_id',
  })
  COMPARISON_STUDENT_KEYS: string = 'state_student_id,student_id';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  COMPARISON_MAX_DIFFERENCES: number = 100_000;

  /** How often an instance looks for extraction requests of agents connected to it, and a requester for their outcome. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  AGENT_RELAY_POLL_MS: number = 1_000;

  /** An agent extraction no instance has claimed (or kept alive) for this long fails as unreachable. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  AGENT_RELAY_CLAIM_TIMEOUT_MS: number = 60_000;

  /** Lease of the instance extracting through its agent; renewed while it works, claimed again after it lapses. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(500)
  AGENT_RELAY_LEASE_MS: number = 60_000;
}
