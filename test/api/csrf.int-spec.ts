import { factory } from 'test/helpers/factory';
import { createTestApp, sessionCookies, TEST_PASSWORD, type TestApp } from 'test/helpers/app';

interface Login {
  cookie: string;
  csrf: string;
  setCookie: string;
}

/**
 * Issue 12 hole 5: cookie-authenticated state-changing requests need the CSRF token and a same-origin Origin;
 * only JSON bodies are accepted, so a cross-site form or text/plain POST cannot act for a logged-in user.
 */
describe('CSRF defence on cookie-authenticated requests', () => {
  let t: TestApp;
  let districtId: string;
  let admin: Login;
  let token: string;

  const login = async (email: string): Promise<Login> => {
    const res = await t.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);
    return {
      cookie: sessionCookies(res),
      csrf: (res.body as { csrfToken: string }).csrfToken,
      setCookie: String(res.headers['set-cookie']),
    };
  };
  const usersUrl = () => `/api/districts/${districtId}/users`;
  const newUser = (n: string) => ({ email: `${n}@csrf.k12.us`, displayName: n, role: 'district_admin' });
  const userCount = async () =>
    Number((await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM users`)).rows[0].n);

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://certify.example.org' });
    districtId = (await factory.district(t.db.pool, { name: 'CSRF District' })).id;
    const u = await t.user('district_admin', districtId);
    token = u.token;
    admin = await login(u.email);
  });
  afterAll(() => t.close());

  it('sets a readable sis_csrf cookie at login and returns the same token in the body', () => {
    expect(admin.csrf).toMatch(/^[\w-]{40,}$/);
    expect(admin.setCookie).toContain(`sis_csrf=${admin.csrf}`);
    const csrfCookie = admin.setCookie.split(/,(?=\s*\w+=)/).find((c) => c.includes('sis_csrf='));
    expect(csrfCookie).not.toMatch(/HttpOnly/i);
  });

  it('refuses a cross-site form POST and a text/plain POST (415) and creates nobody', async () => {
    const before = await userCount();
    const form = await t.http
      .post(usersUrl())
      .set('Cookie', admin.cookie)
      .set('Origin', 'https://evil.example')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('email=evil%40x.us&displayName=evil&role=district_admin');
    expect(form.status).toBe(415);
    const text = await t.http
      .post(usersUrl())
      .set('Cookie', admin.cookie)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(newUser('evil2')));
    expect(text.status).toBe(415);
    expect((text.body as { correlationId: string }).correlationId).not.toBe('none');
    expect(await userCount()).toBe(before);
  });

  it('refuses a JSON POST with the session cookie but without the CSRF header', async () => {
    const res = await t.http.post(usersUrl()).set('Cookie', admin.cookie).send(newUser('nocsrf'));
    expect(res.status).toBe(403);
    expect((res.body as { message: string }).message).toContain('x-csrf-token');
    const wrong = await t.http
      .post(usersUrl())
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', 'forged')
      .send(newUser('forged'));
    expect(wrong.status).toBe(403);
  });

  it('refuses a planted sis_csrf cookie that matches the header but not the session', async () => {
    const session = admin.cookie.split('; ').find((c) => c.startsWith('sisc_session='));
    const res = await t.http
      .post(usersUrl())
      .set('Cookie', `${session}; sis_csrf=planted`)
      .set('X-CSRF-Token', 'planted')
      .send(newUser('planted'));
    expect(res.status).toBe(403);
  });

  it('refuses a foreign Origin even with the right token', async () => {
    const res = await t.http
      .post(usersUrl())
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .set('Origin', 'https://evil.example')
      .send(newUser('evilorigin'));
    expect(res.status).toBe(403);
    expect((res.body as { message: string }).message).toBe('cross-origin request refused');
  });

  it('accepts the token from the same origin (PUBLIC_URL or the own host) and without an Origin', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['pub', { Origin: 'https://certify.example.org' }],
      ['own', { Origin: 'http://sis-certify.internal:3000', Host: 'sis-certify.internal:3000' }],
      ['none', {}],
    ];
    for (const [n, headers] of cases) {
      const res = await t.http
        .post(usersUrl())
        .set('Cookie', admin.cookie)
        .set('X-CSRF-Token', admin.csrf)
        .set(headers)
        .send(newUser(`ok-${n}`));
      expect(res.status).toBe(201);
    }
  });

  it('exempts bearer-token requests, from any origin', async () => {
    const res = await t.http
      .post(usersUrl())
      .set('Authorization', `Bearer ${token}`)
      .set('Origin', 'https://automation.example')
      .send(newUser('bearer'));
    expect(res.status).toBe(201);
  });

  it('does not need the token for reads', async () => {
    await t.http.get(usersUrl()).set('Cookie', admin.cookie).expect(200);
  });
});
