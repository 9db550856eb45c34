import { Transform, Type } from 'class-transformer';
import {
  IsBase64,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** Environment variables by concern. Each class is validated on its own and all problems reported at once. */
export class AppEnv {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** all = API + workers in one process; api = HTTP only; worker = queue workers, schedulers and probes only. */
  @IsOptional()
  @IsIn(['all', 'api', 'worker'])
  SIS_CERTIFY_ROLE: 'all' | 'api' | 'worker' = 'all';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Write logs to this file instead of standard output. */
  @IsOptional()
  @IsString()
  LOG_FILE?: string;
}

export class HttpEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @IsString()
  HOST: string = '0.0.0.0';

  /** Base URL used in emails (status page, scorecards). */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_URL: string = 'http://localhost:3000';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT_PER_MINUTE: number = 10;
}

export class DatabaseEnv {
  /** PostgreSQL URL. Unset: an embedded PostgreSQL (PGlite) is started under EMBEDDED_DATA_DIR. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  EMBEDDED_DATA_DIR: string = './var/pgdata';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;
}

export class SecurityEnv {
  /** 32-byte key, base64, for AES-256-GCM encryption of SIS credentials. Required in production. */
  @ValidateIf((o: SecurityEnv) => o.SECRETS_KEY !== undefined)
  @IsBase64()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'SECRETS_KEY must be 32 bytes, base64-encoded (44 characters)' })
  SECRETS_KEY?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  SESSION_TTL_HOURS: number = 12;

  @IsOptional()
  @IsIn(['true', 'false'])
  COOKIE_SECURE: 'true' | 'false' = 'false';
}

export class MailEnv {
  /** smtp://user:pass@host:port ; unset = mail is queued in the outbox but not delivered. */
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @IsEmail()
  MAIL_FROM: string = 'sis-certify@localhost.localdomain';

  /** Support staff who receive technical alerts, comma-separated. */
  @IsOptional()
  @IsString()
  SUPPORT_EMAILS: string = '';
}

export class DemoEnv {
  /** Seed a demo district (Aeries → PowerSchool migration) on an empty embedded database. */
  @IsOptional()
  @IsIn(['auto', 'true', 'false'])
  SEED_DEMO: 'auto' | 'true' | 'false' = 'auto';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(1_000_000)
  DEMO_STUDENTS: number = 2000;
}
