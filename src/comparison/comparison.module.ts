import { Module } from '@nestjs/common';
import { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import { ComparisonController } from 'src/comparison/comparison.controller';
import { ComparisonRepository } from 'src/comparison/comparison.repository';
import { ComparisonService } from 'src/comparison/comparison.service';

@Module({
  controllers: [ComparisonController],
  providers: [ComparisonRepository, ComparisonService, CompareSnapshotsUseCase],
  exports: [CompareSnapshotsUseCase, ComparisonRepository],
})
export class ComparisonModule {}
