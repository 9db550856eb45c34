import type { FieldNotSupplied } from 'connectors/sdk/native-schema';
import type { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import type { DistrictsRepository } from 'src/districts/districts.repository';
import type { LinksRepository } from 'src/districts/links.repository';
import type { SisLinkEntity } from 'src/districts/sis-link.entity';
import type { RunsRepository } from 'src/runs/runs.repository';
import type { RunKind, RunRecord, RunTarget } from 'src/runs/runs.types';
import type { SnapshotsRepository } from 'src/snapshots/snapshots.repository';

/** Progress of one step as a fraction 0..1; throws when the run must stop (cancelled, lease lost). */
export type StepProgress = (fraction: number, message?: string) => void;

export interface ExtractLinkInput {
  runId: string;
  districtId: string;
  link: SisLinkEntity;
  snapshotId: string;
  schoolYear: number;
  asOf: string;
  /** School years compared (the run's own window, else the district's; default 2). */
  windowYears?: number;
  /** The run's kind: nightly runs extract incrementally where the SIS tracks changes (RUN_INCREMENTAL_EXTRACTION). */
  kind?: RunKind;
  onProgress: StepProgress;
}

/**
 * Rows extracted in total and per canonical entity, and the canonical fields the SIS schema does not supply
 * (schema discovery); `leftOut` says the same in words for the run's steps.
 */
export type ExtractReport = {
  totalRows: number;
  entities: Record<string, number>;
  notSupplied?: FieldNotSupplied[];
  leftOut?: string[];
};

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
  /** Fields the side's SIS schema does not supply: the rules needing them drop out. */
  notSupplied?: FieldNotSupplied[];
  onProgress: StepProgress;
}

/** Runs the district's rules on one snapshot; idempotent per (evaluation, rule), so a retry resumes. */
export interface RunEvaluator {
  /** `leftOut` names each rule dropped because the SIS schema lacks what it needs, with the reason. */
  evaluate(input: EvaluateSnapshotInput): Promise<{ rules: number; exceptions: number; leftOut?: string[] }>;
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

/**
 * What ExecuteRunUseCase (and its RunLease) needs of the run store: the lease, progress, the end, and the
 * checkpoints that make an attempt resume. RunsRepository provides it; unit specs pass an in-memory store.
 */
export type RunStore = Pick<
  RunsRepository,
  | 'claim'
  | 'renew'
  | 'progress'
  | 'finish'
  | 'findById'
  | 'cancelOrphaned'
  | 'sides'
  | 'setSide'
  | 'startStep'
  | 'completeStep'
>;

/** The snapshot of each side, its completeness baseline and the retention of old ones (SnapshotsRepository). */
export type RunSnapshots = Pick<SnapshotsRepository, 'forRun' | 'purgeOld' | 'completenessBaseline'>;

/** The run's links, by id (LinksRepository). */
export type RunLinks = Pick<LinksRepository, 'findById'>;

/** The run's district (its comparison keys) (DistrictsRepository). */
export type RunDistricts = Pick<DistrictsRepository, 'find'>;

/** The old/new comparison of a migration run (CompareSnapshotsUseCase). */
export type RunComparison = Pick<CompareSnapshotsUseCase, 'execute'>;
