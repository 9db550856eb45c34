import type { SisLinkEntity } from 'src/districts/sis-link.entity';
import type { RunRecord, RunTarget } from 'src/runs/runs.types';

/** Progress of one step as a fraction 0..1; throws when the run must stop (cancelled, lease lost). */
export type StepProgress = (fraction: number, message?: string) => void;

export interface ExtractLinkInput {
  runId: string;
  districtId: string;
  link: SisLinkEntity;
  snapshotId: string;
  schoolYear: number;
  asOf: string;
  onProgress: StepProgress;
}

/** Rows extracted in total and per canonical entity. */
export type ExtractReport = { totalRows: number; entities: Record<string, number> };

/** Extracts one link into an existing snapshot; resumable (entities already complete are skipped). */
export interface RunExtractor {
  extract(input: ExtractLinkInput): Promise<ExtractReport>;
}

export interface EvaluateSnapshotInput {
  runId: string;
  districtId: string;
  link: SisLinkEntity;
  snapshotId: string;
  evaluationId: string;
  onProgress: StepProgress;
}

/** Runs the district's rules on one snapshot; idempotent per (evaluation, rule), so a retry resumes. */
export interface RunEvaluator {
  evaluate(input: EvaluateSnapshotInput): Promise<{ rules: number; exceptions: number }>;
}

export const RUN_EXTRACTOR = Symbol('RUN_EXTRACTOR');
export const RUN_EVALUATOR = Symbol('RUN_EVALUATOR');

export interface EvaluatedSide {
  run: RunRecord;
  side: RunTarget['side'];
  linkId: string;
  snapshotId: string;
  evaluationId: string;
}

/** Told by ExecuteRunUseCase about finished evaluations and runs (the scorecards capture and the nightly digest). */
export interface RunObserver {
  /** A side's evaluation finished while its snapshot still exists; a throw fails the step, which is retried. */
  evaluated(e: EvaluatedSide): Promise<void>;
  /** The run finished `done`; errors are logged and never fail the run. */
  finished(run: RunRecord): Promise<void>;
}

export const RUN_OBSERVER = Symbol('RUN_OBSERVER');
