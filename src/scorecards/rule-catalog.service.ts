import { Injectable } from '@nestjs/common';
import { CustomRulesService } from 'src/rule-engine/custom-rules.service';
import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import type { Rule } from 'src/rule-engine/rule.types';
import type { RuleMeta } from 'src/scorecards/scorecards.types';

function meta(r: Rule): RuleMeta {
  return {
    ruleId: r.id,
    title: r.title,
    description: r.description,
    severity: r.severity,
    entity: r.entity,
    audience: r.audience,
    source: r.source,
    prescription: r.prescription.trim(),
    needs: r.needs,
    checkKind: r.check.kind,
  };
}

/** Titles, prescriptions and audiences of the rules a district's results can name: the packs plus its custom rules. */
@Injectable()
export class RuleCatalogService {
  private packs?: RuleMeta[];

  constructor(
    private readonly loader: RuleLoaderService,
    private readonly custom: CustomRulesService,
  ) {}

  async forDistrict(districtId: string): Promise<RuleMeta[]> {
    this.packs ??= this.loader.load().rules.map(meta);
    const own = (await this.custom.rules(districtId)).rules.map(meta);
    const ids = new Set(own.map((r) => r.ruleId));
    return [...own, ...this.packs.filter((r) => !ids.has(r.ruleId))];
  }
}
