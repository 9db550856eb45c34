import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { OutboxService } from 'src/notifications/outbox.service';
import { DigestRepository, type DigestRecipient } from 'src/scorecards/digest.repository';
import { digestHasNews, renderDigest } from 'src/scorecards/digest.template';
import { ResultsScope } from 'src/scorecards/results-scope';
import { RuleCatalogService } from 'src/scorecards/rule-catalog.service';
import { ScorecardsRepository } from 'src/scorecards/scorecards.repository';
import { ScorecardsService } from 'src/scorecards/scorecards.service';

function scopeLabel(r: DigestRecipient): string {
  if (r.role === 'school_user') return `schools ${r.schoolIds.join(', ') || '(none)'}`;
  if (r.role === 'program_user') return `programs ${r.programCodes.join(', ') || '(none)'}`;
  return 'whole district';
}

/**
 * The nightly digest: after a nightly run, one e-mail per user of the district with their scope's scorecard,
 * only when something is new or resolved, unless the user turned it off. Queued in the outbox with one dedupe
 * key per user and run, so a retried run or a second worker never sends it twice.
 */
@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);

  constructor(
    private readonly repo: DigestRepository,
    private readonly scorecardsRepo: ScorecardsRepository,
    private readonly scorecards: ScorecardsService,
    private readonly rules: RuleCatalogService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(OutboxService) private readonly outbox: OutboxService | null,
  ) {}

  /** Queues the run's digests; returns how many were queued. */
  async afterRun(districtId: string, runId: string): Promise<number> {
    if (!this.outbox) {
      this.logger.warn({ runId }, 'no outbox in this process: nightly digests not sent');
      return 0;
    }
    const district = await this.scorecardsRepo.district(districtId);
    if (!district) return 0;
    const catalog = await this.rules.forDistrict(districtId);
    const url = `${this.config.http.PUBLIC_URL.replace(/\/+$/, '')}/districts/${districtId}/scorecard`;
    let queued = 0;
    for (const r of await this.repo.recipients(districtId)) {
      const principal: Principal = {
        userId: r.userId,
        email: r.email,
        role: r.role,
        districtId,
        schoolIds: r.schoolIds,
        programCodes: r.programCodes,
        via: 'token',
      };
      const ctx = await this.scorecards
        .contextFor(district, catalog, ResultsScope.of(principal, districtId, catalog), { runId })
        .catch(() => null);
      if (!ctx?.evaluation) continue;
      const card = await this.scorecards.build(ctx, 2);
      if (!digestHasNews(card)) continue;
      const mail = renderDigest(card, scopeLabel(r), url);
      const added = await this.outbox.enqueue({
        dedupeKey: `digest:${runId}:${r.userId}`,
        districtId,
        kind: 'digest',
        to: [r.email],
        ...mail,
      });
      if (added) queued += 1;
    }
    return queued;
  }

  async preference(p: Principal): Promise<{ enabled: boolean }> {
    return { enabled: await this.repo.enabled(p.userId) };
  }

  async setPreference(p: Principal, enabled: boolean): Promise<{ enabled: boolean }> {
    await this.repo.setEnabled(p.userId, enabled);
    return { enabled };
  }
}
