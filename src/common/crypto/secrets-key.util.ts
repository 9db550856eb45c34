import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Development convenience only: without SECRETS_KEY (refused in production by the config), a key is
 * generated once and kept beside the embedded database so restarts can still decrypt link secrets.
 */
export function resolveSecretsKey(
  configured: string | undefined,
  devKeyFile: string,
): { key: string; generated: boolean } {
  if (configured) return { key: configured, generated: false };
  if (existsSync(devKeyFile)) return { key: readFileSync(devKeyFile, 'utf8').trim(), generated: false };
  mkdirSync(dirname(devKeyFile), { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(devKeyFile, key, { mode: 0o600 });
  return { key, generated: true };
}
