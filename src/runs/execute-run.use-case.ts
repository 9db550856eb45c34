import { loggableError } from 'src/common/loggable-error.util';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ConnectorException } from 'connectors/sdk/connector.exception';
import { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { TenantScope } from 'src/auth/tenant-scope';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { LinksRepository } from 'src/districts/links.repository';
import type { SisLinkEntity } from 'src/districts/sis-link.entity';
import type { FieldNotSupplied } from 'connectors/sdk/native-schema';
import { runComparisonOptions, withoutFields } from 'src/runs/comparison-options.util';
import { completenessProblems, type EntityCounts } from 'src/runs/completeness.util';
import { RunBusyException, RunIncompleteException, RunStoppedException } from 'src/runs/run.exception';
import { RunLease } from 'src/runs/run-lease';
import {
  RUN_EVALUATOR,
  RUN_EXTRACTOR,
  RUN_OBSERVER,
  type ExtractReport,
  type RunEvaluator,
  type RunExtractor,
  type RunComparison,
  type RunDistricts,
  type RunLinks,
  type RunObserver,
  type RunSnapshots,
  type RunStore,
  type StepProgress,
} from 'src/runs/run-pipeline.ports';
import { RunsRepository } from 'src/runs/runs.repository';
import { ACTIVE_RUN_STATUSES, targetsOf, type RunRecord, type RunTarget } from 'src/runs/runs.types';
import { errorText } from 'src/common/error-text.util';
import { isConnectionLoss } from 'src/database/connection-loss.util';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';
import { mustGet } from 'src/common/invariant.util';

/** Share of the progress bar per phase: extraction is the long part. */
const SPAN = { extract: [0, 60], evaluate: [60, 85], compare: [85, 98], retention: [98, 100] } as const;

interface Planned extends RunTarget {
  link: SisLinkEntity;
  /** Fields this side's SIS schema does not supply (schema discovery of its extraction). */
  notSupplied: FieldNotSupplied[];
  /** Why this side is not extracted (its link was down when the run was recorded, or its extraction failed). */
  unavailable: string | null;
  /** Rows per entity of the side's snapshot, once extracted. */
  rows?: EntityCounts;
}

/** Sides a run could not extract, and why; the comparison needs both. */
const missingSides = (planned: Planned[]): string =>
  planned
    .filter((p) => p.unavailable)
    .map((p) => `${p.side} side (${p.link.name}) ${p.unavailable}`)
    .join('; ');

export type ExecuteOutcome = 'done' | 'failed' | 'cancelled' | 'finished_elsewhere' | 'lease_lost';

/**
 * Runs `work` for every side at once (old and new are different databases, each side holds one service
 * connection at a time) and waits for all of them, so a failing side never leaves the other running
 * unobserved; then rethrows the first failure (a stop request first, so cancel and shutdown stay typed).
 */
async function eachSide(planned: Planned[], work: (p: Planned) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(planned.map((p) => work(p)));
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) return;
  throw failures.find((e) => e instanceof RunStoppedException) ?? failures[0];
}

/** Progress of a phase that runs the sides concurrently: each side's fraction and message, reported together. */
class SideProgress {
  private readonly sides = new Map<string, { fraction: number; message: string }>();

  constructor(
    private readonly lease: RunLease,
    private readonly verb: string,
    private readonly percent: (fraction: number) => number,
  ) {}

  report(side: string, sideCount: number, fraction: number, message: string): void {
    this.sides.set(side, { fraction: Math.max(0, Math.min(1, fraction)), message });
    let sum = 0;
    for (const s of this.sides.values()) sum += s.fraction;
    const parts = [...this.sides.entries()];
    this.lease.report({
      phase: `${this.verb} ${parts.map(([k]) => k).join(' + ')}`,
      percent: this.percent(sum / Math.max(1, sideCount)),
      message: parts.length === 1 ? message : parts.map(([k, s]) => `${k}: ${s.message}`).join('; '),
    });
  }
}

/**
 * Executes one run: extraction of each link (old and new in a migration, concurrently), evaluation of the rules on
 * each snapshot (concurrently too), the comparison, and retention. Every step is checkpointed in run_checkpoints (extraction also per
 * entity in snapshot_checkpoints, evaluation per rule), so an attempt after a crash resumes where the last one
 * stopped. A lease on the run keeps two workers from executing it at once.
 */
@Injectable()
export class ExecuteRunUseCase {
  private readonly logger = new Logger(ExecuteRunUseCase.name);
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private shuttingDown = false;

  constructor(
    @Inject(RunsRepository) private readonly runs: RunStore,
    @Inject(SnapshotsRepository) private readonly snapshots: RunSnapshots,
    @Inject(LinksRepository) private readonly links: RunLinks,
    @Inject(DistrictsRepository) private readonly districts: RunDistricts,
    @Inject(CompareSnapshotsUseCase) private readonly compare: RunComparison,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUN_EXTRACTOR) private readonly extractor: RunExtractor,
    @Optional() @Inject(RUN_EVALUATOR) private readonly evaluator: RunEvaluator | null,
    @Optional() @Inject(RUN_OBSERVER) private readonly observer: RunObserver | null = null,
  ) {}

  /** Running runs stop at their next progress report and release their lease (graceful shutdown). */
  stop(): void {
    this.shuttingDown = true;
  }

  async execute(runId: string): Promise<ExecuteOutcome> {
    const leaseSeconds = this.config.runs.RUN_LEASE_SECONDS;
    // The lease is held by this attempt, not by the worker: when a loaded machine lets the lease lapse and the
    // queue hands the job to this same worker again, the new attempt claims it and the old one learns it lost.
    const owner = `${this.workerId}/${randomUUID().slice(0, 8)}`;
    const run = await this.runs.claim(runId, owner, leaseSeconds);
    if (!run) return this.notClaimed(runId);
    const lease = new RunLease(this.runs, run.id, owner, leaseSeconds, () => this.shuttingDown);
    lease.start();
    try {
      const planned = await this.pipeline(run, lease);
      lease.stop();
      const missing = missingSides(planned);
      const message = missing ? `done without the ${missing}` : 'done';
      if (!(await this.runs.finish(run.id, owner, 'done', { message }))) return 'lease_lost';
      await this.observer?.finished(run).catch((err: unknown) => {
        this.logger.error({ runId: run.id, err }, 'run observer failed after the run');
      });
      return 'done';
    } catch (err) {
      lease.stop();
      return this.stopped(run, owner, err);
    }
  }

  private async notClaimed(runId: string): Promise<ExecuteOutcome> {
    const current = await this.runs.findById(runId);
    if (!current || !ACTIVE_RUN_STATUSES.includes(current.status)) return 'finished_elsewhere';
    if (current.cancelRequested && (await this.runs.cancelOrphaned(runId))) return 'cancelled';
    throw new RunBusyException(runId);
  }

  private async stopped(run: RunRecord, owner: string, err: unknown): Promise<ExecuteOutcome> {
    if (err instanceof RunStoppedException) {
      if (err.reason === 'cancelled') {
        await this.runs.finish(run.id, owner, 'cancelled', { message: 'cancelled' });
        return 'cancelled';
      }
      if (err.reason === 'shutdown') {
        await this.runs.renew(run.id, owner, 0).catch(() => undefined);
        throw err;
      }
      return 'lease_lost';
    }
    // A cancelled run ends cancelled, whatever the step it was in made of being interrupted.
    if ((await this.runs.findById(run.id).catch(() => null))?.cancelRequested) {
      await this.runs.finish(run.id, owner, 'cancelled', { message: 'cancelled' });
      return 'cancelled';
    }
    // The service's own database went away under the run (connection killed, server restarting): not the
    // run's fault. Give the lease back and let the queue retry; the next attempt resumes from the
    // checkpoints. SIS-side failures (ConnectorException) and the last allowed attempt stay failures.
    if (
      !(err instanceof ConnectorException) &&
      isConnectionLoss(err) &&
      run.attempts <= this.config.runs.RUN_JOB_RETRY_LIMIT
    ) {
      this.logger.warn(
        { runId: run.id, attempt: run.attempts, err: loggableError(err) },
        'lost the service database under the run: it is retried and resumes from its checkpoints',
      );
      await this.runs.renew(run.id, owner, 0).catch(() => undefined);
      throw err;
    }
    const message = errorText(err);
    this.logger.error({ runId: run.id, err: loggableError(err) }, 'run failed');
    await this.runs.finish(run.id, owner, 'failed', { message: 'failed', error: message });
    return 'failed';
  }

  private async plan(run: RunRecord): Promise<Planned[]> {
    const targets = targetsOf(run);
    if (targets.length === 0) throw new Error('the run has no SIS link');
    const sides = new Map((await this.runs.sides([run.id])).map((s) => [s.side, s]));
    const planned: Planned[] = [];
    for (const t of targets) {
      const link = await this.links.findById(t.linkId);
      if (!link) throw new Error(`the ${t.side} SIS link no longer exists`);
      const side = sides.get(t.side);
      const unavailable = side?.status === 'skipped' ? `skipped: ${side.reason ?? 'no reason given'}` : null;
      planned.push({ ...t, link, unavailable, notSupplied: [] });
    }
    return planned;
  }

  /** The run's steps; answers the plan, whose sides say which could not be extracted and why. */
  private async pipeline(run: RunRecord, lease: RunLease): Promise<Planned[]> {
    const planned = await this.plan(run);
    const snapshots = await this.extractAll(run, planned, lease);
    await this.guardCompleteness(run, planned, snapshots);
    const evaluations = await this.evaluateAll(run, planned, snapshots, lease);
    if (planned.length === 2) await this.compareSides(run, planned, snapshots, evaluations, lease);
    await lease.set({ phase: 'retention', percent: SPAN.retention[0], message: 'purging old snapshots' });
    for (const p of planned) {
      if (p.unavailable) continue;
      const cp = await this.runs.startStep(run.id, 'retention', p.side, null);
      if (cp.status === 'done') continue;
      const purged = await this.snapshots.purgeOld(p.link.id, p.link.snapshotsToKeep);
      await this.runs.completeStep(run.id, 'retention', p.side, { purged });
    }
    return planned;
  }

  private span(phase: keyof typeof SPAN, index: number, count: number, fraction: number): number {
    const [from, to] = SPAN[phase];
    return from + ((to - from) * (index + Math.max(0, Math.min(1, fraction)))) / count;
  }

  private async extractAll(
    run: RunRecord,
    planned: Planned[],
    lease: RunLease,
  ): Promise<Map<string, string>> {
    const snapshots = new Map<string, string>();
    await lease.set({
      status: 'extracting',
      phase: 'extracting',
      percent: SPAN.extract[0],
      message: 'extracting',
    });
    const progress = new SideProgress(lease, 'extracting', (f) => this.span('extract', 0, 1, f));
    const sides = planned.filter((p) => !p.unavailable);
    // Old and new are different databases: both sides are extracted at once, each resumable on its own.
    await eachSide(sides, async (p) => {
      const snapshotId = await this.snapshots.forRun(run.id, p.link, run.schoolYear, run.asOf);
      const cp = await this.runs.startStep(run.id, 'extract', p.side, snapshotId);
      if (cp.status === 'done') {
        if (typeof cp.detail.failed === 'string') p.unavailable = `failed: ${cp.detail.failed}`;
        else {
          snapshots.set(p.side, snapshotId);
          p.rows = cp.detail.entities as EntityCounts | undefined;
        }
        p.notSupplied = Array.isArray(cp.detail.notSupplied)
          ? (cp.detail.notSupplied as FieldNotSupplied[])
          : [];
        return;
      }
      const report = await this.extractSide(run, p, snapshotId, planned.length, (fraction, message) =>
        progress.report(p.side, sides.length, fraction, message ?? `extracting ${p.link.name}`),
      );
      if (!report) return;
      p.notSupplied = report.notSupplied ?? [];
      snapshots.set(p.side, snapshotId);
      p.rows = report.entities;
      await this.runs.completeStep(run.id, 'extract', p.side, { snapshotId, ...report });
      await this.runs.setSide(run.id, p.side, 'extracted', null);
      lease.check();
    });
    if (snapshots.size === 0) throw new Error(`no side could be extracted: ${missingSides(planned)}`);
    return snapshots;
  }

  /**
   * Extracts one side. In a migration run, a side whose SIS cannot be read (connector error: unreachable,
   * refused login, timeout, failing query) is recorded as failed with the reason and the other side goes on;
   * null then. A single-link run fails as before.
   */
  private async extractSide(
    run: RunRecord,
    p: Planned,
    snapshotId: string,
    sideCount: number,
    onProgress: StepProgress,
  ): Promise<ExtractReport | null> {
    try {
      return await this.extractor.extract({
        runId: run.id,
        districtId: run.districtId,
        link: p.link,
        snapshotId,
        schoolYear: run.schoolYear,
        asOf: run.asOf,
        windowYears: run.comparisonYears ?? undefined,
        kind: run.kind,
        onProgress,
      });
    } catch (err) {
      if (sideCount < 2 || !(err instanceof ConnectorException)) throw err;
      const reason = `${err.code.toLowerCase()}: ${err.message}`;
      this.logger.warn(
        { runId: run.id, side: p.side, err: loggableError(err) },
        'side not extracted; the other side goes on',
      );
      await this.runs.completeStep(run.id, 'extract', p.side, { snapshotId, failed: reason });
      await this.runs.setSide(run.id, p.side, 'failed', reason);
      p.unavailable = `failed: ${reason}`;
      return null;
    }
  }

  /**
   * The completeness guard, between extraction and evaluation: a side whose snapshot is empty, or whose
   * entities fell to zero or shrank past the district's share (RUN_COMPLETENESS_MAX_SHRINK by default) against
   * the link's last certified snapshot, fails the run with every reason before a rule could pass on it.
   */
  private async guardCompleteness(
    run: RunRecord,
    planned: Planned[],
    snapshots: Map<string, string>,
  ): Promise<void> {
    const district = await this.districts.find(TenantScope.system(), run.districtId);
    const maxShrink = district?.completenessMaxShrink ?? this.config.runs.RUN_COMPLETENESS_MAX_SHRINK;
    const problems: string[] = [];
    for (const p of planned) {
      const snapshotId = snapshots.get(p.side);
      // A checkpoint without counts (never written so) leaves nothing to measure.
      if (!snapshotId || p.unavailable || !p.rows) continue;
      const baseline = await this.snapshots.completenessBaseline(p.link.id, run.schoolYear, snapshotId);
      const found = completenessProblems(p.rows ?? {}, baseline, maxShrink);
      if (found.length > 0) problems.push(`${p.side} side (${p.link.name}): ${found.join(', ')}`);
    }
    if (problems.length === 0) return;
    this.logger.warn({ runId: run.id, problems }, 'run failed the completeness guard');
    throw new RunIncompleteException(problems);
  }

  private async evaluateAll(
    run: RunRecord,
    planned: Planned[],
    snapshots: Map<string, string>,
    lease: RunLease,
  ): Promise<Map<string, string>> {
    const evaluations = new Map<string, string>();
    await lease.set({
      status: 'evaluating',
      phase: 'evaluating',
      percent: SPAN.evaluate[0],
      message: 'evaluating rules',
    });
    const progress = new SideProgress(lease, 'evaluating', (f) => this.span('evaluate', 0, 1, f));
    const sides = planned.filter((p) => !p.unavailable);
    await eachSide(sides, async (p) => {
      // The evaluation id is fixed by the first attempt, so a retry continues the same evaluation.
      const cp = await this.runs.startStep(run.id, 'evaluate', p.side, randomUUID());
      const evaluationId = cp.refId ?? randomUUID();
      if (cp.status === 'done') {
        if (cp.detail.skipped === undefined) evaluations.set(p.side, evaluationId);
        return;
      }
      if (!this.evaluator) {
        await this.runs.completeStep(run.id, 'evaluate', p.side, { skipped: 'no rule engine in this build' });
        await this.runs.setSide(run.id, p.side, 'skipped', 'no rule engine in this build');
        return;
      }
      const snapshotId = mustGet(snapshots, p.side, 'snapshot');
      const result = await this.evaluator.evaluate({
        runId: run.id,
        districtId: run.districtId,
        link: p.link,
        snapshotId,
        evaluationId,
        notSupplied: p.notSupplied,
        onProgress: (fraction, message) =>
          progress.report(p.side, sides.length, fraction, message ?? 'evaluating rules'),
      });
      await this.observer?.evaluated({ run, side: p.side, linkId: p.link.id, snapshotId, evaluationId });
      await this.runs.completeStep(run.id, 'evaluate', p.side, { evaluationId, ...result });
      await this.runs.setSide(run.id, p.side, 'evaluated', null);
      evaluations.set(p.side, evaluationId);
      lease.check();
    });
    return evaluations;
  }

  private async compareSides(
    run: RunRecord,
    planned: Planned[],
    snapshots: Map<string, string>,
    evaluations: Map<string, string>,
    lease: RunLease,
  ): Promise<void> {
    const cp = await this.runs.startStep(run.id, 'compare', 'old-new', null);
    if (cp.status === 'done') return;
    const missing = missingSides(planned);
    if (missing) {
      // Nothing to compare against: the comparison is recorded as skipped, with the side that is missing.
      await this.runs.completeStep(run.id, 'compare', 'old-new', {
        skipped: `one side is missing: ${missing}`,
      });
      return;
    }
    await lease.set({
      status: 'comparing',
      phase: 'comparing',
      percent: SPAN.compare[0],
      message: 'comparing the old and the new SIS',
    });
    const options = runComparisonOptions(
      this.config.runs,
      (await this.districts.find(TenantScope.system(), run.districtId))?.comparisonKeys ?? null,
      planned.map((p) => p.link.sisKind),
    );
    const comparisonId = await this.compare.execute({
      districtId: run.districtId,
      runId: run.id,
      oldSnapshotId: mustGet(snapshots, 'old', 'snapshot'),
      newSnapshotId: mustGet(snapshots, 'new', 'snapshot'),
      oldEvaluationId: evaluations.get('old') ?? null,
      newEvaluationId: evaluations.get('new') ?? null,
      isTrial: run.kind === 'trial',
      options: {
        ...options,
        // A field one side's schema does not supply is no difference.
        fields: withoutFields(
          options.fields ?? {},
          planned.flatMap((p) => p.notSupplied),
        ),
        asOf: run.asOf,
      },
    });
    await this.runs.completeStep(run.id, 'compare', 'old-new', { comparisonId });
    lease.check();
  }
}
