import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { LinksRepository } from 'src/districts/links.repository';
import { CustomRulesService, type CustomRule } from 'src/rule-engine/custom-rules.service';
import type { Rule } from 'src/rule-engine/rule.types';
import { RuleSelectionService, type RuleDiff } from 'src/rule-engine/rule-selection.service';
import type { RuleDiffQueryDto, RuleListQueryDto, RuleSummary } from 'src/rule-engine/rules-api.dto';
import type { RuleDiffDto } from 'src/rule-engine/rules.responses';

export const toRuleSummary = (r: Rule): RuleSummary => ({
  id: r.id,
  pack: r.pack,
  title: r.title,
  entity: r.entity,
  severity: r.severity,
  audience: r.audience,
  source: r.source,
  sourceUrl: r.sourceUrl,
  prescription: r.prescription,
  needs: r.needs,
});

export interface RuleListView {
  selected: RuleSummary[];
  excluded: Array<{ rule: RuleSummary; missingFields: string[] }>;
}

/** Which rules run where: the catalogue by state and SIS, the migration diff, and a district's own list. */
@Injectable()
export class RulesApiService {
  constructor(
    private readonly selection: RuleSelectionService,
    private readonly custom: CustomRulesService,
    private readonly districts: DistrictsRepository,
    private readonly links: LinksRepository,
  ) {}

  list(q: RuleListQueryDto): RuleListView {
    const s = this.selection.selectForSis({ state: q.state, edition: q.edition, sisKind: q.sis });
    return {
      selected: s.selected.map(toRuleSummary),
      excluded: s.excluded.map((e) => ({ rule: toRuleSummary(e.rule), missingFields: e.missingFields })),
    };
  }

  /** The rules a migration gains and loses, each as its summary (not the compiled rule). */
  diff(q: RuleDiffQueryDto): RuleDiffDto {
    const d = this.selection.diffForSis({ state: q.state, edition: q.edition, from: q.from, to: q.to });
    const entry = (e: RuleDiff['gained'][number]) => ({
      rule: toRuleSummary(e.rule),
      reason: e.reason,
      missingFields: e.missingFields,
    });
    return {
      from: d.from,
      to: d.to,
      gained: d.gained.map(entry),
      lost: d.lost.map(entry),
      unchanged: d.unchanged,
    };
  }

  /** The rules that run for the district on each of its links (state pack + common + edition + custom). */
  async forDistrict(
    p: Principal,
    districtId: string,
  ): Promise<Array<{ linkId: string; role: string; sisKind: string } & RuleListView>> {
    const scope = TenantScope.of(p);
    const district = await this.districts.find(scope, districtId);
    if (!district) throw DomainException.notFound('district');
    const customRules = district.edition === 'full' ? (await this.custom.rules(districtId)).rules : [];
    const links = await this.links.list(scope, districtId);
    return links.map((l) => {
      const s = this.selection.selectForSis({
        state: district.state,
        edition: district.edition,
        sisKind: l.sisKind,
        customRules,
      });
      return {
        linkId: l.id,
        role: l.role,
        sisKind: l.sisKind,
        selected: s.selected.map(toRuleSummary),
        excluded: s.excluded.map((e) => ({ rule: toRuleSummary(e.rule), missingFields: e.missingFields })),
      };
    });
  }

  async listCustom(p: Principal, districtId: string): Promise<CustomRule[]> {
    await this.requireFullEdition(p, districtId);
    return this.custom.list(districtId);
  }

  async createCustom(
    p: Principal,
    districtId: string,
    definition: Record<string, unknown>,
  ): Promise<CustomRule> {
    await this.requireFullEdition(p, districtId);
    return this.custom.create(districtId, { definition, role: p.role, userId: p.userId });
  }

  async updateCustom(
    p: Principal,
    districtId: string,
    ruleId: string,
    definition: Record<string, unknown>,
  ): Promise<CustomRule> {
    await this.requireFullEdition(p, districtId);
    return this.custom.update(districtId, ruleId, { definition, role: p.role, userId: p.userId });
  }

  async removeCustom(p: Principal, districtId: string, ruleId: string): Promise<void> {
    await this.requireFullEdition(p, districtId);
    await this.custom.remove(districtId, ruleId);
  }

  private async requireFullEdition(p: Principal, districtId: string): Promise<void> {
    const district = await this.districts.find(TenantScope.of(p), districtId);
    if (!district) throw DomainException.notFound('district');
    if (district.edition !== 'full') {
      throw DomainException.forbidden('custom rules need the full-certification edition');
    }
  }
}
