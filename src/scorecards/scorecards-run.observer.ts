import { Injectable, Logger } from '@nestjs/common';
import type { EvaluatedSide, RunObserver } from 'src/runs/run-pipeline.ports';
import type { RunRecord } from 'src/runs/runs.types';
import { DigestService } from 'src/scorecards/digest.service';
import { ScorecardCaptureRepository } from 'src/scorecards/scorecard-capture.repository';

/**
 * The scorecards' part of a run: when a side is evaluated, capture what the scorecards need from its snapshot
 * (trial runs excepted: they never reach a scorecard); when a nightly run is done, queue the digests.
 */
@Injectable()
export class ScorecardsRunObserver implements RunObserver {
  private readonly logger = new Logger(ScorecardsRunObserver.name);

  constructor(
    private readonly capture: ScorecardCaptureRepository,
    private readonly digest: DigestService,
  ) {}

  async evaluated(e: EvaluatedSide): Promise<void> {
    if (e.run.kind === 'trial') return;
    await this.capture.capture({
      districtId: e.run.districtId,
      runId: e.run.id,
      side: e.side,
      linkId: e.linkId,
      snapshotId: e.snapshotId,
      evaluationId: e.evaluationId,
      asOf: e.run.asOf,
    });
  }

  async finished(run: RunRecord): Promise<void> {
    if (run.kind !== 'nightly') return;
    const queued = await this.digest.afterRun(run.districtId, run.id);
    this.logger.log({ runId: run.id, queued }, 'nightly digests queued');
  }
}
