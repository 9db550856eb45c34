import { Inject, Injectable } from '@nestjs/common';
import { TenantScope } from 'src/auth/tenant-scope';
import { CLOCK, type Clock } from 'src/common/tokens';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { CustomRulesService } from 'src/rule-engine/custom-rules.service';
import { RuleEvaluatorService } from 'src/rule-engine/rule-evaluator.service';
import { RuleResultsRepository } from 'src/rule-engine/rule-results.repository';
import { RuleSelectionService, suppliedFieldsForSis } from 'src/rule-engine/rule-selection.service';
import { withoutFields } from 'src/runs/comparison-options.util';
import { localToday } from 'src/runs/nightly-schedule.util';
import type { EvaluateSnapshotInput, RunEvaluator } from 'src/runs/run-pipeline.ports';

/**
 * Rule evaluation step of a run: the rules selected for the district's state, edition and the link's SIS
 * (plus its custom rules). Rules that already have a result in this evaluation (an earlier attempt) are
 * not run again; the rule engine replaces a rule's results atomically per batch.
 */
@Injectable()
export class RuleEngineEvaluatorAdapter implements RunEvaluator {
  constructor(
    private readonly districts: DistrictsRepository,
    private readonly selection: RuleSelectionService,
    private readonly custom: CustomRulesService,
    private readonly evaluator: RuleEvaluatorService,
    private readonly results: RuleResultsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async evaluate(
    input: EvaluateSnapshotInput,
  ): Promise<{ rules: number; exceptions: number; leftOut: string[] }> {
    const district = await this.districts.find(TenantScope.system(), input.districtId);
    if (!district) throw new Error('the district no longer exists');
    const notSupplied = input.notSupplied ?? [];
    const { selected, excluded } = this.selection.selectRules({
      state: district.state,
      edition: district.edition,
      sisKind: input.link.sisKind,
      suppliedFields: withoutFields(suppliedFieldsForSis(input.link.sisKind), notSupplied),
      customRules: (await this.custom.rules(district.id)).rules,
    });
    // Rules the connector could run but this SIS's schema cannot feed: named, with the reason.
    const why = new Map(notSupplied.map((f) => [`${f.entity}.${f.field}`, f.reason]));
    const leftOut = excluded
      .filter((x) => x.missingFields.some((f) => why.has(f)))
      .map(
        (x) =>
          `${x.rule.id} dropped: ${x.missingFields
            .filter((f) => why.has(f))
            .map((f) => `${f} not supplied (${why.get(f)})`)
            .join('; ')}`,
      );
    const done = new Set(
      (await this.results.listResults(district.id, input.evaluationId)).map((r) => r.ruleId),
    );
    const remaining = selected.filter((r) => !done.has(r.id)).map((r) => r.id);
    if (remaining.length > 0) {
      await this.evaluator.evaluate({
        evaluationId: input.evaluationId,
        districtId: district.id,
        snapshotId: input.snapshotId,
        rules: selected,
        ruleIds: remaining,
        // `today` in rule expressions is the district's local date, like the run's as-of date.
        today: localToday(this.clock.now(), district.timeZone),
        onProgress: (p) =>
          input.onProgress(
            (done.size + p.done) / Math.max(1, selected.length),
            `evaluated ${done.size + p.done} of ${selected.length} rules`,
          ),
      });
    }
    const results = await this.results.listResults(district.id, input.evaluationId);
    return { rules: results.length, exceptions: results.reduce((n, r) => n + r.failed, 0), leftOut };
  }
}
