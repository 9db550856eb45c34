import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { EdfiFilesController } from 'src/districts/edfi-files.controller';
import { EdfiUploadLinkGuard } from 'src/districts/edfi-files.guard';
import { EdfiFilesService, incomingDir } from 'src/districts/edfi-files.service';
import { SecretsRotationService } from 'src/districts/secrets-rotation.service';
import { DistrictsController } from 'src/districts/districts.controller';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { DistrictsService } from 'src/districts/districts.service';
import { LinkDriverFactory } from 'src/districts/link-driver.factory';
import { LinksController } from 'src/districts/links.controller';
import { LinksRepository } from 'src/districts/links.repository';
import { LinksService } from 'src/districts/links.service';

@Module({
  imports: [
    // Uploads (Ed-Fi XML files) stream to disk under UPLOADS_DIR, never into memory; sizes from the config.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        dest: incomingDir(config),
        preservePath: true,
        defParamCharset: 'utf8',
        limits: {
          fileSize: config.app.EDFI_UPLOAD_MAX_MB * 1024 * 1024,
          fields: 10,
          fieldSize: 64 * 1024,
          parts: 40,
        },
      }),
    }),
  ],
  controllers: [DistrictsController, LinksController, EdfiFilesController],
  providers: [
    EdfiFilesService,
    EdfiUploadLinkGuard,
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
