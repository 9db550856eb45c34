import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { SpaShellMiddleware } from 'src/ui/spa-shell.middleware';
import { UiAssetsService } from 'src/ui/ui-assets.service';
import { UiController } from 'src/ui/ui.controller';

/** The web UI: a preact + htm SPA without a build step, served with its vendor modules from node_modules. */
@Module({ controllers: [UiController], providers: [UiAssetsService] })
export class UiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SpaShellMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.GET });
  }
}
