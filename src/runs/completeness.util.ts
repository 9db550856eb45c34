/** Rows per canonical entity of one snapshot. */
export type EntityCounts = Record<string, number>;

/** The snapshot a new one is measured against: the link's last certified snapshot of the same school year. */
export interface CompletenessBaseline {
  snapshotId: string;
  runId: string;
  entities: EntityCounts;
}

const pct = (share: number): string => `${Math.round(share * 1000) / 10}%`;

/**
 * Why a snapshot cannot be certified as complete, one line per entity; empty when it can. A snapshot with no
 * rows at all never passes (an SIS that answers nothing is not an empty district); against the baseline, an
 * entity that had rows and now has none, or shrinks by more than `maxShrink` (a share, 0.01–1), fails.
 */
export function completenessProblems(
  current: EntityCounts,
  baseline: CompletenessBaseline | null,
  maxShrink: number,
): string[] {
  const total = Object.values(current).reduce((a, n) => a + n, 0);
  if (total === 0) return ['the SIS returned no rows at all'];
  if (!baseline) return [];
  const problems: string[] = [];
  for (const [entity, before] of Object.entries(baseline.entities).sort(([a], [b]) => a.localeCompare(b))) {
    if (before <= 0) continue;
    const now = current[entity] ?? 0;
    if (now === 0) {
      problems.push(`${entity}: 0 rows, the last certified snapshot had ${before}`);
      continue;
    }
    const shrink = (before - now) / before;
    if (shrink > maxShrink) {
      problems.push(
        `${entity}: ${now} rows, ${pct(shrink)} fewer than the ${before} of the last certified snapshot (allowed: ${pct(maxShrink)})`,
      );
    }
  }
  return problems;
}
