import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { DATABASE_URL } from 'src/common/tokens';
import { createServicePool } from 'src/database/service-pool';
import { CrosswalkController } from 'src/extraction/crosswalk.controller';
import { CrosswalkRepository } from 'src/extraction/crosswalk.repository';
import { CrosswalkService } from 'src/extraction/crosswalk.service';
import { EXTRACTION_POOL } from 'src/extraction/extraction-pool.token';
import { ExtractionService } from 'src/extraction/extraction.service';
import { SnapshotsModule } from 'src/snapshots/snapshots.module';

export { EXTRACTION_POOL };

@Module({
  imports: [SnapshotsModule],
  controllers: [CrosswalkController],
  providers: [
    {
      provide: EXTRACTION_POOL,
      inject: [DATABASE_URL],
      useFactory: (url: string) => createServicePool(url, 'sis-certify-extraction', 4),
    },
    {
      provide: CrosswalkRepository,
      inject: [EXTRACTION_POOL],
      useFactory: (pool: Pool) => new CrosswalkRepository(pool),
    },
    CrosswalkService,
    ExtractionService,
  ],
  exports: [EXTRACTION_POOL, CrosswalkService, ExtractionService],
})
export class ExtractionModule implements OnModuleDestroy {
  constructor(@Inject(EXTRACTION_POOL) private readonly pool: Pool) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
