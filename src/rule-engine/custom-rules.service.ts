import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import type { Role } from 'src/auth/auth.types';
import { analyzeRule } from 'src/rule-engine/rule-compiler.service';
import { CustomRulesRepository, type CustomRuleRow } from 'src/rule-engine/custom-rules.repository';
import { RuleEngineErrorCode, RuleEngineException } from 'src/rule-engine/rule-engine.exception';
import { RuleExamplesService } from 'src/rule-engine/rule-examples.service';
import { RuleExecutionRepository } from 'src/rule-engine/rule-execution.repository';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import { validateRule } from 'src/rule-engine/rule-validator.util';
import { sqlRuleErrorMessage } from 'src/rule-engine/sql-rule-error.util';
import {
  DEFAULT_EXAMPLE_AS_OF,
  formatLoadError,
  type Rule,
  type RuleDefinition,
  type RuleLoadError,
} from 'src/rule-engine/rule.types';
import { DomainErrorCode } from 'src/common/domain.exception';

export interface SaveCustomRuleInput {
  /** The rule in pack format (docs/rule-format.md), as parsed JSON/YAML. */
  definition: unknown;
  /** The author's role: only `support` may write `sql` rules. */
  role: Role;
  userId?: string | null;
}

export interface CustomRule {
  id: string;
  districtId: string;
  ruleId: string;
  definition: RuleDefinition;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toCustomRule(r: CustomRuleRow): CustomRule {
  return { ...r, definition: r.definition as RuleDefinition };
}

/**
 * A district's own rules: validated and compiled exactly like pack rules (and their examples run) before anything
 * is stored. Every method is scoped to one district.
 */
@Injectable()
export class CustomRulesService {
  constructor(
    private readonly repo: CustomRulesRepository,
    private readonly loader: RuleLoaderService,
    private readonly execution: RuleExecutionRepository,
    @Optional() private readonly examples?: RuleExamplesService,
  ) {}

  async list(districtId: string): Promise<CustomRule[]> {
    return (await this.repo.list(districtId)).map(toCustomRule);
  }

  /** The district's custom rules as loaded rules (pack `district:<id>`); stored rules that no longer validate are reported. */
  async rules(districtId: string): Promise<{ rules: Rule[]; errors: RuleLoadError[] }> {
    const rules: Rule[] = [];
    const errors: RuleLoadError[] = [];
    for (const row of await this.repo.list(districtId)) {
      const res = validateRule(row.definition, `district:${districtId}`, `custom:${districtId}`);
      if (res.rule) rules.push(res.rule);
      errors.push(...res.errors);
    }
    return { rules, errors };
  }

  async create(districtId: string, input: SaveCustomRuleInput): Promise<CustomRule> {
    const rule = await this.validate(districtId, input);
    const row = await this.repo.insert(districtId, rule.id, rule.definition, input.userId ?? null);
    if (!row)
      throw new RuleEngineException(DomainErrorCode.CONFLICT, `custom rule ${rule.id} already exists`);
    return toCustomRule(row);
  }

  async update(districtId: string, ruleId: string, input: SaveCustomRuleInput): Promise<CustomRule> {
    const rule = await this.validate(districtId, input);
    if (rule.id !== ruleId)
      throw new RuleEngineException(
        RuleEngineErrorCode.INVALID_RULE,
        `the definition's id ${rule.id} does not match ${ruleId}`,
      );
    const row = await this.repo.update(districtId, ruleId, rule.definition);
    if (!row) throw new RuleEngineException(DomainErrorCode.NOT_FOUND, `custom rule ${ruleId} not found`);
    return toCustomRule(row);
  }

  async remove(districtId: string, ruleId: string): Promise<void> {
    if (!(await this.repo.delete(districtId, ruleId))) {
      throw new RuleEngineException(DomainErrorCode.NOT_FOUND, `custom rule ${ruleId} not found`);
    }
  }

  /** Validates, compiles and runs the examples of a custom rule; throws with every problem found, stores nothing. */
  async validate(districtId: string, input: SaveCustomRuleInput): Promise<Rule> {
    const res = validateRule(input.definition, `district:${districtId}`, 'custom rule');
    if (!res.rule) {
      throw new RuleEngineException(
        RuleEngineErrorCode.INVALID_RULE,
        'the rule is invalid',
        res.errors.map(formatLoadError),
      );
    }
    const rule = res.rule;
    if (rule.check.kind === 'sql' && input.role !== 'support') {
      throw new RuleEngineException(
        DomainErrorCode.FORBIDDEN,
        `rule ${rule.id}: only support staff may write sql rules`,
      );
    }
    const packRule = this.loader.load().rules.find((r) => r.id === rule.id);
    if (packRule) {
      throw new RuleEngineException(
        DomainErrorCode.CONFLICT,
        `rule id ${rule.id} is already used by ${packRule.file}`,
      );
    }
    if (rule.check.kind === 'sql') await this.planSql(rule, districtId);
    if (this.examples) {
      const [outcome] = await this.examples.run([rule]);
      if (!outcome.ok)
        throw new RuleEngineException(
          RuleEngineErrorCode.INVALID_RULE,
          `rule ${rule.id}: examples do not behave as written`,
          outcome.failures,
        );
    }
    return rule;
  }

  /** EXPLAIN (never run) the rule's SQL read-only, so unknown columns or tables are refused before saving. */
  private async planSql(rule: Rule, districtId: string): Promise<void> {
    const { unit } = analyzeRule(rule);
    if (unit.kind !== 'sql') return;
    try {
      const ctx = {
        snapshotId: randomUUID(),
        evaluationId: randomUUID(),
        districtId,
        asOf: DEFAULT_EXAMPLE_AS_OF,
        today: DEFAULT_EXAMPLE_AS_OF,
        previousSnapshotId: null,
      };
      await this.execution.explainProbe(unit.probe, unit.views, ctx, 5_000);
    } catch (err) {
      throw new RuleEngineException(
        RuleEngineErrorCode.INVALID_RULE,
        `rule ${rule.id}: check.sql does not plan`,
        [sqlRuleErrorMessage(err)],
      );
    }
  }
}
