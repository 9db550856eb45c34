import { loggableError } from 'src/common/loggable-error.util';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import { DATABASE_URL } from 'src/common/tokens';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { ExecuteRunUseCase } from 'src/runs/execute-run.use-case';
import { RUN_QUEUE, type RunJobData } from 'src/runs/runs.types';

/** Whether this process consumes run jobs: roles worker and all, unless RUN_WORKERS says otherwise. */
export function workersEnabled(config: AppConfig): boolean {
  const o = config.runs.RUN_WORKERS;
  return o === 'on' || (o === 'auto' && config.app.SIS_CERTIFY_ROLE !== 'api');
}

/** Whether this process ticks the nightly scheduler: roles worker and all, unless RUN_SCHEDULER says otherwise. */
export function schedulerEnabled(config: AppConfig): boolean {
  const o = config.runs.RUN_SCHEDULER;
  return o === 'on' || (o === 'auto' && config.app.SIS_CERTIFY_ROLE !== 'api');
}

/**
 * The run queue on pg-boss (schema `pgboss` in the service database). Polling only: the embedded database
 * has no working LISTEN/NOTIFY. Every process can send; workers (by role) consume. A job that outlives
 * RUN_JOB_EXPIRE_SECONDS (its worker died) is failed by maintenance and retried; the run's lease and
 * checkpoints make the retry resume instead of repeating work.
 */
@Injectable()
export class RunQueueService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunQueueService.name);
  private readonly boss: PgBoss;
  private started?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_URL) url: string,
    private readonly executeRun: ExecuteRunUseCase,
  ) {
    const r = config.runs;
    this.boss = new PgBoss({
      connectionString: url,
      application_name: 'sis-certify-queue',
      max: r.RUN_QUEUE_POOL_SIZE,
      schema: 'pgboss',
      supervise: workersEnabled(config),
      schedule: false,
      maintenanceIntervalSeconds: r.RUN_QUEUE_MAINTENANCE_SECONDS,
    });
    this.boss.on('error', (err: Error) => this.logger.error({ err: loggableError(err) }, 'job queue error'));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    if (!workersEnabled(this.config)) return;
    const r = this.config.runs;
    for (let i = 0; i < r.RUN_WORKER_CONCURRENCY; i++) {
      await this.boss.work<RunJobData>(
        RUN_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: Number(r.RUN_QUEUE_POLL_SECONDS) },
        async ([job]) => {
          await this.executeRun.execute(job.data.runId);
        },
      );
    }
    this.logger.log(`run workers started (${r.RUN_WORKER_CONCURRENCY})`);
  }

  /** Starts pg-boss once (creating its schema on first use) and makes sure the run queue exists with current settings. */
  ready(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      const r = this.config.runs;
      const settings = {
        name: RUN_QUEUE,
        policy: 'short' as const,
        expireInSeconds: r.RUN_JOB_EXPIRE_SECONDS,
        retryLimit: r.RUN_JOB_RETRY_LIMIT,
        retryDelay: r.RUN_JOB_RETRY_DELAY_SECONDS,
        retentionMinutes: 7 * 24 * 60,
      };
      if (!(await this.boss.getQueue(RUN_QUEUE))) {
        // Two instances may race to create it; the loser updates instead.
        await this.boss.createQueue(RUN_QUEUE, settings).catch(() => undefined);
      }
      await this.boss.updateQueue(RUN_QUEUE, settings);
    })();
    return this.started;
  }

  /**
   * Queues a run's job. `singletonKey` = run id on a `short` queue: while a job for the run waits, sending
   * again is a no-op (null).
   */
  async send(runId: string): Promise<string | null> {
    await this.ready();
    return this.boss.send(RUN_QUEUE, { runId } satisfies RunJobData, { singletonKey: runId });
  }

  async onApplicationShutdown(): Promise<void> {
    // Running runs stop at their next progress report and give their lease back, so another worker resumes them.
    this.executeRun.stop();
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: 15_000, close: true });
  }
}
