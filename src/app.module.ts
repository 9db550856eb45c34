import { Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { IncomingMessage } from 'node:http';
import { AuthModule } from 'src/auth/auth.module';
import { requestIdOf } from 'src/common/http-input.middleware';
import { CoreModule, type CoreOptions } from 'src/common/core.module';
import { dataSourceOptions } from 'src/database/data-source';
import { DatabaseModule } from 'src/database/database.module';
import { DistrictsModule } from 'src/districts/districts.module';
import { ExtractionModule } from 'src/extraction/extraction.module';
import { RulesApiModule } from 'src/rule-engine/rules-api.module';
import { ReferenceDataModule } from 'src/reference-data/reference-data.module';
import { HealthModule } from 'src/health/health.module';
import { UiModule } from 'src/ui/ui.module';
import { AgentGatewayModule } from 'src/agent-gateway/agent-gateway.module';
import { RunsModule } from 'src/runs/runs.module';
import { ComparisonModule } from 'src/comparison/comparison.module';
import { ScorecardsModule } from 'src/scorecards/scorecards.module';
import { SnapshotsModule } from 'src/snapshots/snapshots.module';

/** Secrets never reach the logs: headers and any field that looks like a credential are redacted. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.secretCiphertext',
  '*.token',
];

export type AppModuleOptions = CoreOptions;

/**
 * The one composition of the service: every feature module is listed here, for the HTTP server (main.ts),
 * the CLI's application context (src/cli/cli-context.ts), the tests and the benchmark alike. The process role
 * (SIS_CERTIFY_ROLE = api | worker | all, plus RUN_WORKERS / RUN_SCHEDULER) decides inside the modules what
 * runs in this process: run workers and the nightly scheduler (run-queue.service), probes and alert evaluation
 * (connectivity.module), the outbox dispatcher (notifications.module).
 */
@Module({})
export class AppModule {
  static forRoot(o: AppModuleOptions): DynamicModule {
    // One instance of the agents room (it carries connectivity) for the runs that extract through it.
    const agents = AgentGatewayModule.forRoot(o.config);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(o),
        LoggerModule.forRoot({
          pinoHttp: {
            level: o.config.app.LOG_LEVEL,
            stream: o.config.app.LOG_FILE
              ? pino.destination({ dest: o.config.app.LOG_FILE, sync: true })
              : undefined,
            redact: { paths: LOG_REDACT, censor: '[redacted]' },
            genReqId: (req: IncomingMessage) => requestIdOf(req),
            customProps: (req: IncomingMessage & { id?: unknown }) => ({ correlationId: req.id }),
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
            serializers: {
              req: (req: { id: unknown; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(o.databaseUrl, o.config.database.DATABASE_POOL_SIZE)),
        ThrottlerModule.forRoot([
          { name: 'login', ttl: 60_000, limit: o.config.http.LOGIN_RATE_LIMIT_PER_MINUTE },
        ]),
        DatabaseModule,
        HealthModule,
        DistrictsModule,
        AuthModule,
        ExtractionModule,
        RulesApiModule,
        ReferenceDataModule,
        SnapshotsModule,
        ComparisonModule,
        ScorecardsModule,
        agents,
        RunsModule.forRoot({ imports: [agents] }),
        UiModule,
      ],
    };
  }
}
