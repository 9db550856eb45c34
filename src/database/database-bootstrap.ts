import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { runMigrations } from 'src/database/data-source';
import {
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from 'src/database/embedded/embedded-postgres';
import type { AppConfig } from 'src/config/config.service';
import { resolveSecretsKey } from 'src/common/crypto/secrets-key.util';

export interface ResolvedDatabase {
  url: string;
  embedded: EmbeddedPostgres | null;
  secretsKey: string;
}

/**
 * DATABASE_URL set: use it. Unset: start the embedded PostgreSQL (PGlite) under EMBEDDED_DATA_DIR, or, with
 * `shareRunning` (the CLI), connect to the one a running service already serves from that directory.
 * Either way, apply pending migrations before the application starts (never `synchronize`).
 */
export async function resolveDatabase(
  config: AppConfig,
  logger = new Logger('Database'),
  opts: { shareRunning?: boolean } = {},
): Promise<ResolvedDatabase> {
  let embedded: EmbeddedPostgres | null = null;
  let url = config.database.DATABASE_URL;
  // The CLI while the service runs on the embedded database: connect to the service's server.
  const running =
    !url && opts.shareRunning ? runningEmbeddedPostgres(config.database.EMBEDDED_DATA_DIR) : null;
  if (running) {
    embedded = running;
    url = running.url;
  } else if (!url) {
    logger.log(
      `DATABASE_URL is not set: starting the embedded PostgreSQL in ${config.database.EMBEDDED_DATA_DIR}`,
    );
    embedded = await startEmbeddedPostgres(
      config.database.EMBEDDED_DATA_DIR,
      config.database.DATABASE_POOL_SIZE + 30,
    );
    url = embedded.url;
  }
  const applied = await runMigrations(url);
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  const keyFile = join(config.database.EMBEDDED_DATA_DIR, '..', 'secrets.key');
  const { key, generated } = resolveSecretsKey(config.security.SECRETS_KEY, keyFile);
  if (generated)
    logger.warn(
      `SECRETS_KEY is not set: generated a development key in ${keyFile} (production refuses to start without one)`,
    );
  return { url, embedded, secretsKey: key };
}
