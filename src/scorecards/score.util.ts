import type { Severity } from 'src/rule-engine/rule.types';

/** How much an open finding weighs, by severity. */
export const SEVERITY_WEIGHTS: Record<Severity, number> = { fatal: 10, error: 3, warning: 1 };

export const SCORE_FORMULA =
  'Severity-weighted share of checked records without an open finding: 100 × (1 − Σ w·open / Σ w·checked) over the ' +
  'rules that ran, with weights fatal 10, error 3, warning 1; excluded findings do not count; 100 = no open findings.';

export interface ScoredRule {
  severity: Severity;
  status: string;
  /** Records the rule checked in the whole district. */
  checked: number;
  /** Open (not excluded) findings in scope. */
  open: number;
  /** Excluded findings in scope. */
  excluded: number;
}

/**
 * Records a rule checked within a scope: the district's count times the scope's share of the students, never fewer
 * than the scope's own findings (per-school `checked` is not recorded by the rule engine).
 */
export function checkedInScope(r: ScoredRule, share: number): number {
  return Math.max(r.open + r.excluded, Math.round(r.checked * share));
}

/** The data certification score, 0–100 with one decimal (see docs/scorecards.md). */
export function certificationScore(rules: ScoredRule[], share = 1): number {
  let open = 0;
  let checked = 0;
  for (const r of rules) {
    if (r.status === 'error' || r.status === 'skipped') continue;
    const c = checkedInScope(r, share);
    if (c <= 0) continue;
    const w = SEVERITY_WEIGHTS[r.severity] ?? 1;
    open += w * Math.min(r.open, c);
    checked += w * c;
  }
  if (checked === 0) return 100;
  const score = Math.round(Math.min(100, Math.max(0, 100 * (1 - open / checked))) * 10) / 10;
  // 100 is a promise that nothing is open: a few findings among many records never round up to it.
  return open > 0 ? Math.min(score, 99.9) : score;
}
