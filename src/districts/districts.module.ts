import { Module } from '@nestjs/common';
import { SecretsRotationService } from 'src/districts/secrets-rotation.service';
import { DistrictsController } from 'src/districts/districts.controller';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { DistrictsService } from 'src/districts/districts.service';
import { LinkDriverFactory } from 'src/districts/link-driver.factory';
import { LinksController } from 'src/districts/links.controller';
import { LinksRepository } from 'src/districts/links.repository';
import { LinksService } from 'src/districts/links.service';

@Module({
  controllers: [DistrictsController, LinksController],
  providers: [
    DistrictsRepository,
    DistrictsService,
    LinksRepository,
    LinksService,
    LinkDriverFactory,
    SecretsRotationService,
  ],
  exports: [DistrictsRepository, DistrictsService, LinksRepository, LinksService, LinkDriverFactory],
})
export class DistrictsModule {}
