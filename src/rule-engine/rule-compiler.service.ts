import { Injectable } from '@nestjs/common';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { CompilableRule } from 'src/rule-engine/compiler/rule-fragments.util';
import {
  compileRowUnit,
  compileSetUnit,
  type CompiledUnit,
} from 'src/rule-engine/compiler/rule-statements.util';
import { isRowCheck } from 'src/rule-engine/rule.types';

/**
 * Rules → set-based SQL units. Row-level rules of one entity share one statement (one scan of the snapshot
 * table); each set-level rule is one statement. Compilation is pure: binding to an evaluation happens later.
 */
export function compileRules(rules: CompilableRule[]): CompiledUnit[] {
  const rowGroups = new Map<CanonicalEntity, CompilableRule[]>();
  const units: CompiledUnit[] = [];
  for (const rule of rules) {
    if (isRowCheck(rule.check.kind)) {
      const group = rowGroups.get(rule.entity) ?? [];
      group.push(rule);
      rowGroups.set(rule.entity, group);
    } else {
      units.push(compileSetUnit(rule));
    }
  }
  const rowUnits = [...rowGroups.entries()].map(([entity, group]) => compileRowUnit(entity, group));
  return [...rowUnits, ...units];
}

/** Compiles one rule alone (throws `RuleCompileError` located at the offending field) and returns what it reads. */
export function analyzeRule(rule: CompilableRule): { reads: string[]; unit: CompiledUnit } {
  const reads = new Set<string>();
  const unit = isRowCheck(rule.check.kind)
    ? compileRowUnit(rule.entity, [rule], reads)
    : compileSetUnit(rule, reads);
  return { reads: [...reads].sort(), unit };
}

@Injectable()
export class RuleCompilerService {
  compile(rules: CompilableRule[]): CompiledUnit[] {
    return compileRules(rules);
  }

  analyze(rule: CompilableRule): { reads: string[]; unit: CompiledUnit } {
    return analyzeRule(rule);
  }
}
