import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBooleanString,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { Transform } from 'class-transformer';

export class CreateMaintenanceWindowDto {
  @ApiProperty({ example: '2026-11-07T06:00:00Z' })
  @IsISO8601({ strict: true })
  startsAt: string;

  @ApiProperty({ example: '2026-11-07T10:00:00Z' })
  @IsISO8601({ strict: true })
  endsAt: string;

  @ApiProperty({ example: 'PowerSchool upgrade' })
  @IsString()
  @Length(1, 500)
  reason: string;

  @ApiPropertyOptional({ description: 'only this link; the whole district when absent' })
  @IsOptional()
  @IsUUID()
  linkId?: string;
}

export class CreateSilenceDto {
  @ApiPropertyOptional({ description: 'defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiProperty({ example: '2026-11-07T10:00:00Z', description: 'the silence expires at this time' })
  @IsISO8601({ strict: true })
  endsAt: string;

  @ApiProperty({ example: 'known VPN outage, ticket 4411' })
  @IsString()
  @Length(1, 500)
  comment: string;

  @ApiPropertyOptional({ description: 'only this link; the whole district when absent' })
  @IsOptional()
  @IsUUID()
  linkId?: string;
}

export class ListQueryDto {
  @ApiPropertyOptional({ description: 'include ended windows / expired silences' })
  @IsOptional()
  @IsBooleanString()
  all?: string;
}

export class IncidentsQueryDto {
  @ApiPropertyOptional({ description: 'true: open only; false: closed only' })
  @IsOptional()
  @IsBooleanString()
  open?: string;

  @ApiPropertyOptional({ description: 'support only: one district' })
  @IsOptional()
  @IsUUID()
  districtId?: string;

  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
