import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let cachedRoot: string | undefined;

/** The project root (the folder holding package.json), found from this file whether it runs from src/ or dist/. */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

/** A path inside the project tree, e.g. projectPath('rules', 'ca') or projectPath('connectors', 'aeries', 'extract.sql'). */
export function projectPath(...segments: string[]): string {
  return join(projectRoot(), ...segments);
}

/** The version in the project's package.json (`sis-certify --version`, the OpenAPI document). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
