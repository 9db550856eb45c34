import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';

export const API_RUN_KINDS = ['manual', 'trial'] as const;

export class StartRunDto {
  @ApiPropertyOptional({
    enum: API_RUN_KINDS,
    default: 'manual',
    description: 'trial = against the new SIS test copy',
  })
  @IsOptional()
  @IsIn(API_RUN_KINDS)
  kind: (typeof API_RUN_KINDS)[number] = 'manual';

  @ApiPropertyOptional({ example: '2026-11-01', description: 'as-of date (district local); default today' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be YYYY-MM-DD' })
  asOf?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10,
    example: 3,
    description: "school years this run compares, ending with the certified one (default: the district's)",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  comparisonYears?: number;
}

export class ListRunsQueryDto {
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page: number = 1;
}
