import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { EDITIONS, SIS_KINDS, US_STATES } from 'src/districts/district.types';

export class RuleListQueryDto {
  @ApiProperty({ enum: US_STATES })
  @IsIn(US_STATES)
  state: string;

  @ApiProperty({ enum: SIS_KINDS })
  @IsIn(SIS_KINDS)
  sis: string;

  @ApiPropertyOptional({ enum: EDITIONS })
  @IsOptional()
  @IsIn(EDITIONS)
  edition?: string;
}

export class RuleDiffQueryDto {
  @ApiProperty({ enum: US_STATES })
  @IsIn(US_STATES)
  state: string;

  @ApiProperty({ enum: SIS_KINDS })
  @IsIn(SIS_KINDS)
  from: string;

  @ApiProperty({ enum: SIS_KINDS })
  @IsIn(SIS_KINDS)
  to: string;

  @ApiPropertyOptional({ enum: EDITIONS })
  @IsOptional()
  @IsIn(EDITIONS)
  edition?: string;
}

export class SaveCustomRuleDto {
  @ApiProperty({ description: 'the rule in pack format (docs/rule-format.md)', type: Object })
  @IsObject()
  definition: Record<string, unknown>;
}

export interface RuleSummary {
  id: string;
  pack: string;
  title: string;
  entity: string;
  severity: string;
  audience: string[];
  source: string;
  sourceUrl: string | null;
  prescription: string;
  needs: string[];
}
