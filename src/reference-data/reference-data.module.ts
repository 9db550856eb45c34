import { Module } from '@nestjs/common';
import { StateDirectoryController } from 'src/reference-data/state-directory.controller';
import { StateDirectoryRepository } from 'src/reference-data/state-directory.repository';
import { StateDirectoryService } from 'src/reference-data/state-directory.service';

/** The states' public reference data (school directories) the state rules check against. */
@Module({
  controllers: [StateDirectoryController],
  providers: [StateDirectoryRepository, StateDirectoryService],
})
export class ReferenceDataModule {}
