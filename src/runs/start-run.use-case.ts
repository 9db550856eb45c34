import { Inject, Injectable, Logger } from '@nestjs/common';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import { CLOCK, type Clock } from 'src/common/tokens';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { LinksRepository } from 'src/districts/links.repository';
import type { SisLinkEntity } from 'src/districts/sis-link.entity';
import { localToday, schoolYearFor } from 'src/runs/nightly-schedule.util';
import { RunQueueService } from 'src/runs/run-queue.service';
import { RunsRepository } from 'src/runs/runs.repository';
import { LinkHealthRepository } from 'src/connectivity/link-health.repository';
import {
  targetsOf,
  type NewRun,
  type RunKind,
  type RunRecord,
  type RunSide,
  type RunTarget,
  type RunTrigger,
} from 'src/runs/runs.types';

export interface StartRunInput {
  districtId: string;
  kind: RunKind;
  trigger: RunTrigger;
  triggeredBy?: string | null;
  /** Local date the data is taken as of; default today in the district's time zone. */
  asOf?: string;
  /** Nightly slot: unique per district, so several schedulers create one run. */
  scheduledFor?: Date | null;
  catchUpOf?: string | null;
  /** Set by the scheduler when the slot falls in an off-season window. */
  offSeasonReason?: string | null;
  /** School years this run compares, overriding the district's `comparisonYears`. */
  comparisonYears?: number | null;
}

type LinkIds = Pick<NewRun, 'currentLinkId' | 'oldLinkId' | 'newLinkId'>;

/**
 * Records a run and queues its job, or records it as skipped with the reason (off season, every link it
 * needs down, no link); a migration run with one link down runs the other side. Returns null when the schedule slot or catch-up already has its run (another instance won).
 */
@Injectable()
export class StartRunUseCase {
  private readonly logger = new Logger(StartRunUseCase.name);

  constructor(
    private readonly runs: RunsRepository,
    private readonly linkHealth: LinkHealthRepository,
    private readonly districts: DistrictsRepository,
    private readonly links: LinksRepository,
    private readonly queue: RunQueueService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(input: StartRunInput): Promise<RunRecord | null> {
    const district = await this.districts.find(TenantScope.system(), input.districtId);
    if (!district) throw DomainException.notFound('district');
    const enabled = (await this.links.list(TenantScope.system(), district.id)).filter((l) => l.enabled);
    const ids = this.chooseLinks(input.kind, enabled);
    const asOf = input.asOf ?? localToday(this.clock.now(), district.timeZone);
    const down = input.offSeasonReason ? null : await this.downLinks(ids, enabled);
    const skipReason = input.offSeasonReason
      ? `off_season: ${input.offSeasonReason}`
      : (down?.runSkipReason ?? null);
    const run = await this.runs.insert({
      districtId: district.id,
      kind: input.kind,
      status: skipReason ? 'skipped' : 'queued',
      asOf,
      schoolYear: schoolYearFor(asOf, district.schoolYear),
      // Fixed now: both sides, and every retry, read the same window.
      comparisonYears: input.comparisonYears ?? district.comparisonYears ?? null,
      ...ids,
      triggerKind: input.trigger,
      triggeredBy: input.triggeredBy ?? null,
      skipReason,
      scheduledFor: input.scheduledFor ?? null,
      catchUpOf: input.catchUpOf ?? null,
      skippedSides: down?.skippedSides,
    });
    if (!run) return null;
    if (run.status === 'queued') {
      const jobId = await this.queue.send(run.id);
      if (jobId) await this.runs.setJobId(run.id, jobId);
    }
    this.logger.log(
      {
        runId: run.id,
        districtId: district.id,
        kind: run.kind,
        status: run.status,
        skipReason,
        skippedSides: down?.skippedSides,
      },
      'run recorded',
    );
    return run;
  }

  /** Migration mode when the district has a new link and an old (or current) one; else the single link. */
  private chooseLinks(kind: RunKind, links: SisLinkEntity[]): LinkIds {
    const byRole = new Map(links.map((l) => [l.role, l]));
    const neu = byRole.get('new');
    const old = byRole.get('old') ?? byRole.get('current');
    if (kind === 'trial' && !neu?.isTestCopy) {
      throw DomainException.conflict('a trial run needs a new SIS link marked as a test copy');
    }
    if (neu && old)
      return { currentLinkId: byRole.get('current')?.id ?? null, oldLinkId: old.id, newLinkId: neu.id };
    const single = byRole.get('current') ?? neu ?? old;
    return { currentLinkId: single?.id ?? null, oldLinkId: null, newLinkId: null };
  }

  /**
   * The run is skipped when it has no link or every link it needs is DOWN. In a migration with one side
   * DOWN the run goes ahead with the side that is up; the other is recorded as skipped with the reason.
   */
  private async downLinks(
    ids: LinkIds,
    links: SisLinkEntity[],
  ): Promise<{ runSkipReason: string | null; skippedSides: Partial<Record<RunSide, string>> }> {
    const targets = targetsOf(ids);
    if (targets.length === 0)
      return { runSkipReason: 'no_link: the district has no enabled SIS link', skippedSides: {} };
    const states = await this.linkHealth.states(targets.map((t) => t.linkId));
    const name = new Map(links.map((l) => [l.id, l.name]));
    const down = targets.filter((t) => states.get(t.linkId) === 'DOWN');
    const reason = (ts: RunTarget[]) => `link_down: ${ts.map((t) => name.get(t.linkId)).join(', ')}`;
    if (down.length === targets.length) return { runSkipReason: reason(down), skippedSides: {} };
    return {
      runSkipReason: null,
      skippedSides: Object.fromEntries(down.map((t) => [t.side, reason([t])])),
    };
  }
}
