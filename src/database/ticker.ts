import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { errorText } from 'src/common/error-text.util';

/**
 * A job repeated every `everyMs`: it never overlaps itself (a tick that finds the last run still going is
 * skipped), its errors go to `onError` instead of into the timer, and its timer never keeps the process alive.
 */
export class Ticker {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    readonly everyMs: number,
    private readonly job: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(): this {
    this.stop();
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The interval handle, for registries that list running intervals. */
  get handle(): NodeJS.Timeout | undefined {
    return this.timer;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.job();
    } catch (err) {
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Schedules as data: named tickers registered at runtime in Nest's SchedulerRegistry (so they are listed and
 * stopped with the application). Errors are logged with the job's name.
 */
@Injectable()
export class TickerService implements OnModuleDestroy {
  private readonly logger = new Logger(TickerService.name);
  private readonly tickers = new Map<string, Ticker>();

  constructor(private readonly registry: SchedulerRegistry) {}

  addInterval(name: string, everyMs: number, job: () => Promise<unknown>): void {
    this.remove(name);
    const ticker = new Ticker(everyMs, job, (err) =>
      this.logger.error(`scheduled job ${name} failed: ${errorText(err, { stack: true })}`),
    ).start();
    if (ticker.handle) this.registry.addInterval(name, ticker.handle);
    this.tickers.set(name, ticker);
  }

  has(name: string): boolean {
    return this.registry.doesExist('interval', name);
  }

  remove(name: string): void {
    this.tickers.get(name)?.stop();
    this.tickers.delete(name);
    if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
  }

  onModuleDestroy(): void {
    for (const name of [...this.tickers.keys()]) this.remove(name);
  }
}
