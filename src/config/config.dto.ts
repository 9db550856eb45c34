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

  /**
   * Files uploaded through the API: Ed-Fi XML interchange files of a link in `<UPLOADS_DIR>/links/<link id>/`
   * (its `settings.path`). Workers read them there: with SIS_CERTIFY_ROLE=api / worker, a shared directory.
   */
  @IsOptional()
  @IsString()
  UPLOADS_DIR: string = './var/uploads';

  /** Largest Ed-Fi XML interchange file one upload takes, in MB (a larger one is refused with 413). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  EDFI_UPLOAD_MAX_MB: number = 512;
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

  /** Base URL used in emails (status page, scorecards); unset = http://localhost:${PORT}. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_URL: string = 'http://localhost:3000';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT_PER_MINUTE: number = 10;

  /**
   * Which proxies' X-Forwarded-For to believe for the client address (login rate limit, logs): `false`
   * (default: none, the socket's peer is the client), a hop count, or a comma-separated list of addresses,
   * CIDR ranges and the names loopback, linklocal, uniquelocal (Express `trust proxy`). `true` (believe anyone) is
   * refused: any client could then pick its own address.
   */
  @IsOptional()
  @Matches(
    /^(false|\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?))*)$/i,
    {
      message:
        'TRUST_PROXY: false, a hop count, or a comma-separated list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal)',
    },
  )
  TRUST_PROXY: string = 'false';
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
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'SECRETS_KEY must be 32 bytes, base64-encoded (44 characters)',
  })
  SECRETS_KEY?: string;

  /**
   * During a key rotation: the key being retired. Secrets still encrypted with it are read, and
   * `sis-certify secrets re-encrypt` rewrites them under SECRETS_KEY; then remove this setting.
   */
  @ValidateIf((o: SecurityEnv) => o.SECRETS_KEY_PREVIOUS !== undefined)
  @IsBase64()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'SECRETS_KEY_PREVIOUS must be 32 bytes, base64-encoded (44 characters)',
  })
  SECRETS_KEY_PREVIOUS?: string;

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

/** Link health, agents, alerting and the notification outbox. Durations in ms so tests can use short values. */
export class HealthEnv {
  /** How often each instance looks for links whose probe is due. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  PROBE_TICK_MS: number = 5_000;

  /** Overrides every link's probe_interval_seconds (tests, demos). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  PROBE_INTERVAL_OVERRIDE_MS?: number;

  /** Bound on one probe (connect + trivial query). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  PROBE_TIMEOUT_MS: number = 10_000;

  /** Consecutive failed probes before a link is DOWN (flap control). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  PROBE_FAILURES_BEFORE_DOWN: number = 3;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PROBE_RAW_RETENTION_HOURS: number = 48;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PROBE_ROLLUP_RETENTION_DAYS: number = 90;

  /** Missed heartbeats before an agent is DOWN. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AGENT_MISSED_HEARTBEATS: number = 3;

  /** Links of one district going DOWN within this window produce one message (Alertmanager group_wait). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  ALERT_GROUP_WAIT_MS: number = 30_000;

  /** Reminder while an incident stays open (Alertmanager repeat_interval). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  ALERT_REPEAT_INTERVAL_MS: number = 4 * 3_600_000;

  /** How often alert policy (grouping, reminders, recoveries, agent heartbeats) is evaluated. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  ALERT_TICK_MS: number = 5_000;

  /** smtp = nodemailer over SMTP_URL; log = in-process channel (development); none = mail stays queued. auto: smtp when SMTP_URL is set, else none. */
  @IsOptional()
  @IsIn(['auto', 'smtp', 'log', 'none'])
  MAIL_CHANNEL: 'auto' | 'smtp' | 'log' | 'none' = 'auto';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  OUTBOX_POLL_MS: number = 5_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  OUTBOX_MAX_ATTEMPTS: number = 12;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  OUTBOX_RETRY_BASE_MS: number = 30_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  OUTBOX_RETRY_CAP_MS: number = 3_600_000;

  /** A claimed message not confirmed within this lease is claimed again (crashed instance). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  OUTBOX_LEASE_MS: number = 120_000;
}
