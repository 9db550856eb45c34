import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/**
 * Schedules as data (immich's cron repository): named intervals registered at runtime in the
 * SchedulerRegistry. A job never overlaps itself and its errors are logged, never thrown into timers.
 */
@Injectable()
export class ScheduleRepository implements OnModuleDestroy {
  private readonly logger = new Logger(ScheduleRepository.name);
  private readonly mine = new Set<string>();
  private readonly busy = new Set<string>();

  constructor(private readonly registry: SchedulerRegistry) {}

  addInterval(name: string, everyMs: number, job: () => Promise<unknown>): void {
    this.remove(name);
    const timer = setInterval(() => void this.runOnce(name, job), everyMs);
    timer.unref();
    this.registry.addInterval(name, timer);
    this.mine.add(name);
  }

  has(name: string): boolean {
    return this.registry.doesExist('interval', name);
  }

  remove(name: string): void {
    if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    this.mine.delete(name);
  }

  onModuleDestroy(): void {
    for (const name of [...this.mine]) this.remove(name);
  }

  private async runOnce(name: string, job: () => Promise<unknown>): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await job();
    } catch (err) {
      this.logger.error(
        `scheduled job ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    } finally {
      this.busy.delete(name);
    }
  }
}
