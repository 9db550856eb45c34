import { ApiProperty } from '@nestjs/swagger';
import type { CustomRule } from 'src/rule-engine/custom-rules.service';
import type { RuleDefinition } from 'src/rule-engine/rule.types';
import type { RuleSummary } from 'src/rule-engine/rules-api.dto';

export class RuleSummaryDto implements RuleSummary {
  @ApiProperty({ example: 'CA-SENR-0010' }) id: string;
  @ApiProperty({ example: 'ca/senr' }) pack: string;
  @ApiProperty() title: string;
  @ApiProperty({ example: 'enrollment' }) entity: string;
  @ApiProperty({ enum: ['fatal', 'error', 'warning'] }) severity: string;
  @ApiProperty({ type: [String], description: 'who sees its findings: district, school, program, sensitive' })
  audience: string[];
  @ApiProperty({ description: 'where the rule comes from (e.g. CALPADS error list)' }) source: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the published page the rule implements (state error documentation, vendor article)',
  })
  sourceUrl: string | null;
  @ApiProperty({ description: 'how to fix a failing record' }) prescription: string;
  @ApiProperty({ type: [String], description: 'entity.field the rule reads' }) needs: string[];
}

export class ExcludedRuleDto {
  @ApiProperty({ type: RuleSummaryDto }) rule: RuleSummaryDto;
  @ApiProperty({ type: [String], description: 'entity.field the connector does not supply' })
  missingFields: string[];
}

export class RuleListViewDto {
  @ApiProperty({ type: [RuleSummaryDto] }) selected: RuleSummaryDto[];
  @ApiProperty({ type: [ExcludedRuleDto] }) excluded: ExcludedRuleDto[];
}

export class LinkRuleListDto extends RuleListViewDto {
  @ApiProperty({ format: 'uuid' }) linkId: string;
  @ApiProperty({ example: 'current' }) role: string;
  @ApiProperty({ example: 'aeries' }) sisKind: string;
}

export class RuleDiffEntryDto {
  @ApiProperty({ type: RuleSummaryDto }) rule: RuleSummaryDto;
  @ApiProperty({
    enum: ['fields', 'sis'],
    description: 'missing fields on the other side, or the rule is limited to other SIS',
  })
  reason: 'fields' | 'sis';
  @ApiProperty({ type: [String] }) missingFields: string[];
}

export class RuleDiffDto {
  @ApiProperty({ example: 'aeries' }) from: string;
  @ApiProperty({ example: 'powerschool' }) to: string;
  @ApiProperty({ type: [RuleDiffEntryDto], description: 'available with `to`, not with `from`' })
  gained: RuleDiffEntryDto[];
  @ApiProperty({ type: [RuleDiffEntryDto], description: 'available with `from`, not with `to`' })
  lost: RuleDiffEntryDto[];
  @ApiProperty() unchanged: number;
}

export class CustomRuleDto implements CustomRule {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty() ruleId: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the rule in the rule-pack format (docs/rule-format.md)',
  })
  definition: RuleDefinition;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}
