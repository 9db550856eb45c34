import { Client } from 'pg';
// Global teardown runs outside jest's module registry: same-folder relative import.
import { ADMIN_URL, TEMPLATE_ENV } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const name = process.env[TEMPLATE_ENV];
  if (!name) return;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // Spec databases whose file crashed before its afterAll: never leave anything behind.
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${name.replace('_tpl_', '_t_')}_%`],
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
  } finally {
    await admin.end();
    delete process.env[TEMPLATE_ENV];
  }
}
