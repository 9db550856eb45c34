import type { Audience, Severity } from 'src/rule-engine/rule.types';

export const SIDES = ['current', 'old', 'new'] as const;
export type Side = (typeof SIDES)[number];

export const EXCLUSION_STATUSES = ['active', 'proposed', 'rejected', 'expired', 'revoked'] as const;
export type ExclusionStatus = (typeof EXCLUSION_STATUSES)[number];

export const EXCEPTION_SORTS = ['rule', 'school', 'grade', 'student', 'severity'] as const;
export type ExceptionSort = (typeof EXCEPTION_SORTS)[number];

export const DISTRIBUTION_BYS = ['school', 'grade', 'value'] as const;
export type DistributionBy = (typeof DISTRIBUTION_BYS)[number];

/** Rule facts the scorecards show, from the loaded packs or the district's custom rules. */
export interface RuleMeta {
  ruleId: string;
  title: string;
  description: string | null;
  severity: Severity;
  entity: string;
  audience: Audience[];
  source: string;
  prescription: string;
  needs: string[];
  checkKind: string;
}

/** One evaluated side of a run as the scorecards know it (scorecard_evaluations). */
export interface EvaluationRef {
  evaluationId: string;
  districtId: string;
  runId: string;
  side: Side;
  linkId: string | null;
  snapshotId: string;
  previousEvaluationId: string | null;
  asOf: string;
  students: number;
  evaluatedAt: Date;
}

/** Per rule in scope: findings of one evaluation. */
export interface RuleScopeCounts {
  ruleId: string;
  schoolId: string | null;
  failed: number;
  excluded: number;
  new: number;
  persisting: number;
}

export interface RuleResultFacts {
  ruleId: string;
  severity: Severity;
  entity: string;
  checked: number;
  failed: number;
  status: 'pass' | 'fail' | 'warn' | 'error' | 'skipped';
}

export interface ExceptionFilter {
  ruleId?: string;
  schoolId?: string;
  grade?: string;
  severity?: Severity;
  state?: 'new' | 'persisting';
  excluded: 'include' | 'only' | 'exclude';
  q?: string;
  fingerprints?: string[];
}

export interface ExceptionRow {
  id: string;
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  entity: string;
  isNew: boolean;
  exclusionId: string | null;
  exclusion: { reason: string; expiresAt: Date | null; createdByEmail: string } | null;
  studentId: string | null;
  stateStudentId: string | null;
  lastName: string | null;
  firstName: string | null;
  grade: string | null;
  schoolId: string | null;
  schoolName: string | null;
  programCode: string | null;
  sourceKey: string | null;
  values: Record<string, unknown>;
}
