import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from 'src/database/entities';
import { projectRoot } from 'src/common/paths.util';

/** Where compiled or source migrations live: dist/migrations/*.js when built, migrations/*.ts under ts runners. */
export function migrationGlob(): string {
  const compiled = __filename.endsWith('.js') && __dirname.includes(`${join('dist', 'src')}`);
  return compiled
    ? join(projectRoot(), 'dist', 'migrations', '*.js')
    : join(projectRoot(), 'migrations', '*.ts');
}

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [migrationGlob()],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built in (PostgreSQL 13+ and PGlite); uuid-ossp is not available in PGlite.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
    extra: { max: poolSize, application_name: 'sis-certify' },
  };
}

export function createDataSource(url: string, poolSize?: number): DataSource {
  return new DataSource(dataSourceOptions(url, poolSize));
}

/** Runs every pending migration; returns the names it applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = createDataSource(url, 2);
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
