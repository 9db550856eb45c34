import { Injectable } from '@nestjs/common';
import { getConnector } from 'connectors/index';
import { checkNativeSchema } from 'connectors/sdk/native-schema';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { LinksRepository } from 'src/districts/links.repository';
import { RuleSelectionService, suppliedFieldsForSis } from 'src/rule-engine/rule-selection.service';
import { withoutFields } from 'src/runs/comparison-options.util';
import { DriverExtractorAdapter } from 'src/runs/driver-extractor.adapter';
import { localToday, schoolYearFor } from 'src/runs/nightly-schedule.util';

/** What "test link" found: reachability, and what the SIS schema lets the connector extract. */
export interface LinkTestView {
  reachable: boolean;
  latencyMs: number;
  error: { code: string; message: string } | null;
  /** Null when the link could not be reached (nothing was inspected). */
  schema: {
    tables: number;
    columns: number;
    /** Required `TABLE.Column` names the schema lacks: a run stops before extracting, naming them. */
    missingRequired: string[];
    /** Optional tables/columns the schema lacks. */
    absent: string[];
    notSupplied: Array<{ entity: string; field: string; reason: string }>;
    /** Rules of the district that drop out for the fields not supplied, with the reason. */
    droppedRules: Array<{ ruleId: string; reason: string }>;
  } | null;
}

/** "Test link": connects to the SIS and inspects its native schema, as every extraction does first. */
@Injectable()
export class LinkTestService {
  constructor(
    private readonly links: LinksRepository,
    private readonly districts: DistrictsRepository,
    private readonly extractor: DriverExtractorAdapter,
    private readonly selection: RuleSelectionService,
  ) {}

  async test(p: Principal, districtId: string, linkId: string): Promise<LinkTestView> {
    const scope = TenantScope.of(p);
    const district = await this.districts.find(scope, districtId);
    if (!district) throw DomainException.notFound('district');
    const link = await this.links.find(scope, districtId, linkId);
    if (!link) throw DomainException.notFound('link');
    const schoolYear = schoolYearFor(localToday(new Date(), district.timeZone), district.schoolYear);
    const { probe, columns } = await this.extractor.inspect(link, schoolYear);
    const base = { reachable: probe.ok, latencyMs: probe.latencyMs, error: probe.error ?? null };
    if (!probe.ok || !columns) return { ...base, schema: null };
    const check = checkNativeSchema(getConnector(link.sisKind), columns);
    const why = new Map(check.notSupplied.map((f) => [`${f.entity}.${f.field}`, f.reason]));
    const { excluded } = this.selection.selectRules({
      state: district.state,
      edition: district.edition,
      sisKind: link.sisKind,
      suppliedFields: withoutFields(suppliedFieldsForSis(link.sisKind), check.notSupplied),
    });
    const droppedRules = excluded.flatMap((x) => {
      const fields = x.missingFields.filter((f) => why.has(f));
      if (fields.length === 0) return [];
      return [
        { ruleId: x.rule.id, reason: fields.map((f) => `${f} not supplied (${why.get(f)})`).join('; ') },
      ];
    });
    return { ...base, schema: { ...check, droppedRules } };
  }
}
