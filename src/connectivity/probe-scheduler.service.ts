import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { CLOCK, type Clock } from 'src/common/tokens';
import { LinkHealthRepository, type DueProbe } from 'src/connectivity/link-health.repository';
import { LinkHealthService } from 'src/connectivity/link-health.service';
import { LinkProberRepository } from 'src/connectivity/link-prober.repository';
import { errorText } from 'src/common/error-text.util';

const MAX_CONCURRENT_PROBES = 8;

/** Probes direct links when due. Each round is claimed in the database, so instances split the work. */
@Injectable()
export class ProbeSchedulerService {
  private readonly logger = new Logger(ProbeSchedulerService.name);
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly repo: LinkHealthRepository,
    private readonly prober: LinkProberRepository,
    private readonly health: LinkHealthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One pass: claims due links and probes them; returns how many were probed. */
  async probeDue(): Promise<number> {
    const now = this.clock.now();
    await this.repo.ensureRows(now);
    const h = this.config.health;
    const due = await this.repo.claimDue(
      this.instanceId,
      now,
      h.PROBE_INTERVAL_OVERRIDE_MS ?? null,
      100,
      h.PROBE_TIMEOUT_MS + 2_000,
    );
    for (let i = 0; i < due.length; i += MAX_CONCURRENT_PROBES) {
      await Promise.all(due.slice(i, i + MAX_CONCURRENT_PROBES).map((d) => this.probeOne(d)));
    }
    return due.length;
  }

  async prune(): Promise<void> {
    const h = this.config.health;
    await this.repo.prune(this.clock.now(), h.PROBE_RAW_RETENTION_HOURS, h.PROBE_ROLLUP_RETENTION_DAYS);
  }

  private async probeOne(d: DueProbe): Promise<void> {
    try {
      const result = await this.prober.probe(
        { name: d.name, settings: d.settings, secretCiphertext: d.secret_ciphertext },
        this.config.health.PROBE_TIMEOUT_MS,
      );
      await this.health.recordLinkProbe(d.link_id, result);
    } catch (err) {
      this.logger.error(`probe of link ${d.link_id} could not be recorded: ${errorText(err)}`);
    }
  }
}
