import type { LinkRole } from 'src/districts/district.types';

export const RUN_KINDS = ['nightly', 'manual', 'catch_up', 'trial'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const RUN_STATUSES = [
  'queued',
  'extracting',
  'evaluating',
  'comparing',
  'done',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'extracting', 'evaluating', 'comparing'];

export const RUN_TRIGGERS = ['user', 'schedule', 'cli', 'link_recovered'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const RUN_STEPS = ['extract', 'evaluate', 'compare', 'retention'] as const;
export type RunStep = (typeof RUN_STEPS)[number];

/** The queue every run job goes through. */
export const RUN_QUEUE = 'run.execute';

export interface RunJobData {
  runId: string;
}

export interface RunRecord {
  id: string;
  districtId: string;
  kind: RunKind;
  status: RunStatus;
  phase: string | null;
  percent: number;
  message: string | null;
  asOf: string;
  schoolYear: number;
  /** School years compared (the run request's, else the district's, fixed when recorded); null = default (2). */
  comparisonYears: number | null;
  currentLinkId: string | null;
  oldLinkId: string | null;
  newLinkId: string | null;
  triggerKind: RunTrigger;
  triggeredBy: string | null;
  skipReason: string | null;
  error: string | null;
  scheduledFor: Date | null;
  catchUpOf: string | null;
  attempts: number;
  cancelRequested: boolean;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewRun {
  districtId: string;
  kind: RunKind;
  status: 'queued' | 'skipped';
  asOf: string;
  schoolYear: number;
  comparisonYears?: number | null;
  currentLinkId: string | null;
  oldLinkId: string | null;
  newLinkId: string | null;
  triggerKind: RunTrigger;
  triggeredBy: string | null;
  skipReason: string | null;
  scheduledFor: Date | null;
  catchUpOf: string | null;
  /** Sides not extracted, with the reason (link down when the run was recorded; every side of a skipped run). */
  skippedSides?: Partial<Record<RunSide, string>>;
}

export type RunSide = 'current' | 'old' | 'new';

/**
 * Where one side of a run stands: pending and extracted while the run works on it; evaluated at the end;
 * skipped (its link was down when the run was recorded, the run was skipped or cancelled, no rule engine) or
 * failed (its extraction failed, or the run failed before the side was evaluated), with the reason.
 */
export const RUN_SIDE_STATUSES = ['pending', 'extracted', 'evaluated', 'skipped', 'failed'] as const;
export type RunSideStatus = (typeof RUN_SIDE_STATUSES)[number];

export interface RunSideRecord {
  runId: string;
  side: RunSide;
  linkId: string | null;
  linkName: string | null;
  status: RunSideStatus;
  reason: string | null;
  updatedAt: Date;
}

/** One link a run extracts: the single current link, or the old and the new side of a migration. */
export interface RunTarget {
  side: RunSide;
  linkId: string;
}

export interface CheckpointRecord {
  step: RunStep;
  target: string;
  status: 'started' | 'done';
  refId: string | null;
  detail: Record<string, unknown>;
}

/** What a lease renewal learns: whether the worker still owns the run and whether a user asked to cancel it. */
export interface LeaseState {
  held: boolean;
  cancelRequested: boolean;
}

export function targetsOf(r: Pick<RunRecord, 'currentLinkId' | 'oldLinkId' | 'newLinkId'>): RunTarget[] {
  if (r.newLinkId && r.oldLinkId)
    return [
      { side: 'old', linkId: r.oldLinkId },
      { side: 'new', linkId: r.newLinkId },
    ];
  if (r.currentLinkId) return [{ side: 'current', linkId: r.currentLinkId }];
  return [];
}

export const SIDE_OF_ROLE: Record<LinkRole, RunTarget['side']> = {
  current: 'current',
  old: 'old',
  new: 'new',
};
