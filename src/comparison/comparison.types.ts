import type { CanonicalEntity } from 'connectors/sdk/canonical';

/** Entities whose ids other records point at; old ids are mapped to new ids before matching. */
export const ID_ENTITIES = ['student', 'school', 'section', 'staff'] as const;
export type IdEntity = (typeof ID_ENTITIES)[number];

export const DIFFERENCE_KINDS = ['missing_in_new', 'missing_in_old', 'field'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** How records are matched and which fields are compared. Everything has a default. */
export interface ComparisonOptions {
  /** Student match passes in order: a pass matches only rows both sides have a value for. */
  studentKeys: Array<'state_student_id' | 'student_id'>;
  staffKeys: Array<'state_staff_id' | 'staff_id'>;
  /** Canonical fields compared per entity (e.g. the fields both connectors supply); absent = every field. */
  fields?: Partial<Record<CanonicalEntity, string[]>>;
  /** The day records must still run on to be compared where one side holds no end dates (default today). */
  asOf?: string;
  /** At most this many difference rows are stored; counts always cover everything. */
  maxDifferences: number;
  maxWarnings: number;
}

export const DEFAULT_COMPARISON_OPTIONS: ComparisonOptions = {
  studentKeys: ['state_student_id', 'student_id'],
  staffKeys: ['state_staff_id', 'staff_id'],
  maxDifferences: 100_000,
  maxWarnings: 10_000,
};

export interface CompareSnapshotsInput {
  districtId: string;
  oldSnapshotId: string;
  newSnapshotId: string;
  runId?: string | null;
  oldEvaluationId?: string | null;
  newEvaluationId?: string | null;
  isTrial?: boolean;
  options?: Partial<ComparisonOptions>;
}

export interface EntitySummary {
  entity: CanonicalEntity;
  oldCount: number;
  newCount: number;
  matched: number;
  onlyInOld: number;
  onlyInNew: number;
  recordsWithDifferences: number;
  fieldDifferences: number;
  byField: Record<string, number>;
}

export interface SchoolReadiness {
  schoolId: string;
  schoolName: string | null;
  oldRecords: number;
  newRecords: number;
  matched: number;
  onlyInOld: number;
  onlyInNew: number;
  recordsWithDifferences: number;
  introducedErrors: number;
  matchedPercent: number;
}

export interface RuleDelta {
  ruleId: string;
  onlyInOld: number;
  onlyInNew: number;
  inBoth: number;
}

export interface ComparisonDifference {
  id: string;
  entity: CanonicalEntity;
  kind: DifferenceKind;
  key: Record<string, string | null>;
  schoolId: string | null;
  field: string | null;
  oldSourceKey: string | null;
  newSourceKey: string | null;
  oldRaw: string | null;
  oldValue: string | null;
  newRaw: string | null;
  newValue: string | null;
}

export interface ReferenceWarning {
  entity: CanonicalEntity;
  refEntity: IdEntity;
  refId: string;
  oldSourceKey: string | null;
  message: string;
}

export interface WarningGroup {
  entity: CanonicalEntity;
  refEntity: IdEntity;
  /** Warnings of the group (records pointing at an id the new SIS lacks). */
  count: number;
  /** Distinct missing ids. */
  distinctRefs: number;
  /** The most frequent missing ids. */
  samples: string[];
}

export interface ComparisonRecord {
  id: string;
  districtId: string;
  runId: string | null;
  oldSnapshotId: string;
  newSnapshotId: string;
  oldEvaluationId: string | null;
  newEvaluationId: string | null;
  isTrial: boolean;
  differencesTotal: number;
  differencesStored: number;
  warningsTotal: number;
  /** Every reference warning counted per (entity, referenced entity), with sample ids. */
  warningSummary: WarningGroup[];
  createdAt: Date;
  durationMs: number | null;
}

export interface ComparisonReport {
  comparison: ComparisonRecord;
  entities: EntitySummary[];
  schools: SchoolReadiness[];
}
