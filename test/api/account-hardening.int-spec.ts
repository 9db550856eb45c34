import { createTestApp, sessionCookies, TEST_PASSWORD, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';

/**
 * Account holes: a password change ends the user's sessions and API tokens; the login rate limit keys on the
 * socket's peer unless TRUST_PROXY names the proxy (X-Forwarded-For from anyone is not believed); a district
 * admin learns nothing about e-mail addresses of other tenants.
 */
describe('account hardening', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({});
  });

  afterAll(async () => {
    await t?.close();
  });

  it('revokes every session and API token of a user whose password changes', async () => {
    const districtId = (await factory.district(t.db.pool)).id;
    const admin = await t.user('district_admin', districtId);
    const victim = await t.user('school_user', districtId);
    const login = await t.http
      .post('/api/auth/login')
      .send({ email: victim.email, password: TEST_PASSWORD })
      .expect(200);
    const cookie = sessionCookies(login);
    await t.http.get('/api/auth/me').set('Cookie', cookie).expect(200);
    await t.http.get('/api/auth/me').auth(victim.token, { type: 'bearer' }).expect(200);

    // A name change leaves access alone.
    await t.http
      .patch(`/api/districts/${districtId}/users/${victim.id}`)
      .auth(admin.token, { type: 'bearer' })
      .send({ displayName: 'Renamed' })
      .expect(200);
    await t.http.get('/api/auth/me').auth(victim.token, { type: 'bearer' }).expect(200);

    await t.http
      .patch(`/api/districts/${districtId}/users/${victim.id}`)
      .auth(admin.token, { type: 'bearer' })
      .send({ password: 'a brand new passphrase 42' })
      .expect(200);
    await t.http.get('/api/auth/me').set('Cookie', cookie).expect(401);
    await t.http.get('/api/auth/me').auth(victim.token, { type: 'bearer' }).expect(401);
    const { rows } = await t.db.pool.query<{ sessions: number; live_tokens: number }>(
      `SELECT (SELECT count(*)::int FROM user_sessions WHERE user_id = $1) AS sessions,
              (SELECT count(*)::int FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL) AS live_tokens`,
      [victim.id],
    );
    expect(rows[0]).toEqual({ sessions: 0, live_tokens: 0 });
    await t.http.post('/api/auth/login').send({ email: victim.email, password: TEST_PASSWORD }).expect(401);
    await t.http
      .post('/api/auth/login')
      .send({ email: victim.email, password: 'a brand new passphrase 42' })
      .expect(200);
    // The admin's own access is untouched.
    await t.http.get('/api/auth/me').auth(admin.token, { type: 'bearer' }).expect(200);
  });

  it('answers a district admin the same whoever holds an e-mail, without echoing it or naming the tenant', async () => {
    const mine = (await factory.district(t.db.pool)).id;
    const other = (await factory.district(t.db.pool)).id;
    const admin = await t.user('district_admin', mine);
    const colleague = await t.user('school_user', mine);
    const stranger = await t.user('school_user', other);
    const support = await t.user('support', null);
    const attempt = (email: string) =>
      t.http
        .post(`/api/districts/${mine}/users`)
        .auth(admin.token, { type: 'bearer' })
        .send({ email, displayName: 'New', role: 'school_user', password: 'long enough password 1' });

    const answers = [];
    for (const email of [colleague.email, stranger.email, support.email, stranger.email.toUpperCase()]) {
      const res = await attempt(email);
      answers.push({
        status: res.status,
        message: (res.body as { message: string }).message,
      });
      expect(JSON.stringify(res.body).toLowerCase()).not.toContain(email.toLowerCase());
      expect(JSON.stringify(res.body)).not.toContain(other);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 409,
      message: 'this e-mail address cannot be used for a new user',
    });
    await attempt(`fresh.${Date.now()}@test.k12.us`).expect(201);
    const { rows } = await t.db.pool.query<{ district_id: string }>(
      `SELECT district_id FROM users WHERE email = $1`,
      [stranger.email],
    );
    expect(rows).toEqual([{ district_id: other }]);
  });
});

describe('login rate limit and the client address', () => {
  const tries = async (app: TestApp, forwardedFor: (i: number) => string | null): Promise<number[]> => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const req = app.http.post('/api/auth/login');
      const ip = forwardedFor(i);
      if (ip) void req.set('X-Forwarded-For', ip);
      statuses.push((await req.send({ email: 'nobody@test.us', password: 'wrong password' })).status);
    }
    return statuses;
  };

  it('does not believe X-Forwarded-For by default: a client cannot pick a fresh address per try', async () => {
    const app = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      expect(await tries(app, (i) => `203.0.113.${i + 1}`)).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await app.close();
    }
  });

  it('keys on the forwarded address when TRUST_PROXY names the proxy', async () => {
    const app = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
    try {
      expect(await tries(app, (i) => `203.0.113.${i + 1}`)).toEqual([401, 401, 401, 401, 401]);
      expect(await tries(app, () => '198.51.100.7')).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await app.close();
    }
  });
});
