import { Injectable } from '@nestjs/common';
import { getConnector, suppliedFields as connectorSuppliedFields } from 'connectors/index';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import type { Rule } from 'src/rule-engine/rule.types';

/** Canonical fields a connector supplies, per entity (connectors/index.ts `suppliedFields(def)`). */
export type SuppliedFields = Partial<Record<CanonicalEntity, readonly string[]>>;

/** State → state pack. Common rules apply everywhere. */
export const STATE_PACKS: Record<string, string> = { CA: 'ca', TX: 'tx' };

export interface SelectRulesInput {
  state: string;
  edition: string;
  sisKind: string;
  suppliedFields: SuppliedFields;
  /** The district's custom rules (CustomRulesService.rules). */
  customRules?: Rule[];
}

export interface ExcludedRule {
  rule: Rule;
  /** `entity.field` the connector does not supply. */
  missingFields: string[];
}

export interface RuleSelection {
  selected: Rule[];
  excluded: ExcludedRule[];
}

export interface RuleSupplySide {
  sisKind: string;
  suppliedFields: SuppliedFields;
}

export interface RuleDiffEntry {
  rule: Rule;
  /** Why the rule is unavailable on the other side: missing fields there, or the rule is limited to other SIS. */
  reason: 'fields' | 'sis';
  missingFields: string[];
}

export interface RuleDiff {
  from: string;
  to: string;
  /** Available with `to`, not with `from`. */
  gained: RuleDiffEntry[];
  /** Available with `from`, not with `to`. */
  lost: RuleDiffEntry[];
  unchanged: number;
}

export function missingFields(rule: Rule, supplied: SuppliedFields): string[] {
  return rule.needs.filter((n) => {
    const [entity, field] = n.split('.') as [CanonicalEntity, string];
    return !(supplied[entity] ?? []).includes(field);
  });
}

/** Rules of the packs that apply to the district, for its edition and SIS (before checking supplied fields). */
function applicable(catalog: Rule[], state: string, edition: string, sisKind: string | null): Rule[] {
  const statePack = STATE_PACKS[state.toUpperCase()];
  return catalog.filter(
    (r) =>
      (r.pack === 'common' || r.pack === statePack || r.pack.startsWith('district:')) &&
      r.editions.includes(edition as Rule['editions'][number]) &&
      (sisKind === null || r.sis.length === 0 || r.sis.includes(sisKind)),
  );
}

/** common + state pack + custom rules, filtered by edition and SIS, minus rules whose `needs` are not all supplied. */
export function selectRulesFrom(catalog: Rule[], input: SelectRulesInput): RuleSelection {
  const rules = applicable(
    [...catalog, ...(input.customRules ?? [])],
    input.state,
    input.edition,
    input.sisKind,
  );
  const selected: Rule[] = [];
  const excluded: ExcludedRule[] = [];
  for (const rule of rules) {
    const missing = missingFields(rule, input.suppliedFields);
    if (missing.length) excluded.push({ rule, missingFields: missing });
    else selected.push(rule);
  }
  return { selected, excluded };
}

/** What a district gains and loses by moving from one SIS to another (`rules diff --from aeries --to powerschool`). */
export function diffRulesFrom(
  catalog: Rule[],
  input: { state: string; edition: string; from: RuleSupplySide; to: RuleSupplySide; customRules?: Rule[] },
): RuleDiff {
  const all = applicable([...catalog, ...(input.customRules ?? [])], input.state, input.edition, null);
  const availability = (rule: Rule, side: RuleSupplySide): RuleDiffEntry | null => {
    if (rule.sis.length > 0 && !rule.sis.includes(side.sisKind))
      return { rule, reason: 'sis', missingFields: [] };
    const missing = missingFields(rule, side.suppliedFields);
    return missing.length ? { rule, reason: 'fields', missingFields: missing } : null;
  };
  const diff: RuleDiff = {
    from: input.from.sisKind,
    to: input.to.sisKind,
    gained: [],
    lost: [],
    unchanged: 0,
  };
  for (const rule of all) {
    const fromGap = availability(rule, input.from);
    const toGap = availability(rule, input.to);
    if (fromGap && !toGap) diff.gained.push(fromGap);
    else if (!fromGap && toGap) diff.lost.push(toGap);
    else if (!fromGap && !toGap) diff.unchanged += 1;
  }
  return diff;
}

/**
 * Selected rules that read fields a source carries only with a state extension (the connector's
 * `extensionFields`, e.g. Ed-Fi's TEA extension for Texas): rule id → `needs <extension>: entity.field (element)`.
 */
export function extensionNotes(rules: Rule[], sisKind: string, state: string): Map<string, string> {
  const ext = getConnector(sisKind).extensionFields?.[state.toUpperCase()];
  const notes = new Map<string, string>();
  if (!ext) return notes;
  for (const rule of rules) {
    const needs = rule.needs
      .map((n) => {
        const [entity, field] = n.split('.') as [CanonicalEntity, string];
        const element = ext.fields[entity]?.[field];
        return element ? `${n} (${element})` : null;
      })
      .filter((n): n is string => n !== null);
    if (needs.length) notes.set(rule.id, `needs ${ext.extension}: ${needs.join('; ')}`);
  }
  return notes;
}

/** The fields a SIS kind's connector supplies. */
export function suppliedFieldsForSis(sisKind: string): SuppliedFields {
  return connectorSuppliedFields(getConnector(sisKind));
}

@Injectable()
export class RuleSelectionService {
  constructor(private readonly loader: RuleLoaderService) {}

  selectRules(input: SelectRulesInput): RuleSelection {
    return selectRulesFrom(this.loader.load().rules, input);
  }

  diffRules(input: {
    state: string;
    edition: string;
    from: RuleSupplySide;
    to: RuleSupplySide;
    customRules?: Rule[];
  }): RuleDiff {
    return diffRulesFrom(this.loader.load().rules, input);
  }

  /** `rules list --state CA --sis aeries`: the selection for a SIS kind, using its connector's supplied fields. */
  selectForSis(input: {
    state: string;
    edition?: string;
    sisKind: string;
    customRules?: Rule[];
  }): RuleSelection {
    return this.selectRules({
      ...input,
      edition: input.edition ?? 'full',
      suppliedFields: suppliedFieldsForSis(input.sisKind),
    });
  }

  /** `rules diff --state CA --from aeries --to powerschool`. */
  diffForSis(input: { state: string; edition?: string; from: string; to: string }): RuleDiff {
    return this.diffRules({
      state: input.state,
      edition: input.edition ?? 'full',
      from: { sisKind: input.from, suppliedFields: suppliedFieldsForSis(input.from) },
      to: { sisKind: input.to, suppliedFields: suppliedFieldsForSis(input.to) },
    });
  }
}
