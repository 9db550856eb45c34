import { existsSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { DomainException } from 'src/common/domain.exception';
import { projectPath } from 'src/common/paths.util';

/** Vendor modules served from node_modules under /assets/vendor/<name> (no bundler, nothing from the internet). */
const VENDOR: Record<string, string[]> = {
  'preact-htm.mjs': ['node_modules', 'htm', 'preact', 'standalone.mjs'],
  'chart.umd.js': ['node_modules', 'chart.js', 'dist', 'chart.umd.min.js'],
};

const OWN_ASSET = /^[a-z0-9][a-z0-9-]*\.(js|css|svg)$/;
const SHELL_PATHS_EXCLUDED = /^\/(api|health|assets)(\/|$)/;

/**
 * The web UI's files: the SPA shell (one HTML page for every client-side route), the UI's own plain ES modules
 * and stylesheet from src/ui/assets (read from the source tree, so the built service finds them too), and the
 * vendor modules. Scripts are files only: the CSP allows scripts from self, never inline.
 */
@Injectable()
export class UiAssetsService {
  private readonly assetsDir = projectPath('src', 'ui', 'assets');

  /** True when a GET path belongs to the SPA (not the API, health or an asset). */
  isShellPath(path: string): boolean {
    return !SHELL_PATHS_EXCLUDED.test(path);
  }

  sendShell(res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(projectPath('src', 'ui', 'assets', 'index.html'));
  }

  sendOwn(file: string, res: Response): void {
    if (!OWN_ASSET.test(file) || !existsSync(`${this.assetsDir}/${file}`))
      throw DomainException.notFound('asset');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(file, { root: this.assetsDir, headers: { 'Content-Type': contentType(file) } });
  }

  sendVendor(file: string, res: Response): void {
    const segments = Object.hasOwn(VENDOR, file) ? VENDOR[file] : undefined;
    if (!segments) throw DomainException.notFound('asset');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(projectPath(...segments), { headers: { 'Content-Type': contentType(file) } });
  }
}

function contentType(file: string): string {
  if (file.endsWith('.css')) return 'text/css; charset=utf-8';
  if (file.endsWith('.svg')) return 'image/svg+xml';
  return 'text/javascript; charset=utf-8';
}
