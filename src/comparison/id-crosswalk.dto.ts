import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class IdMappingDto {
  @ApiProperty({ example: '100234', description: 'the id in the old SIS' })
  @IsString()
  @Length(1, 100)
  oldId: string;

  @ApiProperty({ example: '2100234', description: 'the id the new SIS gave the same record' })
  @IsString()
  @Length(1, 100)
  newId: string;
}

export class SaveIdCrosswalkDto {
  @ApiProperty({ type: [IdMappingDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500_000)
  @ValidateNested({ each: true })
  @Type(() => IdMappingDto)
  entries: IdMappingDto[];

  @ApiPropertyOptional({ default: false, description: "remove the entity's mappings not in this list" })
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}

export class ImportIdCrosswalkDto {
  @ApiProperty({
    example: 'old_id,new_id\n100234,2100234\n',
    description: 'the vendor file: a header naming old_id and new_id, then one mapping per line',
  })
  @IsString()
  @MaxLength(50_000_000)
  csv: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}

export class IdCrosswalkListQueryDto {
  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;
}

export class IdCrosswalkReportQueryDto {
  @ApiProperty({ description: 'the migration run whose comparison the crosswalk is checked against' })
  @IsUUID()
  runId: string;
}
