import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from 'src/auth/auth.decorators';
import { UiAssetsService } from 'src/ui/ui-assets.service';

/** The web UI's static files; the SPA shell itself is answered by SpaShellMiddleware. */
@ApiExcludeController()
@Public()
@Controller('assets')
export class UiController {
  constructor(private readonly assets: UiAssetsService) {}

  @Get('vendor/:file')
  vendor(@Param('file') file: string, @Res() res: Response) {
    return this.assets.sendVendor(file, res);
  }

  @Get(':file')
  own(@Param('file') file: string, @Res() res: Response) {
    return this.assets.sendOwn(file, res);
  }
}
