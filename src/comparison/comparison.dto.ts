import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CANONICAL_ENTITIES, type CanonicalEntity } from 'connectors/sdk/canonical';
import { DIFFERENCE_KINDS, type DifferenceKind } from 'src/comparison/comparison.types';

export class DifferencesQueryDto {
  @ApiPropertyOptional({ enum: CANONICAL_ENTITIES })
  @IsOptional()
  @IsIn(CANONICAL_ENTITIES)
  entity?: CanonicalEntity;

  @ApiPropertyOptional({ example: 'exit_date' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  field?: string;

  @ApiPropertyOptional({ enum: DIFFERENCE_KINDS })
  @IsOptional()
  @IsIn(DIFFERENCE_KINDS)
  kind?: DifferenceKind;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;
}

export class PageQueryDto {
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;
}
