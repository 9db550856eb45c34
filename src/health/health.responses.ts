import { ApiProperty } from '@nestjs/swagger';

const indicators = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { status: { type: 'string' } } },
} as const;

/** Terminus's health report: `ok` with every indicator up, else `error` (503). */
export class HealthReportDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] }) status: string;
  @ApiProperty({ ...indicators, example: { database: { status: 'up' } } }) info?: Record<string, unknown>;
  @ApiProperty({ ...indicators }) error?: Record<string, unknown>;
  @ApiProperty({ ...indicators }) details: Record<string, unknown>;
}
