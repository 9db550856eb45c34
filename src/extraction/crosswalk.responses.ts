import { ApiProperty } from '@nestjs/swagger';
import { CODE_SETS, type CodeSet } from 'src/districts/district.types';
import type { CrosswalkRow } from 'src/extraction/crosswalk.repository';

export class CrosswalkRowDto implements CrosswalkRow {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty({ format: 'uuid' }) linkId: string;
  @ApiProperty({ enum: CODE_SETS }) codeSet: CodeSet;
  @ApiProperty({ description: 'the code as the SIS stores it' }) sourceValue: string;
  @ApiProperty({ description: 'the canonical code it maps to' }) canonicalValue: string;
  @ApiProperty() updatedAt: Date;
}
