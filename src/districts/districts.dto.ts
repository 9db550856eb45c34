import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUUID,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CONTACT_KINDS,
  DRIVER_KINDS,
  EDITIONS,
  LINK_ROLES,
  SIS_KINDS,
  STAFF_MATCH_KEYS,
  STUDENT_MATCH_KEYS,
  TRANSPORTS,
  US_STATES,
  type ContactKind,
  type DriverKind,
  type Edition,
  type LinkRole,
  type SisKind,
  type Transport,
} from 'src/districts/district.types';

const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class SeasonWindowDto {
  @ApiProperty({ example: '06-15' })
  @Matches(MONTH_DAY, { message: 'from must be MM-DD' })
  from: string;

  @ApiProperty({ example: '08-10' })
  @Matches(MONTH_DAY, { message: 'to must be MM-DD' })
  to: string;

  @ApiProperty({ example: 'summer break' })
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class ComparisonKeysDto {
  @ApiPropertyOptional({
    enum: STUDENT_MATCH_KEYS,
    isArray: true,
    example: ['student_id'],
    description: 'student match passes, in order',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(STUDENT_MATCH_KEYS, { each: true })
  studentKeys?: Array<(typeof STUDENT_MATCH_KEYS)[number]>;

  @ApiPropertyOptional({
    enum: STAFF_MATCH_KEYS,
    isArray: true,
    example: ['state_staff_id', 'staff_id'],
    description: 'staff match passes, in order',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(STAFF_MATCH_KEYS, { each: true })
  staffKeys?: Array<(typeof STAFF_MATCH_KEYS)[number]>;
}

export class CreateDistrictDto {
  @ApiProperty({ example: 'Demo Unified School District' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: US_STATES })
  @IsIn(US_STATES)
  state: string;

  @ApiPropertyOptional({ enum: EDITIONS, default: 'full' })
  @IsOptional()
  @IsIn(EDITIONS)
  edition?: Edition;

  @ApiPropertyOptional({ example: 'America/Los_Angeles' })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ example: '02:00', description: 'local time of the nightly run; null = none' })
  @IsOptional()
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'nightlyAt must be HH:MM (24 h)' })
  nightlyAt?: string | null;

  @ApiPropertyOptional({ type: [SeasonWindowDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(12)
  @ValidateNested({ each: true })
  @Type(() => SeasonWindowDto)
  offSeason?: SeasonWindowDto[];

  @ApiPropertyOptional({ example: 2026, description: 'start year of the school year being certified' })
  @IsOptional()
  @IsInt()
  @Min(2000)
  @Max(2100)
  schoolYear?: number;

  @ApiPropertyOptional({
    type: ComparisonKeysDto,
    nullable: true,
    description: 'match keys of migration comparisons; null = service default',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ComparisonKeysDto)
  comparisonKeys?: ComparisonKeysDto | null;

  @ApiPropertyOptional({
    example: 2,
    nullable: true,
    minimum: 1,
    maximum: 10,
    description:
      'comparison window: school years every extraction and comparison covers, ending with the certified one (enrollment history, programs); null = 2 (current and prior)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  comparisonYears?: number | null;

  @ApiPropertyOptional({
    example: 0.5,
    nullable: true,
    minimum: 0.01,
    maximum: 1,
    description:
      'completeness guard: a run fails instead of being certified when an entity shrinks by more than this share against the last certified snapshot (an entity falling to 0 rows always fails); null = the service default (RUN_COMPLETENESS_MAX_SHRINK)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(1)
  completenessMaxShrink?: number | null;
}

/** Settings a district admin may change on their own district (name and edition: support only). */
export class UpdateDistrictDto extends PartialType(
  PickType(CreateDistrictDto, [
    'timeZone',
    'nightlyAt',
    'offSeason',
    'schoolYear',
    'name',
    'edition',
    'comparisonKeys',
    'comparisonYears',
    'completenessMaxShrink',
  ] as const),
) {}

export class CreateContactDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty()
  @IsEmail()
  email: string;

  @ApiPropertyOptional({ enum: CONTACT_KINDS })
  @IsOptional()
  @IsIn(CONTACT_KINDS)
  kind?: ContactKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  receivesAlerts?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  receivesDigest?: boolean;
}

export class LinkSettingsDto {
  @ApiProperty({ enum: DRIVER_KINDS })
  @IsIn(DRIVER_KINDS)
  driver: DriverKind;

  @ApiPropertyOptional({ example: 'sis.district.internal' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  host?: string;

  @ApiPropertyOptional({ example: 1433 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  database?: string;

  @ApiPropertyOptional({ description: 'PostgreSQL replicas: schema holding the native tables' })
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'schema must be a lower-case SQL identifier' })
  schema?: string;

  @ApiPropertyOptional({ description: 'Aeries: one database per school year, e.g. DST{yy}000DEMO' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  databasePattern?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  user?: string;

  @ApiPropertyOptional({ description: 'Oracle service name or SQL Server instance' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  service?: string;

  @ApiPropertyOptional({
    description: 'Ed-Fi ODS/API base URL (user = client key, secret = client secret)',
    example: 'https://ods.district.org/api',
  })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Length(1, 500)
  url?: string;

  @ApiPropertyOptional({ description: 'Ed-Fi XML: folder of interchange files on the service or agent host' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  path?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  connectTimeoutMs?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(24 * 3600_000)
  queryTimeoutMs?: number;

  @ApiPropertyOptional({
    description:
      'encrypt the connection (TLS); unset = on for SQL Server, off for PostgreSQL and Oracle. The server certificate is always verified unless sslVerify is false',
  })
  @IsOptional()
  @IsBoolean()
  ssl?: boolean;

  @ApiPropertyOptional({
    description: 'PEM bundle of the CAs that sign the SIS server certificate (instead of the system store)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 65_536)
  @Matches(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, {
    message: 'sslCa must be a PEM bundle of certificates',
  })
  sslCa?: string;

  @ApiPropertyOptional({
    description:
      'false = accept any server certificate (encrypted but not authenticated; logged as a warning; not possible for Oracle)',
    default: true,
  })
  @IsOptional()
  @IsBoolean()
  sslVerify?: boolean;
}

export class CreateLinkDto {
  @ApiProperty({ example: 'Aeries (production)' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: LINK_ROLES })
  @IsIn(LINK_ROLES)
  role: LinkRole;

  @ApiProperty({ enum: SIS_KINDS })
  @IsIn(SIS_KINDS)
  sisKind: SisKind;

  @ApiPropertyOptional({ enum: TRANSPORTS, default: 'direct' })
  @IsOptional()
  @IsIn(TRANSPORTS)
  transport?: Transport;

  @ApiProperty({ type: LinkSettingsDto })
  @ValidateNested()
  @Type(() => LinkSettingsDto)
  settings: LinkSettingsDto;

  @ApiPropertyOptional({ description: 'write-only; stored encrypted, never returned' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  password?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isTestCopy?: boolean;

  @ApiPropertyOptional({ default: 60 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  probeIntervalSeconds?: number;

  @ApiPropertyOptional({ default: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  snapshotsToKeep?: number;
}

export class BindAgentDto {
  @ApiProperty({ format: 'uuid', description: 'an agent of the same district (not revoked)' })
  @IsUUID()
  agentId: string;
}

export class UpdateLinkDto extends PartialType(OmitType(CreateLinkDto, ['sisKind'] as const)) {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
