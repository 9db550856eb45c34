import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Principal } from 'src/auth/auth.types';
import { AppModule } from 'src/app.module';
import { AppEnv } from 'src/config/config.dto';
import { loadConfig, type AppConfig } from 'src/config/config.service';
import { RunsEnv } from 'src/config/runs-env.dto';
import { resolveDatabase, type ResolvedDatabase } from 'src/database/database-bootstrap';

/** Whoever runs the CLI holds the service database: support rights, through the same services as the API. */
export const CLI_PRINCIPAL: Principal = {
  userId: 'cli',
  email: 'cli@localhost',
  role: 'support',
  districtId: null,
  schoolIds: [],
  programCodes: [],
  via: 'token',
};

/**
 * The configuration of a command process: role api with run workers and the nightly scheduler off, so the
 * application context serves the command only — no probes, alert ticks, outbox dispatcher or job consumers
 * (the service's workers do that; a run the CLI executes holds the run lease like any worker).
 */
export function commandConfig(config: AppConfig): AppConfig {
  return {
    ...config,
    app: Object.assign(new AppEnv(), config.app, { SIS_CERTIFY_ROLE: 'api' } as const),
    runs: Object.assign(new RunsEnv(), config.runs, { RUN_WORKERS: 'off', RUN_SCHEDULER: 'off' } as const),
  };
}

/**
 * What CLI commands share: validated config, a migrated database (embedded when DATABASE_URL is unset) and
 * one Nest application context of AppModule — the same composition and services as the API.
 */
export class CliContext {
  private db?: ResolvedDatabase;
  private nest?: Promise<INestApplicationContext>;
  readonly config: AppConfig;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.config = loadConfig(env);
  }

  async database(): Promise<ResolvedDatabase> {
    this.db ??= await resolveDatabase(this.config, undefined, { shareRunning: true });
    return this.db;
  }

  /** The application (no HTTP, no workers, no scheduler), created once per command. */
  app(): Promise<INestApplicationContext> {
    this.nest ??= (async () => {
      const db = await this.database();
      return NestFactory.createApplicationContext(
        AppModule.forRoot({
          config: commandConfig(this.config),
          databaseUrl: db.url,
          secretsKey: db.secretsKey,
        }),
        { logger: ['error', 'warn'] },
      );
    })();
    return this.nest;
  }

  /** A service or repository of the application context. */
  async get<T>(type: abstract new (...args: never[]) => T): Promise<T> {
    return (await this.app()).get(type);
  }

  async close(): Promise<void> {
    const nest = this.nest;
    this.nest = undefined;
    if (nest)
      await nest.then(
        (app) => app.close(),
        () => undefined,
      );
    await this.db?.embedded?.stop();
  }
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
