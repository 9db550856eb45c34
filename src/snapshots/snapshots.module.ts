import { Module } from '@nestjs/common';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';

/** The `snapshots` table's one owner, for extraction, runs and comparisons. */
@Module({
  providers: [SnapshotsRepository],
  exports: [SnapshotsRepository],
})
export class SnapshotsModule {}
