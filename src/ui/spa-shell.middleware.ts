import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { SESSION_COOKIE } from 'src/auth/auth.service';
import { UiAssetsService } from 'src/ui/ui-assets.service';

/**
 * Every GET outside /api, /health and /assets is a page of the SPA and gets the shell; without a session
 * cookie the browser is sent to /login first (the page asks the API who is logged in either way).
 */
@Injectable()
export class SpaShellMiddleware implements NestMiddleware {
  constructor(private readonly assets: UiAssetsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !this.assets.isShellPath(req.path)) return next();
    const cookies = req.cookies as Record<string, string> | undefined;
    if (!cookies?.[SESSION_COOKIE] && req.path !== '/login') {
      const target = req.originalUrl === '/' ? '' : `?next=${encodeURIComponent(req.originalUrl)}`;
      res.redirect(302, `/login${target}`);
      return;
    }
    this.assets.sendShell(res);
  }
}
