import { Module } from '@nestjs/common';
import { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import { ComparisonController } from 'src/comparison/comparison.controller';
import { ComparisonRepository } from 'src/comparison/comparison.repository';
import { ComparisonService } from 'src/comparison/comparison.service';
import { IdCrosswalkController } from 'src/comparison/id-crosswalk.controller';
import { IdCrosswalkRepository } from 'src/comparison/id-crosswalk.repository';
import { IdCrosswalkService } from 'src/comparison/id-crosswalk.service';
import { SnapshotsModule } from 'src/snapshots/snapshots.module';

@Module({
  imports: [SnapshotsModule],
  controllers: [ComparisonController, IdCrosswalkController],
  providers: [
    ComparisonRepository,
    ComparisonService,
    CompareSnapshotsUseCase,
    IdCrosswalkRepository,
    IdCrosswalkService,
  ],
  exports: [CompareSnapshotsUseCase, ComparisonRepository],
})
export class ComparisonModule {}
