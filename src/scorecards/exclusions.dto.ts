import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ExceptionItemDto } from 'src/scorecards/scorecards.dto';
import { EXCLUSION_STATUSES, type ExclusionStatus } from 'src/scorecards/scorecards.types';

export class ExclusionListQueryDto {
  @ApiPropertyOptional({ enum: [...EXCLUSION_STATUSES, 'all'], default: 'all' })
  @IsOptional()
  @IsIn([...EXCLUSION_STATUSES, 'all'])
  status: ExclusionStatus | 'all' = 'all';
}

export class CreateExclusionDto {
  @ApiProperty({
    description: 'The finding’s fingerprint (stable across runs)',
    example: '9e107d9d372bb6826bd81d3542a419d6',
  })
  @IsString()
  @Matches(/^[0-9a-f]{32}$/, { message: 'fingerprint must be 32 lowercase hex digits' })
  fingerprint!: string;

  @ApiProperty({ example: 'CA-SINF-0010' })
  @IsString()
  @Length(1, 128)
  ruleId!: string;

  @ApiProperty({
    description: 'Why this finding is not an error',
    example: 'Student returned from abroad; birth date verified',
  })
  @IsString()
  @Length(3, 2000)
  reason!: string;

  @ApiPropertyOptional({
    type: Date,
    description: 'When the exclusion stops applying (the finding comes back)',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}

export class DecisionDto {
  @ApiPropertyOptional({ example: 'Verified with the registrar' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  note?: string;
}

export class ExclusionDto {
  @ApiProperty() id!: string;
  @ApiProperty() districtId!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty() fingerprint!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: EXCLUSION_STATUSES }) status!: ExclusionStatus;
  @ApiProperty({ type: Date, nullable: true }) expiresAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() createdByEmail!: string;
  @ApiProperty({ type: Date, nullable: true }) decidedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) decidedByEmail!: string | null;
  @ApiProperty({ type: String, nullable: true }) decisionNote!: string | null;
  @ApiProperty({
    type: ExceptionItemDto,
    nullable: true,
    description: 'The finding in the latest evaluation, if still there',
  })
  record!: ExceptionItemDto | null;
}

export class ExclusionListDto {
  @ApiProperty({ type: [ExclusionDto] }) items!: ExclusionDto[];
}

export class AuditEntryDto {
  @ApiProperty() at!: Date;
  @ApiProperty() actorEmail!: string;
  @ApiProperty({ enum: ['proposed', 'created', 'approved', 'rejected', 'revoked'] }) action!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
}
