import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONTACT_KINDS,
  DRIVER_KINDS,
  EDITIONS,
  LINK_ROLES,
  SIS_KINDS,
  STAFF_MATCH_KEYS,
  STUDENT_MATCH_KEYS,
  TRANSPORTS,
  type ComparisonKeys,
  type ContactKind,
  type DriverKind,
  type LinkRole,
  type SeasonWindow,
  type SisKind,
  type Transport,
} from 'src/districts/district.types';
import type { ContactView, DistrictView } from 'src/districts/districts.service';
import type { LinkView } from 'src/districts/links.service';
import type { LinkConnectionSettings } from 'src/districts/sis-link.entity';

export class SeasonWindowDto implements SeasonWindow {
  @ApiProperty({ example: '06-20', description: 'MM-DD' }) from: string;
  @ApiProperty({ example: '08-05' }) to: string;
  @ApiProperty({ example: 'summer break' }) reason: string;
}

export class ComparisonKeysDto implements ComparisonKeys {
  @ApiPropertyOptional({ enum: STUDENT_MATCH_KEYS, isArray: true })
  studentKeys?: Array<(typeof STUDENT_MATCH_KEYS)[number]>;
  @ApiPropertyOptional({ enum: STAFF_MATCH_KEYS, isArray: true })
  staffKeys?: Array<(typeof STAFF_MATCH_KEYS)[number]>;
}

export class DistrictViewDto implements DistrictView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'CA' }) state: string;
  @ApiProperty({ enum: EDITIONS }) edition: string;
  @ApiProperty({ example: 'America/Los_Angeles' }) timeZone: string;
  @ApiProperty({ type: String, nullable: true, example: '02:00' }) nightlyAt: string | null;
  @ApiProperty({ type: [SeasonWindowDto] }) offSeason: SeasonWindowDto[];
  @ApiProperty({ type: Number, nullable: true, example: 2026 }) schoolYear: number | null;
  @ApiProperty({ type: ComparisonKeysDto, nullable: true, description: 'null = the service default' })
  comparisonKeys: ComparisonKeysDto | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'school years the comparison window reaches back; null = the service default',
  })
  comparisonYears: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'completeness guard: largest share an entity may shrink by; null = the service default',
  })
  completenessMaxShrink: number | null;
  @ApiProperty() createdAt: Date;
}

export class ContactViewDto implements ContactView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: CONTACT_KINDS }) kind: ContactKind;
  @ApiProperty() receivesAlerts: boolean;
  @ApiProperty() receivesDigest: boolean;
}

export class LinkSettingsDto implements LinkConnectionSettings {
  @ApiProperty({ enum: DRIVER_KINDS }) driver: DriverKind;
  @ApiPropertyOptional() host?: string;
  @ApiPropertyOptional() port?: number;
  @ApiPropertyOptional() database?: string;
  @ApiPropertyOptional() schema?: string;
  @ApiPropertyOptional() user?: string;
  @ApiPropertyOptional() service?: string;
  @ApiPropertyOptional() databasePattern?: string;
  @ApiPropertyOptional() connectTimeoutMs?: number;
  @ApiPropertyOptional() queryTimeoutMs?: number;
  @ApiPropertyOptional() ssl?: boolean;
  @ApiPropertyOptional({ description: 'PEM bundle of the CAs trusted for the SIS server certificate' })
  sslCa?: string;
  @ApiPropertyOptional({ description: 'false = accept any certificate (logged as a warning)' })
  sslVerify?: boolean;
}

/** A link as the API shows it: never the secret, only whether one is set. */
export class LinkViewDto implements LinkView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) districtId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LINK_ROLES }) role: LinkRole;
  @ApiProperty({ enum: SIS_KINDS }) sisKind: SisKind;
  @ApiProperty({ enum: TRANSPORTS }) transport: Transport;
  @ApiProperty({ type: LinkSettingsDto }) settings: LinkSettingsDto;
  @ApiProperty() hasSecret: boolean;
  @ApiProperty() isTestCopy: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty() probeIntervalSeconds: number;
  @ApiProperty() snapshotsToKeep: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) agentId: string | null;
}
