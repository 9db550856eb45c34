import { loggableError } from 'src/common/loggable-error.util';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CLOCK, type Clock } from 'src/common/tokens';
import { TickerService } from 'src/database/ticker';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { dueSlot, offSeasonReason } from 'src/runs/nightly-schedule.util';
import { RunQueueService, schedulerEnabled } from 'src/runs/run-queue.service';
import { RunsRepository } from 'src/runs/runs.repository';
import { LinkHealthRepository } from 'src/connectivity/link-health.repository';
import { StartRunUseCase } from 'src/runs/start-run.use-case';
import { targetsOf } from 'src/runs/runs.types';

export interface TickReport {
  started: string[];
  skipped: string[];
  caughtUp: string[];
  resent: string[];
}

const INTERVAL = 'runs.scheduler';

/**
 * Schedules are data: every tick reads each district's nightly time and time zone, so a change takes effect
 * at the next tick. The tick also starts catch-up runs for links that came back and re-queues runs whose
 * worker died. Any number of instances may tick: the unique (district, slot) index makes one run per slot.
 */
@Injectable()
export class RunSchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RunSchedulerService.name);
  private ticking = false;

  constructor(
    private readonly tickers: TickerService,
    private readonly runs: RunsRepository,
    private readonly linkHealth: LinkHealthRepository,
    private readonly startRun: StartRunUseCase,
    private readonly queue: RunQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!schedulerEnabled(this.config)) return;
    const every = this.config.runs.RUN_SCHEDULER_TICK_SECONDS * 1000;
    this.tickers.addInterval(INTERVAL, every, () => this.tick());
  }

  onModuleDestroy(): void {
    this.tickers.remove(INTERVAL);
  }

  async tick(): Promise<TickReport> {
    const report: TickReport = { started: [], skipped: [], caughtUp: [], resent: [] };
    if (this.ticking) return report;
    this.ticking = true;
    try {
      await this.step('nightly', () => this.nightly(report));
      await this.step('catch-up', () => this.catchUps(report));
      await this.step('stale runs', () => this.stale(report));
    } finally {
      this.ticking = false;
    }
    return report;
  }

  private async step(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.error({ err: loggableError(err) }, `scheduler ${name} failed`);
    }
  }

  private async nightly(report: TickReport): Promise<void> {
    const now = this.clock.now();
    const due = (await this.runs.scheduledDistricts()).flatMap((d) => {
      const slot = dueSlot(now, d.timeZone, d.nightlyAt, this.config.runs.RUN_SCHEDULE_GRACE_MINUTES);
      return slot ? [{ district: d, slot }] : [];
    });
    const taken = await this.runs.slotsTaken(
      due.map((d) => ({ districtId: d.district.id, scheduledFor: d.slot.scheduledFor })),
    );
    for (const { district, slot } of due) {
      if (taken.has(`${district.id}@${slot.scheduledFor.toISOString()}`)) continue;
      try {
        const run = await this.startRun.execute({
          districtId: district.id,
          kind: 'nightly',
          trigger: 'schedule',
          asOf: slot.localDate,
          scheduledFor: slot.scheduledFor,
          offSeasonReason: offSeasonReason(slot.localDate, district.offSeason),
        });
        if (run) (run.status === 'skipped' ? report.skipped : report.started).push(run.id);
      } catch (err) {
        this.logger.error(
          { err: loggableError(err), districtId: district.id },
          'nightly run could not start',
        );
      }
    }
  }

  /** A run skipped because a link was down is caught up once every link it needs is UP again. */
  private async catchUps(report: TickReport): Promise<void> {
    for (const skipped of await this.runs.awaitingCatchUp()) {
      const ids = targetsOf(skipped).map((t) => t.linkId);
      const states = await this.linkHealth.states(ids);
      if (ids.length === 0 || !ids.every((id) => states.get(id) === 'UP')) continue;
      const run = await this.startRun.execute({
        districtId: skipped.districtId,
        kind: 'catch_up',
        trigger: 'link_recovered',
        catchUpOf: skipped.id,
      });
      if (run) report.caughtUp.push(run.id);
    }
  }

  /** Runs nobody holds any more (worker died, job lost): their job is queued again; the singleton key dedupes. */
  private async stale(report: TickReport): Promise<void> {
    for (const run of await this.runs.stale(this.config.runs.RUN_LEASE_SECONDS * 2)) {
      if (run.cancelRequested) {
        await this.runs.cancelOrphaned(run.id);
        continue;
      }
      const jobId = await this.queue.send(run.id);
      if (jobId) {
        await this.runs.setJobId(run.id, jobId);
        report.resent.push(run.id);
      }
    }
  }
}
