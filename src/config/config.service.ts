import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import {
  AppEnv,
  DatabaseEnv,
  DemoEnv,
  HealthEnv,
  HttpEnv,
  MailEnv,
  SecurityEnv,
} from 'src/config/config.dto';
import { RunsEnv } from 'src/config/runs-env.dto';

export class ConfigException extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigException';
  }
}

export interface AppConfig {
  app: AppEnv;
  http: HttpEnv;
  database: DatabaseEnv;
  security: SecurityEnv;
  mail: MailEnv;
  demo: DemoEnv;
  health: HealthEnv;
  runs: RunsEnv;
}

const SECRET_VARS = new Set(['SECRETS_KEY', 'SECRETS_KEY_PREVIOUS', 'DATABASE_URL', 'SMTP_URL']);

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const shown = SECRET_VARS.has(e.property) ? '(value hidden)' : JSON.stringify(e.value);
    return Object.values(e.constraints ?? {}).map((msg) => `${e.property}=${shown}: ${msg}`);
  });
}

function parse<T extends object>(cls: ClassConstructor<T>, env: NodeJS.ProcessEnv, problems: string[]): T {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') raw[k] = v;
  const instance = plainToInstance(cls, raw, { exposeDefaultValues: true });
  problems.push(...describe(validateSync(instance, { forbidUnknownValues: false })));
  return instance;
}

/** Validates the whole environment once; throws one ConfigException naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const config: AppConfig = {
    app: parse(AppEnv, env, problems),
    http: parse(HttpEnv, env, problems),
    database: parse(DatabaseEnv, env, problems),
    security: parse(SecurityEnv, env, problems),
    mail: parse(MailEnv, env, problems),
    demo: parse(DemoEnv, env, problems),
    health: parse(HealthEnv, env, problems),
    runs: parse(RunsEnv, env, problems),
  };
  // Unset, the public URL is this listener's own: links in e-mails follow PORT.
  if (!env.PUBLIC_URL) config.http.PUBLIC_URL = `http://localhost:${config.http.PORT}`;
  if (config.app.NODE_ENV === 'production' && !config.security.SECRETS_KEY) {
    problems.push('SECRETS_KEY: required when NODE_ENV=production (32 random bytes, base64)');
  }
  if (problems.length > 0) throw new ConfigException(problems);
  return config;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
