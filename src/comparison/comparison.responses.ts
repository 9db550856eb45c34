import { ApiProperty } from '@nestjs/swagger';
import { CANONICAL_ENTITIES, type CanonicalEntity } from 'connectors/sdk/canonical';
import {
  DIFFERENCE_KINDS,
  ID_ENTITIES,
  type ComparisonDifference,
  type ComparisonRecord,
  type DifferenceKind,
  type EntitySummary,
  type IdEntity,
  type ReferenceWarning,
  type RuleDelta,
  type SchoolReadiness,
  type WarningGroup,
} from 'src/comparison/comparison.types';

const counts = { type: 'object', additionalProperties: { type: 'number' } } as const;

export class WarningGroupDto implements WarningGroup {
  @ApiProperty({ enum: CANONICAL_ENTITIES }) entity: CanonicalEntity;
  @ApiProperty({ enum: ID_ENTITIES }) refEntity: IdEntity;
  @ApiProperty({ description: 'records pointing at an id the new SIS lacks' }) count: number;
  @ApiProperty({ description: 'distinct missing ids' }) distinctRefs: number;
  @ApiProperty({ type: [String], description: 'the most frequent missing ids' }) samples: string[];
}

export class ComparisonRecordDto implements ComparisonRecord {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) runId: string | null;
  @ApiProperty({ format: 'uuid' }) oldSnapshotId: string;
  @ApiProperty({ format: 'uuid' }) newSnapshotId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) oldEvaluationId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) newEvaluationId: string | null;
  @ApiProperty() isTrial: boolean;
  @ApiProperty() differencesTotal: number;
  @ApiProperty({ description: 'at most COMPARISON_MAX_DIFFERENCES are stored; all are counted' })
  differencesStored: number;
  @ApiProperty() warningsTotal: number;
  @ApiProperty({ type: [WarningGroupDto] }) warningSummary: WarningGroupDto[];
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: Number, nullable: true }) durationMs: number | null;
}

export class EntitySummaryDto implements EntitySummary {
  @ApiProperty({ enum: CANONICAL_ENTITIES }) entity: CanonicalEntity;
  @ApiProperty() oldCount: number;
  @ApiProperty() newCount: number;
  @ApiProperty() matched: number;
  @ApiProperty() onlyInOld: number;
  @ApiProperty() onlyInNew: number;
  @ApiProperty() recordsWithDifferences: number;
  @ApiProperty() fieldDifferences: number;
  @ApiProperty({ ...counts, description: 'field differences per field' }) byField: Record<string, number>;
}

export class SchoolReadinessDto implements SchoolReadiness {
  @ApiProperty() schoolId: string;
  @ApiProperty({ type: String, nullable: true }) schoolName: string | null;
  @ApiProperty() oldRecords: number;
  @ApiProperty() newRecords: number;
  @ApiProperty() matched: number;
  @ApiProperty() onlyInOld: number;
  @ApiProperty() onlyInNew: number;
  @ApiProperty() recordsWithDifferences: number;
  @ApiProperty({ description: 'findings on the new side that the old side did not have' })
  introducedErrors: number;
  @ApiProperty({ description: '0..100' }) matchedPercent: number;
}

export class ReferenceWarningDto implements ReferenceWarning {
  @ApiProperty({ enum: CANONICAL_ENTITIES }) entity: CanonicalEntity;
  @ApiProperty({ enum: ID_ENTITIES }) refEntity: IdEntity;
  @ApiProperty() refId: string;
  @ApiProperty({ type: String, nullable: true }) oldSourceKey: string | null;
  @ApiProperty() message: string;
}

export class ReportWarningsDto {
  @ApiProperty() total: number;
  @ApiProperty({ type: [ReferenceWarningDto] }) first: ReferenceWarningDto[];
}

export class ComparisonReportDto {
  @ApiProperty({ type: ComparisonRecordDto }) comparison: ComparisonRecordDto;
  @ApiProperty({ type: [EntitySummaryDto] }) entities: EntitySummaryDto[];
  @ApiProperty({ type: [SchoolReadinessDto] }) schools: SchoolReadinessDto[];
  @ApiProperty({ type: ReportWarningsDto }) warnings: ReportWarningsDto;
}

export class ComparisonDifferenceDto implements ComparisonDifference {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CANONICAL_ENTITIES }) entity: CanonicalEntity;
  @ApiProperty({ enum: DIFFERENCE_KINDS }) kind: DifferenceKind;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    description: 'the match key, e.g. { state_student_id, student_id }',
  })
  key: Record<string, string | null>;
  @ApiProperty({ type: String, nullable: true }) schoolId: string | null;
  @ApiProperty({ type: String, nullable: true }) field: string | null;
  @ApiProperty({ type: String, nullable: true }) oldSourceKey: string | null;
  @ApiProperty({ type: String, nullable: true }) newSourceKey: string | null;
  @ApiProperty({ type: String, nullable: true }) oldRaw: string | null;
  @ApiProperty({ type: String, nullable: true }) oldValue: string | null;
  @ApiProperty({ type: String, nullable: true }) newRaw: string | null;
  @ApiProperty({ type: String, nullable: true }) newValue: string | null;
}

export class DifferencePageDto {
  @ApiProperty({ type: [ComparisonDifferenceDto] }) items: ComparisonDifferenceDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class RuleDeltaDto implements RuleDelta {
  @ApiProperty() ruleId: string;
  @ApiProperty({ description: 'findings only the old side has' }) onlyInOld: number;
  @ApiProperty({ description: 'findings only the new side has' }) onlyInNew: number;
  @ApiProperty() inBoth: number;
}

export class RuleDeltaListDto {
  @ApiProperty({ type: [RuleDeltaDto] }) rules: RuleDeltaDto[];
  @ApiProperty({ description: 'false when a side was not evaluated' }) evaluated: boolean;
}

export class WarningsPageDto {
  @ApiProperty({ type: [ReferenceWarningDto] }) items: ReferenceWarningDto[];
  @ApiProperty() total: number;
}
