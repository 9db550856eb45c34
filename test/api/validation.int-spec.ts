import { factory } from 'test/helpers/factory';
import { createTestApp, sessionCookies, TEST_PASSWORD, type TestApp } from 'test/helpers/app';

describe('request validation and errors', () => {
  let t: TestApp;
  let support: string;
  let districtId: string;

  beforeAll(async () => {
    t = await createTestApp();
    support = (await t.user('support', null)).token;
    districtId = (await factory.district(t.db.pool)).id;
  });
  afterAll(() => t.close());

  it('rejects unknown fields by name', async () => {
    const res = await t.http
      .post('/api/districts')
      .set('Authorization', `Bearer ${support}`)
      .send({ name: 'X', state: 'CA', isAdmin: true })
      .expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      message: 'isAdmin: property isAdmin should not exist',
    });
    expect((res.body as { correlationId: string }).correlationId).toMatch(/[\w-]{8,}/);
  });

  it('names every invalid field, including nested ones', async () => {
    const res = await t.http
      .post('/api/districts')
      .set('Authorization', `Bearer ${support}`)
      .send({
        name: '',
        state: 'NY',
        timeZone: 'Mars/Olympus',
        nightlyAt: '25:00',
        offSeason: [{ from: '13-01', to: '08-10', reason: 'x' }],
      })
      .expect(400);
    const details = (res.body as { details: string[] }).details.join('\n');
    expect(details).toContain('name must be longer than or equal to 1 characters');
    expect(details).toContain('state must be one of the following values: CA, TX');
    expect(details).toContain('timeZone must be a valid IANA time-zone');
    expect(details).toContain('nightlyAt must be HH:MM (24 h)');
    expect(details).toContain('offSeason.0.from must be MM-DD');
  });

  it('answers 400 for malformed JSON and ids, 404 for unknown ids, never 500', async () => {
    const bad = await t.http
      .post('/api/districts')
      .set('Authorization', `Bearer ${support}`)
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect((bad.body as { statusCode: number }).statusCode).toBe(400);
    await t.http.get('/api/districts/not-a-uuid').set('Authorization', `Bearer ${support}`).expect(400);
    await t.http
      .get('/api/districts/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${support}`)
      .expect(404);
  });

  it('sets, validates and resets a district’s comparison match keys', async () => {
    const url = `/api/districts/${districtId}`;
    const bad = await t.http
      .patch(url)
      .set('Authorization', `Bearer ${support}`)
      .send({ comparisonKeys: { studentKeys: ['ssn'], staffKeys: [] } })
      .expect(400);
    const details = (bad.body as { details: string[] }).details.join('\n');
    expect(details).toContain('comparisonKeys.studentKeys');
    expect(details).toContain('comparisonKeys.staffKeys');
    const ok = await t.http
      .patch(url)
      .set('Authorization', `Bearer ${support}`)
      .send({ comparisonKeys: { studentKeys: ['student_id'] } })
      .expect(200);
    expect((ok.body as { comparisonKeys: unknown }).comparisonKeys).toEqual({ studentKeys: ['student_id'] });
    const reset = await t.http
      .patch(url)
      .set('Authorization', `Bearer ${support}`)
      .send({ comparisonKeys: null })
      .expect(200);
    expect((reset.body as { comparisonKeys: unknown }).comparisonKeys).toBeNull();
  });

  it('rejects a second link with the same role with 409 and a link with a bad driver with 400', async () => {
    const body = {
      name: 'Aeries',
      role: 'current',
      sisKind: 'aeries',
      settings: { driver: 'mssql', host: 'h', port: 1433 },
    };
    await t.http
      .post(`/api/districts/${districtId}/links`)
      .set('Authorization', `Bearer ${support}`)
      .send(body)
      .expect(201);
    await t.http
      .post(`/api/districts/${districtId}/links`)
      .set('Authorization', `Bearer ${support}`)
      .send(body)
      .expect(409);
    const res = await t.http
      .post(`/api/districts/${districtId}/links`)
      .set('Authorization', `Bearer ${support}`)
      .send({ ...body, role: 'new', settings: { driver: 'db2', port: 99999 } })
      .expect(400);
    const details = (res.body as { details: string[] }).details.join('\n');
    expect(details).toContain(
      'settings.driver must be one of the following values: pg, mssql, oracle, edfi_api, edfi_xml',
    );
    expect(details).toContain('settings.port must not be greater than 65535');
  });

  it('logs in with a cookie session, logs out, and rate-limits repeated logins', async () => {
    const limited = await (
      await import('test/helpers/app')
    ).createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const user = await limited.db.pool.query<{ email: string }>(
        `INSERT INTO users (email, display_name, role, password_hash) SELECT 'rl@test.us', 'rl', 'support', password_hash FROM users LIMIT 0 RETURNING email`,
      );
      expect(user.rows).toEqual([]);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (
            await limited.http
              .post('/api/auth/login')
              .send({ email: 'nobody@test.us', password: 'wrong password' })
          ).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
    const admin = await t.user('district_admin', districtId);
    const login = await t.http
      .post('/api/auth/login')
      .send({ email: admin.email, password: TEST_PASSWORD })
      .expect(200);
    expect(String(login.headers['set-cookie'])).toMatch(/sisc_session=.+HttpOnly/i);
    const cookie = sessionCookies(login);
    const me = await t.http.get('/api/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body).toMatchObject({ email: admin.email, role: 'district_admin', districtId });
    await t.http
      .post('/api/auth/logout')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', (login.body as { csrfToken: string }).csrfToken)
      .expect(204);
    await t.http.get('/api/auth/me').set('Cookie', cookie).expect(401);
    await t.http.post('/api/auth/login').send({ email: admin.email, password: 'wrong password' }).expect(401);
  });
});

describe('code crosswalks API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lets a district admin override a grade code for a link and validates canonical values', async () => {
    const d = await factory.district(t.db.pool);
    const other = await factory.district(t.db.pool);
    const link = await factory.link(t.db.pool, d.id, { sis_kind: 'powerschool', role: 'new' });
    const otherLink = await factory.link(t.db.pool, other.id);
    const admin = await t.user('district_admin', d.id);
    const auth = { Authorization: `Bearer ${admin.token}` };
    const saved = await t.http
      .put(`/api/districts/${d.id}/crosswalks`)
      .set(auth)
      .send({ linkId: link.id, codeSet: 'grade_level', sourceValue: '-5', canonicalValue: 'TK' })
      .expect(200);
    expect(saved.body).toMatchObject({
      linkId: link.id,
      codeSet: 'grade_level',
      sourceValue: '-5',
      canonicalValue: 'TK',
    });
    const bad = await t.http
      .put(`/api/districts/${d.id}/crosswalks`)
      .set(auth)
      .send({ linkId: link.id, codeSet: 'grade_level', sourceValue: '-6', canonicalValue: 'Kinder' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('canonicalValue for grade_level must be one of');
    // another district's link is not found, even through the caller's own district route
    await t.http
      .put(`/api/districts/${d.id}/crosswalks`)
      .set(auth)
      .send({ linkId: otherLink.id, codeSet: 'sex', sourceValue: 'W', canonicalValue: 'F' })
      .expect(404);
    const listed = await t.http.get(`/api/districts/${d.id}/crosswalks`).set(auth).expect(200);
    expect((listed.body as unknown[]).length).toBe(1);
    await t.http
      .delete(`/api/districts/${d.id}/crosswalks/${(saved.body as { id: string }).id}`)
      .set(auth)
      .expect(204);
    expect((await t.http.get(`/api/districts/${d.id}/crosswalks`).set(auth).expect(200)).body).toEqual([]);
  });
});
