/**
 * Migration tooling that needs no TypeORM CLI:
 *   generate <PascalName>  runs every migration into a scratch database, diffs entities against it and writes
 *                          migrations/<timestamp>-<PascalName>.ts (review it before committing)
 *   check                  the drift check CI runs: fails when entities and migrations disagree
 * The scratch database lives on ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from 'src/database/data-source';
import { projectRoot } from 'src/common/paths.util';
import { errorText } from 'src/common/error-text.util';

const adminUrl = process.env.ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withScratchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `sis_certify_migr_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function pendingSchemaChanges(url: string): Promise<{ up: string[]; down: string[] }> {
  const ds = createDataSource(url, 2);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const log = await ds.driver.createSchemaBuilder().log();
    return {
      up: log.upQueries.map((q) => q.query),
      down: log.downQueries.map((q) => q.query).reverse(),
    };
  } finally {
    await ds.destroy();
  }
}

function migrationSource(className: string, up: string[], down: string[]): string {
  const lines = (qs: string[]): string =>
    qs.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command === 'generate') {
    if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('usage: migration generate <PascalName>');
    const { up, down } = await withScratchDatabase(pendingSchemaChanges);
    if (up.length === 0) {
      process.stdout.write('No changes: entities and migrations agree.\n');
      return;
    }
    const ts = Date.now();
    const file = join(projectRoot(), 'migrations', `${ts}-${name}.ts`);
    writeFileSync(file, migrationSource(`${name}${ts}`, up, down));
    process.stdout.write(`Wrote ${file} (${up.length} statements)\n`);
    return;
  }
  if (command === 'check') {
    const { up } = await withScratchDatabase(pendingSchemaChanges);
    if (up.length > 0) {
      process.stderr.write(
        `Entities and migrations have drifted; a new migration would run:\n${up.join(';\n')}\n`,
      );
      process.exitCode = 1;
      return;
    }
    process.stdout.write('Migration drift check: entities and migrations agree.\n');
    return;
  }
  throw new Error('usage: migration generate <PascalName> | check');
}

main().catch((err: unknown) => {
  process.stderr.write(`${errorText(err)}\n`);
  process.exitCode = 1;
});
