import type { Rule } from 'src/rule-engine/rule.types';
import type { RuleDiff, RuleDiffEntry, RuleSelection } from 'src/rule-engine/rule-selection.service';

/** Plain-text output of `rules list` and `rules diff` (the CLI prints these as they are). */
function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/** The page a rule implements (its published source), else its source text. */
export function sourceOf(r: Rule): string {
  return r.sourceUrl ? `${r.source} <${r.sourceUrl}>` : r.source;
}

function ruleRow(r: Rule): string[] {
  return [`  ${r.id}`, r.severity, r.entity, r.check.kind, r.title, `source: ${sourceOf(r)}`];
}

function byPack(rules: Rule[]): Map<string, Rule[]> {
  const m = new Map<string, Rule[]>();
  for (const r of rules) m.set(r.pack, [...(m.get(r.pack) ?? []), r]);
  return m;
}

/** `notes`: a remark per rule id, printed after the rule (e.g. the state extension a rule's fields come from). */
export function formatRuleList(
  selection: RuleSelection,
  heading?: string,
  notes: ReadonlyMap<string, string> = new Map(),
): string {
  const lines: string[] = [];
  if (heading) lines.push(heading);
  lines.push(
    `${selection.selected.length} rules selected, ${selection.excluded.length} unavailable (fields not supplied)`,
  );
  if (notes.size)
    lines.push(`${notes.size} selected rules read fields that need a state extension (marked ↳)`);
  for (const [pack, rules] of byPack(selection.selected)) {
    lines.push('', `${pack} (${rules.length})`);
    const rows = table(rules.map(ruleRow));
    rules.forEach((r, i) => {
      lines.push(rows[i]);
      const note = notes.get(r.id);
      if (note) lines.push(`      ↳ ${note}`);
    });
  }
  if (selection.excluded.length) {
    lines.push('', 'unavailable');
    lines.push(
      ...table(
        selection.excluded.map((e) => [
          `  ${e.rule.id}`,
          e.rule.title,
          `missing: ${e.missingFields.join(', ')}`,
          `source: ${sourceOf(e.rule)}`,
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function diffRows(entries: RuleDiffEntry[], side: string): string[] {
  return table(
    entries.map((e) => [
      `  ${e.rule.id}`,
      e.rule.severity,
      e.rule.title,
      e.reason === 'sis'
        ? `only for ${e.rule.sis.join(', ')}`
        : `${side} lacks: ${e.missingFields.join(', ')}`,
      `source: ${sourceOf(e.rule)}`,
    ]),
  );
}

export function formatRuleDiff(diff: RuleDiff, heading?: string): string {
  const lines: string[] = [];
  if (heading) lines.push(heading);
  lines.push(
    `${diff.from} → ${diff.to}: ${diff.lost.length} rules lost, ${diff.gained.length} gained, ${diff.unchanged} unchanged`,
  );
  if (diff.lost.length)
    lines.push(
      '',
      `lost (available with ${diff.from}, not with ${diff.to})`,
      ...diffRows(diff.lost, diff.to),
    );
  if (diff.gained.length)
    lines.push(
      '',
      `gained (available with ${diff.to}, not with ${diff.from})`,
      ...diffRows(diff.gained, diff.from),
    );
  return `${lines.join('\n')}\n`;
}
