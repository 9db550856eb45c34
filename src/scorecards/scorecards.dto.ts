import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { SEVERITIES, type Severity } from 'src/rule-engine/rule.types';
import {
  DISTRIBUTION_BYS,
  EXCEPTION_SORTS,
  SIDES,
  type DistributionBy,
  type ExceptionSort,
  type Side,
} from 'src/scorecards/scorecards.types';

// ---------- queries ----------

export class EvaluationQueryDto {
  @ApiPropertyOptional({ description: 'A run of the district; default: the latest evaluated one' })
  @IsOptional()
  @IsUUID()
  runId?: string;

  @ApiPropertyOptional({ enum: SIDES, description: 'default: current, or new during a migration' })
  @IsOptional()
  @IsIn(SIDES)
  side?: Side;
}

export class ScorecardQueryDto extends EvaluationQueryDto {
  @ApiPropertyOptional({ description: 'Narrow the scorecard to one school (within the caller’s scope)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  schoolId?: string;
}

export class ExceptionsFilterDto extends EvaluationQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128) ruleId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) schoolId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 16) grade?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ enum: ['new', 'persisting'] })
  @IsOptional()
  @IsIn(['new', 'persisting'])
  state?: 'new' | 'persisting';

  @ApiPropertyOptional({ enum: ['include', 'only', 'exclude'], default: 'exclude' })
  @IsOptional()
  @IsIn(['include', 'only', 'exclude'])
  excluded: 'include' | 'only' | 'exclude' = 'exclude';

  @ApiPropertyOptional({ description: 'Name, local or state id, or source key contains' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ enum: EXCEPTION_SORTS, default: 'rule' })
  @IsOptional()
  @IsIn(EXCEPTION_SORTS)
  sort: ExceptionSort = 'rule';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}

export class ExceptionsQueryDto extends ExceptionsFilterDto {
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize: number = 50;
}

export class DistributionQueryDto extends EvaluationQueryDto {
  @ApiProperty({ enum: DISTRIBUTION_BYS })
  @IsIn(DISTRIBUTION_BYS)
  by!: DistributionBy;
}

export class DigestPreferenceDto {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;
}

// ---------- responses ----------

export class CountsDto {
  @ApiProperty() fatal!: number;
  @ApiProperty() error!: number;
  @ApiProperty() warning!: number;
  @ApiProperty({ description: 'Findings covered by an active exclusion (not in the other counts)' })
  excluded!: number;
}

export class FindingsDto {
  @ApiProperty({ description: 'Open findings the previous evaluation of this side did not have' })
  new!: number;
  @ApiProperty() persisting!: number;
  @ApiProperty({ description: 'Findings of the previous evaluation that are gone' }) resolved!: number;
}

export class SideStatusDto {
  @ApiProperty({ enum: SIDES }) side!: Side;
  @ApiProperty({ type: String, nullable: true }) linkId!: string | null;
  @ApiProperty({ type: String, nullable: true }) linkName!: string | null;
  @ApiProperty({ enum: ['evaluated', 'skipped', 'failed'] }) status!: 'evaluated' | 'skipped' | 'failed';
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}

export class TrendPointDto {
  @ApiProperty() runId!: string;
  @ApiProperty({ example: '2026-11-01' }) asOf!: string;
  @ApiProperty() evaluatedAt!: Date;
  @ApiProperty() score!: number;
  @ApiProperty() fatal!: number;
  @ApiProperty() error!: number;
  @ApiProperty() warning!: number;
}

export class RuleFactsDto {
  @ApiProperty() ruleId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: SEVERITIES }) severity!: Severity;
  @ApiProperty() entity!: string;
  @ApiProperty({ type: [String] }) audience!: string[];
  @ApiProperty() source!: string;
  @ApiProperty() prescription!: string;
  @ApiProperty({ enum: ['pass', 'fail', 'warn', 'error', 'skipped'] })
  status!: 'pass' | 'fail' | 'warn' | 'error' | 'skipped';
  @ApiProperty({ description: 'Records checked (estimated for a school or program scope)' }) checked!: number;
  @ApiProperty({ description: 'Open findings in scope' }) failed!: number;
  @ApiProperty() excluded!: number;
  @ApiProperty() new!: number;
  @ApiProperty() persisting!: number;
  @ApiProperty() resolved!: number;
}

export class RuleSummaryDto extends RuleFactsDto {
  @ApiProperty({ type: [Number], description: 'Open findings per run, oldest → newest' }) trend!: number[];
}

export class SchoolScoreDto {
  @ApiProperty() schoolId!: string;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty() score!: number;
  @ApiProperty() fatal!: number;
  @ApiProperty() error!: number;
  @ApiProperty() warning!: number;
}

export class ScorecardDto {
  @ApiProperty() districtId!: string;
  @ApiProperty() districtName!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null until a run has evaluated this side' })
  runId!: string | null;
  @ApiProperty({ enum: SIDES }) side!: Side;
  @ApiProperty({ type: String, nullable: true }) asOf!: string | null;
  @ApiProperty({ type: Date, nullable: true }) evaluatedAt!: Date | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: '0–100, one decimal; null when nothing was evaluated',
  })
  score!: number | null;
  @ApiProperty() scoreFormula!: string;
  @ApiProperty({ type: CountsDto }) counts!: CountsDto;
  @ApiProperty({ type: FindingsDto }) findings!: FindingsDto;
  @ApiProperty({ type: [SideStatusDto] }) sides!: SideStatusDto[];
  @ApiProperty({ type: [TrendPointDto] }) trend!: TrendPointDto[];
  @ApiProperty({ type: [RuleSummaryDto] }) rules!: RuleSummaryDto[];
  @ApiProperty({ type: [SchoolScoreDto] }) schools!: SchoolScoreDto[];
}

export class RuleTrendPointDto {
  @ApiProperty() runId!: string;
  @ApiProperty() evaluatedAt!: Date;
  @ApiProperty() failed!: number;
}

export class RuleDetailDto extends RuleFactsDto {
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: [String] }) needs!: string[];
  @ApiProperty({ description: 'required, allowed, pattern, … (docs/rule-format.md)' }) checkKind!: string;
  @ApiProperty({ type: String, nullable: true }) runId!: string | null;
  @ApiProperty({ type: [RuleTrendPointDto], description: 'Open findings per run, oldest → newest' })
  trend!: RuleTrendPointDto[];
}

export class StudentRefDto {
  @ApiProperty() studentId!: string;
  @ApiProperty({ type: String, nullable: true }) stateStudentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastName!: string | null;
  @ApiProperty({ type: String, nullable: true }) firstName!: string | null;
  @ApiProperty({ type: String, nullable: true }) grade!: string | null;
}

export class SchoolRefDto {
  @ApiProperty() schoolId!: string;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
}

/** The active exclusion that takes a finding out of the counts: why, by whom, until when. */
export class FindingExclusionDto {
  @ApiProperty() id!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: Date | null;
  @ApiProperty() createdByEmail!: string;
}

export class ExceptionItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() fingerprint!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty() ruleTitle!: string;
  @ApiProperty({ enum: SEVERITIES }) severity!: Severity;
  @ApiProperty() entity!: string;
  @ApiProperty({ enum: ['new', 'persisting'] }) state!: 'new' | 'persisting';
  @ApiProperty() excluded!: boolean;
  @ApiProperty({ type: String, nullable: true }) exclusionId!: string | null;
  @ApiProperty({ type: FindingExclusionDto, nullable: true }) exclusion!: FindingExclusionDto | null;
  @ApiProperty({ type: StudentRefDto, nullable: true }) student!: StudentRefDto | null;
  @ApiProperty({ type: SchoolRefDto, nullable: true }) school!: SchoolRefDto | null;
  @ApiProperty({ type: String, nullable: true }) programCode!: string | null;
  @ApiProperty({ type: String, nullable: true }) sourceKey!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The fields the rule read' })
  values!: Record<string, unknown>;
  @ApiProperty() prescription!: string;
}

export class ExceptionPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ type: [ExceptionItemDto] }) items!: ExceptionItemDto[];
}

export class DistributionBucketDto {
  @ApiProperty({ type: String, nullable: true }) key!: string | null;
  @ApiProperty({ type: String, nullable: true }) label!: string | null;
  @ApiProperty() count!: number;
}

export class DistributionDto {
  @ApiProperty() ruleId!: string;
  @ApiProperty({ enum: DISTRIBUTION_BYS }) by!: DistributionBy;
  @ApiProperty({ type: [DistributionBucketDto] }) buckets!: DistributionBucketDto[];
}

export class LinkStateDto {
  @ApiProperty() linkId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ enum: ['UP', 'PENDING', 'DOWN', 'MAINTENANCE'] }) state!: string;
}

export class DistrictScoreDto {
  @ApiProperty() districtId!: string;
  @ApiProperty() districtName!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty() fatal!: number;
  @ApiProperty() error!: number;
  @ApiProperty() warning!: number;
  @ApiProperty({ type: Date, nullable: true }) lastRunAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) lastRunStatus!: string | null;
  @ApiProperty({ type: [LinkStateDto] }) links!: LinkStateDto[];
}

export class DistrictScoreListDto {
  @ApiProperty({ type: [DistrictScoreDto] }) items!: DistrictScoreDto[];
}

export class DigestPreferenceResponseDto {
  @ApiProperty() enabled!: boolean;
}
