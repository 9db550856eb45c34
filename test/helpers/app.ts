import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { hashPassword } from 'src/auth/password.util';
import type { Role } from 'src/auth/auth.types';
import { createApp } from 'src/bootstrap';
import { loadConfig, type AppConfig } from 'src/config/config.service';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  districtId: string | null;
  token: string;
}

export interface TestApp {
  app: NestExpressApplication;
  db: TestDatabase;
  config: AppConfig;
  http: ReturnType<typeof request>;
  /** Creates a user straight in the database and returns a bearer token for it. */
  user(
    role: Role,
    districtId: string | null,
    extra?: { schoolIds?: string[]; programCodes?: string[] },
  ): Promise<TestUser>;
  close(): Promise<void>;
}

/** The `Cookie` header value a browser would send after this login response (session + CSRF cookie). */
export function sessionCookies(login: { headers: Record<string, unknown> }): string {
  const raw = login.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return list.map((c) => c.split(';')[0]).join('; ');
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** The full HTTP application (AppModule, the one composition) on its own migrated database. */
export async function createTestApp(
  env: Record<string, string> = {},
  /** A second instance on another app's database (left to its owner to drop). */
  shared?: TestDatabase,
): Promise<TestApp> {
  const db = shared ?? (await createTestDatabase());
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ...env,
    DATABASE_URL: db.url,
  });
  const app = await createApp({
    config,
    databaseUrl: db.url,
    secretsKey: config.security.SECRETS_KEY ?? '',
  });
  await app.init();
  const http = request(app.getHttpServer());
  let n = 0;
  const passwordHash = await hashPassword(TEST_PASSWORD);
  return {
    app,
    db,
    config,
    http,
    async user(role, districtId, extra = {}) {
      n += 1;
      const email = `${role}.${n}.${randomBytes(3).toString('hex')}@test.k12.us`;
      const { rows } = await db.pool.query<{ id: string }>(
        `INSERT INTO users (email, display_name, role, district_id, school_ids, program_codes, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [email, email, role, districtId, extra.schoolIds ?? [], extra.programCodes ?? [], passwordHash],
      );
      const login = await http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
      const cookie = sessionCookies(login);
      const tokenRes = await request(app.getHttpServer())
        .post('/api/auth/tokens')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', (login.body as { csrfToken: string }).csrfToken)
        .send({ name: 'test' })
        .expect(201);
      const token = (tokenRes.body as { token: string }).token;
      return { id: rows[0].id, email, password: TEST_PASSWORD, role, districtId, token };
    },
    async close() {
      await app.close();
      if (!shared) await db.drop();
    },
  };
}
