import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { US_STATES } from 'src/districts/district.types';

export class LoadStateDirectoryDto {
  @ApiProperty({ enum: US_STATES, example: 'CA' })
  @IsIn(US_STATES)
  state: string;

  @ApiPropertyOptional({ example: 'cde-pubschls', description: "file format; default: the state's own" })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  format?: string;

  @ApiProperty({
    example: 'pubschls.txt',
    description: 'name of the file as downloaded (recorded with the load)',
  })
  @IsString()
  @Length(1, 200)
  fileName: string;

  @ApiProperty({
    description:
      "the file's text as downloaded from the state (the request body is limited to 1 MB: a county or district " +
      'extract here, the whole state file through `sis-certify reference load`)',
  })
  @IsString()
  @MaxLength(1_000_000)
  content: string;
}

export class DirectoryLoadsQueryDto {
  @ApiPropertyOptional({ enum: US_STATES })
  @IsOptional()
  @IsIn(US_STATES)
  state?: string;
}
