import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
// Global setup runs outside jest's module registry, so only same-folder relative imports resolve here.
import { ADMIN_URL, TEMPLATE_ENV, databaseUrl } from './test-env';

/**
 * Migrates a template database once per jest run (through the real CLI `migrate` command); each spec file
 * clones it with CREATE DATABASE … TEMPLATE.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env[TEMPLATE_ENV] || process.env.TEST_EMBEDDED === '1') return;
  const name = `sis_certify_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'bin', 'sis-certify.js'), 'migrate'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl(name), SIS_CERTIFY_FROM_SOURCE: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env[TEMPLATE_ENV] = name;
}
