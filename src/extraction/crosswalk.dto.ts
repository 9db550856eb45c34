import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { CODE_SETS, type CodeSet } from 'src/districts/district.types';

export class UpsertCrosswalkDto {
  @ApiProperty({
    description: 'the link whose native codes this entry maps (old and new SIS have their own)',
  })
  @IsUUID()
  linkId: string;

  @ApiProperty({ enum: CODE_SETS })
  @IsIn(CODE_SETS)
  codeSet: CodeSet;

  @ApiProperty({ example: '-1', description: 'the native value as stored in the SIS' })
  @IsString()
  @Length(1, 100)
  sourceValue: string;

  @ApiProperty({
    example: 'TK',
    description: 'the canonical value (grade levels and sex from the canonical code list)',
  })
  @IsString()
  @Length(1, 100)
  canonicalValue: string;
}
