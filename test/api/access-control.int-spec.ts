import { factory } from 'test/helpers/factory';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { PUBLIC_OPERATIONS, fill, operations } from 'test/helpers/openapi';

describe('access control on every endpoint', () => {
  let t: TestApp;
  let districtA: string;
  let districtB: string;
  let adminA: TestUser;
  let schoolUserA: TestUser;
  let programUserA: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    districtA = (await factory.district(t.db.pool, { name: 'District A' })).id;
    districtB = (await factory.district(t.db.pool, { name: 'District B', state: 'TX' })).id;
    adminA = await t.user('district_admin', districtA);
    schoolUserA = await t.user('school_user', districtA, { schoolIds: ['101'] });
    programUserA = await t.user('program_user', districtA, { programCodes: ['144'] });
  });

  afterAll(() => t.close());

  it('answers 401 on every non-public endpoint without credentials', async () => {
    const ops = operations(t.app).filter((op) => !PUBLIC_OPERATIONS.has(`${op.method} ${op.path}`));
    expect(ops.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const op of ops) {
      const res = await t.http[op.method](fill(op, {})).send({});
      if (res.status !== 401) failures.push(`${op.method.toUpperCase()} ${op.path} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 401 for a revoked, unknown or malformed bearer token', async () => {
    await t.http.get('/api/districts').set('Authorization', 'Bearer sisc_unknown').expect(401);
    await t.http.get('/api/districts').set('Authorization', 'Bearer nonsense').expect(401);
    const user = await t.user('district_admin', districtA);
    const list = await t.http
      .get('/api/auth/tokens')
      .set('Authorization', `Bearer ${user.token}`)
      .expect(200);
    const tokenId = (list.body as Array<{ id: string }>)[0].id;
    await t.http
      .delete(`/api/auth/tokens/${tokenId}`)
      .set('Authorization', `Bearer ${user.token}`)
      .expect(204);
    await t.http.get('/api/districts').set('Authorization', `Bearer ${user.token}`).expect(401);
  });

  it.each([
    ['district admin', () => adminA],
    ['school user', () => schoolUserA],
    ['program user', () => programUserA],
  ])(
    'never lets a %s of district A read or change district B (403 or 404 on every district endpoint)',
    async (_, who) => {
      const user = who();
      const ops = operations(t.app).filter((op) => op.params.includes('districtId'));
      expect(ops.length).toBeGreaterThan(8);
      const leaks: string[] = [];
      for (const op of ops) {
        const res = await t.http[op.method](fill(op, { districtId: districtB }))
          .set('Authorization', `Bearer ${user.token}`)
          .send({});
        if (![403, 404].includes(res.status))
          leaks.push(`${op.method.toUpperCase()} ${op.path} → ${res.status}`);
      }
      expect(leaks).toEqual([]);
    },
  );

  it('lists only the caller’s own district for district roles and every district for support', async () => {
    const support = await t.user('support', null);
    const mine = await t.http
      .get('/api/districts')
      .set('Authorization', `Bearer ${adminA.token}`)
      .expect(200);
    expect((mine.body as Array<{ id: string }>).map((d) => d.id)).toEqual([districtA]);
    const all = await t.http
      .get('/api/districts')
      .set('Authorization', `Bearer ${support.token}`)
      .expect(200);
    expect((all.body as Array<{ id: string }>).map((d) => d.id).sort()).toEqual(
      [districtA, districtB].sort(),
    );
  });

  it('keeps school and program users out of administration inside their own district (403)', async () => {
    for (const user of [schoolUserA, programUserA]) {
      await t.http
        .get(`/api/districts/${districtA}/users`)
        .set('Authorization', `Bearer ${user.token}`)
        .expect(403);
      await t.http
        .get(`/api/districts/${districtA}/links`)
        .set('Authorization', `Bearer ${user.token}`)
        .expect(403);
      await t.http
        .get(`/api/districts/${districtA}/contacts`)
        .set('Authorization', `Bearer ${user.token}`)
        .expect(403);
      for (const path of [
        'crosswalks',
        'custom-rules',
        'agents',
        'maintenance-windows',
        'silences',
        'incidents',
        `runs/${districtA}/comparison`,
      ]) {
        await t.http
          .get(`/api/districts/${districtA}/${path}`)
          .set('Authorization', `Bearer ${user.token}`)
          .expect(403);
      }
      await t.http
        .post(`/api/districts/${districtA}/runs`)
        .set('Authorization', `Bearer ${user.token}`)
        .send({ kind: 'manual' })
        .expect(403);
      await t.http
        .get(`/api/districts/${districtA}`)
        .set('Authorization', `Bearer ${user.token}`)
        .expect(200);
    }
  });

  it('stops a district admin from creating support users or districts', async () => {
    await t.http
      .post(`/api/districts/${districtA}/users`)
      .set('Authorization', `Bearer ${adminA.token}`)
      .send({ email: 'evil@x.org', displayName: 'x', role: 'support', password: 'long enough password' })
      .expect(403);
    await t.http
      .post('/api/districts')
      .set('Authorization', `Bearer ${adminA.token}`)
      .send({ name: 'X', state: 'CA' })
      .expect(403);
  });
});
