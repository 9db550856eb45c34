import { Module } from '@nestjs/common';
import { DistrictsController } from 'src/districts/districts.controller';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { DistrictsService } from 'src/districts/districts.service';
import { LinksController } from 'src/districts/links.controller';
import { LinksRepository } from 'src/districts/links.repository';
import { LinksService } from 'src/districts/links.service';

@Module({
  controllers: [DistrictsController, LinksController],
  providers: [DistrictsRepository, DistrictsService, LinksRepository, LinksService],
  exports: [DistrictsRepository, DistrictsService, LinksRepository, LinksService],
})
export class DistrictsModule {}
