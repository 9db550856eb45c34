import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ComparisonModule } from 'src/comparison/comparison.module';
import { DistrictsModule } from 'src/districts/districts.module';
import { ExtractionModule } from 'src/extraction/extraction.module';
import { LinkHealthRepository } from 'src/connectivity/link-health.repository';
import { SnapshotsModule } from 'src/snapshots/snapshots.module';
import { AgentRelayClient } from 'src/agent-gateway/agent-relay.client';
import { AgentRelayRepository } from 'src/agent-gateway/agent-relay.repository';
import { AgentRelayWorker } from 'src/agent-gateway/agent-relay.worker';
import { DriverExtractorAdapter } from 'src/runs/driver-extractor.adapter';
import { LinkTestController } from 'src/runs/link-test.controller';
import { LinkTestService } from 'src/runs/link-test.service';
import { ExecuteRunUseCase } from 'src/runs/execute-run.use-case';
import { RUN_EVALUATOR, RUN_EXTRACTOR } from 'src/runs/run-pipeline.ports';
import { RuleEngineEvaluatorAdapter } from 'src/runs/rule-engine-evaluator.adapter';
import { RuleEngineModule } from 'src/rule-engine/rule-engine.module';
import { RunQueueService } from 'src/runs/run-queue.service';
import { RunSchedulerService } from 'src/runs/run-scheduler.service';
import { RunsController } from 'src/runs/runs.controller';
import { RunsRepository } from 'src/runs/runs.repository';
import { RunsService } from 'src/runs/runs.service';
import { ScorecardsModule } from 'src/scorecards/scorecards.module';
import { StartRunUseCase } from 'src/runs/start-run.use-case';

export interface RunsModuleOptions {
  /** Replaces the extraction step (tests); default: the link's driver through the extraction pipeline. */
  extractor?: Provider;
  /** Replaces the rule evaluation step (tests); default: the rule engine with the district's selected rules. */
  evaluator?: Provider;
  /** Extra modules the providers above need. */
  imports?: NonNullable<DynamicModule['imports']>;
}

/**
 * Runs: API, job queue (pg-boss), workers and the nightly scheduler. Workers and the scheduler start by
 * role (worker | all) or RUN_WORKERS / RUN_SCHEDULER.
 */
@Module({})
export class RunsModule {
  static forRoot(o: RunsModuleOptions = {}): DynamicModule {
    return {
      module: RunsModule,
      imports: [
        DistrictsModule,
        ExtractionModule,
        ComparisonModule,
        RuleEngineModule,
        ScorecardsModule,
        SnapshotsModule,
        ...(o.imports ?? []),
      ],
      controllers: [RunsController, LinkTestController],
      providers: [
        RunsRepository,
        // Link state is connectivity's (link_health); runs only read it, also where connectivity's tickers are off.
        LinkHealthRepository,
        RunsService,
        StartRunUseCase,
        ExecuteRunUseCase,
        RunQueueService,
        RunSchedulerService,
        DriverExtractorAdapter,
        AgentRelayRepository,
        AgentRelayClient,
        AgentRelayWorker,
        RuleEngineEvaluatorAdapter,
        LinkTestService,
        o.extractor ?? { provide: RUN_EXTRACTOR, useExisting: DriverExtractorAdapter },
        o.evaluator ?? { provide: RUN_EVALUATOR, useExisting: RuleEngineEvaluatorAdapter },
      ],
      exports: [
        RunsRepository,
        StartRunUseCase,
        ExecuteRunUseCase,
        RunSchedulerService,
        RunQueueService,
        RUN_EXTRACTOR,
        DriverExtractorAdapter,
        AgentRelayWorker,
      ],
    };
  }
}
