import type { SisLinkEntity } from 'src/districts/sis-link.entity';

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
