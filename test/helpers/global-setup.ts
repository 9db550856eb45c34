import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runMigrations } from 'src/database/data-source';
import { ADMIN_URL, TEMPLATE_ENV, databaseUrl } from 'test/helpers/test-env';

/** Migrates a template database once per jest run; each spec file clones it (CREATE DATABASE … TEMPLATE). */
export default async function globalSetup(): Promise<void> {
  if (process.env[TEMPLATE_ENV]) return;
  const name = `sis_certify_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(name));
  process.env[TEMPLATE_ENV] = name;
}
