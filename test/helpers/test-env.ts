/** Where tests find PostgreSQL: TEST_DATABASE_URL (an admin connection) or this machine's local server. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template database the global setup migrates once; its name is passed to workers via the env. */
export const TEMPLATE_ENV = 'SIS_CERTIFY_TEST_TEMPLATE';
