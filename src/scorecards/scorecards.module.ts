import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_URL } from 'src/common/tokens';
import { createServicePool } from 'src/database/service-pool';
import { RuleEngineModule } from 'src/rule-engine/rule-engine.module';
import { RUN_OBSERVER } from 'src/runs/run-pipeline.ports';
import { DigestController } from 'src/scorecards/digest.controller';
import { DigestRepository } from 'src/scorecards/digest.repository';
import { DigestService } from 'src/scorecards/digest.service';
import { ExceptionsExportService } from 'src/scorecards/exceptions-export.service';
import { ExclusionsController } from 'src/scorecards/exclusions.controller';
import { ExclusionsRepository } from 'src/scorecards/exclusions.repository';
import { ExclusionsService } from 'src/scorecards/exclusions.service';
import { RuleCatalogService } from 'src/scorecards/rule-catalog.service';
import { ScorecardCaptureRepository } from 'src/scorecards/scorecard-capture.repository';
import { ScorecardsController, SupportScorecardsController } from 'src/scorecards/scorecards.controller';
import { SCORECARDS_POOL, ScorecardsRepository } from 'src/scorecards/scorecards.repository';
import { ScorecardsRunObserver } from 'src/scorecards/scorecards-run.observer';
import { ScorecardsService } from 'src/scorecards/scorecards.service';

/**
 * Scorecards, findings, distributions, exclusions, CSV export and the nightly digest (docs/scorecards.md).
 * RunsModule imports it for RUN_OBSERVER: evaluations are captured for the scorecards as they finish.
 */
@Module({
  imports: [RuleEngineModule],
  controllers: [ScorecardsController, SupportScorecardsController, ExclusionsController, DigestController],
  providers: [
    {
      provide: SCORECARDS_POOL,
      inject: [DATABASE_URL],
      useFactory: (url: string) => createServicePool(url, 'sis-certify-scorecards-export', 4),
    },
    RuleCatalogService,
    ScorecardsRepository,
    ScorecardCaptureRepository,
    ScorecardsService,
    ExceptionsExportService,
    ExclusionsRepository,
    ExclusionsService,
    DigestRepository,
    DigestService,
    ScorecardsRunObserver,
    { provide: RUN_OBSERVER, useExisting: ScorecardsRunObserver },
  ],
  exports: [RUN_OBSERVER, ScorecardsService, ScorecardCaptureRepository],
})
export class ScorecardsModule implements OnModuleDestroy {
  constructor(@Inject(SCORECARDS_POOL) private readonly pool: Pool) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
