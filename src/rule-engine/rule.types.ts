import type { CanonicalEntity } from 'connectors/sdk/canonical';

export const SEVERITIES = ['fatal', 'error', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const AUDIENCES = ['district', 'school', 'program', 'sensitive'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const EDITIONS = ['full', 'state_reporting'] as const;
export type Edition = (typeof EDITIONS)[number];
/**
 * Which rows a rule checks: `all`, or `state_reporting` (only rows reported to the state: not flagged
 * `state_reporting_excluded`, and not belonging to an excluded student or school). State packs default to
 * `state_reporting`, every other pack to `all` (docs/rule-format.md, Reporting exclusions).
 */
export const RULE_SCOPES = ['all', 'state_reporting'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];
export const COMPARE_OPS = ['=', '!=', '<>', '<', '<=', '>', '>='] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export const ROW_CHECK_KINDS = ['required', 'allowed', 'pattern', 'range', 'compare', 'expression'] as const;
export const SET_CHECK_KINDS = ['unique', 'no_overlap', 'exists', 'count_change', 'sql'] as const;
export const CHECK_KINDS = [...ROW_CHECK_KINDS, ...SET_CHECK_KINDS] as const;
export type RowCheckKind = (typeof ROW_CHECK_KINDS)[number];
export type SetCheckKind = (typeof SET_CHECK_KINDS)[number];
export type CheckKind = (typeof CHECK_KINDS)[number];

export type Scalar = string | number | boolean;

/** A check as written in YAML (exactly one key). */
export interface RawCheck {
  required?: string[];
  allowed?: { field: string; values: Scalar[] };
  pattern?: { field: string; regex: string };
  range?: { field: string; min?: string | number; max?: string | number };
  compare?: { left: string; op: CompareOp; right: string | { value: Scalar } };
  expression?: string;
  unique?: { fields: string[]; where?: string };
  no_overlap?: { key: string[]; start: string; end: string; where?: string };
  exists?: { entity: CanonicalEntity; match: Record<string, string>; where?: string; negate?: boolean };
  count_change?: { group_by?: string[]; max_percent: number; min_count?: number };
  sql?: string;
}

/** A rule as written in a pack file or stored as a district's custom rule (docs/rule-format.md). */
export interface RuleDefinition {
  id: string;
  title: string;
  description?: string;
  entity: CanonicalEntity;
  severity: Severity;
  audience: Audience[];
  editions?: Edition[];
  sis?: string[];
  /** Overrides the pack's scope (see RuleScope). */
  scope?: RuleScope;
  when?: string;
  check: RawCheck;
  needs: string[];
  tolerance?: { max_percent: number };
  source: string;
  /** The published page the rule implements (the state's error documentation, a vendor article). */
  source_url?: string;
  prescription: string;
  examples: { pass: unknown[]; fail: unknown[] };
}

/** The normalised check, one variant per kind. */
export type CheckSpec =
  | { kind: 'required'; fields: string[] }
  | { kind: 'allowed'; field: string; values: Scalar[] }
  | { kind: 'pattern'; field: string; regex: string }
  | { kind: 'range'; field: string; min: string | number | null; max: string | number | null }
  | { kind: 'compare'; left: string; op: CompareOp; right: { field: string } | { value: Scalar } }
  | { kind: 'expression'; expression: string }
  | { kind: 'unique'; fields: string[]; where: string | null }
  | { kind: 'no_overlap'; key: string[]; start: string; end: string; where: string | null }
  | {
      kind: 'exists';
      entity: CanonicalEntity;
      match: Record<string, string>;
      where: string | null;
      negate: boolean;
    }
  | { kind: 'count_change'; groupBy: string[]; maxPercent: number; minCount: number }
  | { kind: 'sql'; sql: string };

export type ExampleRecord = Record<string, unknown>;
export type EntityRows = Partial<Record<CanonicalEntity, ExampleRecord[]>>;

/** One example case, normalised: row-level rules get one record in `rows`, set-level rules a data set. */
export interface ExampleCase {
  expect: 'pass' | 'fail';
  index: number;
  rows: ExampleRecord[];
  context: EntityRows;
  previous: EntityRows;
  /** How many rows (groups for count_change) must fail; null = at least one for `fail`, none for `pass`. */
  failing: number | null;
  asOf: string;
  today: string | null;
}

/** A loaded, validated rule. */
export interface Rule {
  id: string;
  pack: string;
  /** Where the rule came from: a path relative to the project root, or `custom:<district>`. */
  file: string;
  title: string;
  description: string | null;
  entity: CanonicalEntity;
  severity: Severity;
  audience: Audience[];
  editions: Edition[];
  /** Empty = every SIS. */
  sis: string[];
  scope: RuleScope;
  when: string | null;
  check: CheckSpec;
  /** Fields the connector must supply: declared `needs` plus every field the rule reads, as `entity.field`. */
  needs: string[];
  tolerance: { maxPercent: number };
  source: string;
  sourceUrl: string | null;
  prescription: string;
  examples: ExampleCase[];
  definition: RuleDefinition;
}

export interface RuleLoadError {
  file: string;
  ruleId: string | null;
  /** Dotted path of the offending field, e.g. `check.compare.left`; null for file-level errors. */
  path: string | null;
  message: string;
}

export interface RulePackInfo {
  pack: string;
  title: string;
  file: string;
  ruleIds: string[];
}

export interface LoadedRulePacks {
  packs: RulePackInfo[];
  rules: Rule[];
  errors: RuleLoadError[];
}

export function isRowCheck(kind: CheckKind): kind is RowCheckKind {
  return (ROW_CHECK_KINDS as readonly string[]).includes(kind);
}

export function formatLoadError(e: RuleLoadError): string {
  return [e.file, e.ruleId ? `rule ${e.ruleId}` : null, e.path, e.message]
    .filter((s) => s !== null)
    .join(': ');
}

/** `as_of` in examples unless a data set sets its own (CALPADS Census Day 2026). */
export const DEFAULT_EXAMPLE_AS_OF = '2026-10-07';
