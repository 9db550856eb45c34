import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { fill, operations } from 'test/helpers/openapi';

const MINE =
  /^\/api\/(status|incidents|districts\/\{districtId\}\/(status|incidents|maintenance-windows|silences|agents))/;

describe('link health API: authentication, tenancy, validation', () => {
  let t: TestApp;
  let districtA: string;
  let districtB: string;
  let adminA: TestUser;
  let support: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ MAIL_CHANNEL: 'none' });
    districtA = (await factory.district(t.db.pool, { name: 'A district' })).id;
    districtB = (await factory.district(t.db.pool, { name: 'B district' })).id;
    await factory.link(t.db.pool, districtA);
    await factory.link(t.db.pool, districtB);
    adminA = await t.user('district_admin', districtA);
    support = await t.user('support', null);
  });

  afterAll(() => t.close());

  it('exposes the status, incident, maintenance, silence and agent endpoints, all behind authentication', async () => {
    const ops = operations(t.app).filter((op) => MINE.test(op.path));
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        'get /api/status',
        'get /api/districts/{districtId}/status',
        'get /api/incidents',
        'get /api/districts/{districtId}/incidents',
        'post /api/districts/{districtId}/maintenance-windows',
        'delete /api/districts/{districtId}/silences/{silenceId}',
        'post /api/districts/{districtId}/agents/{agentId}/rotate',
      ]),
    );
    for (const op of ops) {
      const res = await t.http[op.method](fill(op, {})).send({});
      expect(`${op.method} ${op.path} → ${res.status}`).toBe(`${op.method} ${op.path} → 401`);
    }
  });

  it('never lets district A’s admin reach district B', async () => {
    const ops = operations(t.app).filter((op) => MINE.test(op.path) && op.params.includes('districtId'));
    for (const op of ops) {
      const res = await t.http[op.method](fill(op, { districtId: districtB }))
        .set('Authorization', `Bearer ${adminA.token}`)
        .send({});
      expect([403, 404]).toContain(res.status);
    }
  });

  it('shows each caller the districts they may see on the board', async () => {
    const mine = await t.http.get('/api/status').set('Authorization', `Bearer ${adminA.token}`).expect(200);
    expect(
      (mine.body as Array<{ districtId: string; links: Array<{ state: string }> }>).map((d) => [
        d.districtId,
        d.links.map((l) => l.state),
      ]),
    ).toEqual([[districtA, [expect.any(String)]]]); // PENDING, or already probed: the prober runs in this app
    const all = await t.http.get('/api/status').set('Authorization', `Bearer ${support.token}`).expect(200);
    expect((all.body as Array<{ name: string }>).map((d) => d.name)).toEqual(['A district', 'B district']);
    await t.http.get('/api/incidents').set('Authorization', `Bearer ${adminA.token}`).expect(403);
    await t.http
      .get(`/api/districts/${districtA}/agents`)
      .set('Authorization', `Bearer ${adminA.token}`)
      .expect(403);
  });

  it('validates maintenance windows and silences', async () => {
    const auth = { Authorization: `Bearer ${adminA.token}` };
    await t.http
      .post(`/api/districts/${districtA}/maintenance-windows`)
      .set(auth)
      .send({ startsAt: '2026-11-07T10:00:00Z', endsAt: '2026-11-07T09:00:00Z', reason: 'x' })
      .expect(400);
    await t.http
      .post(`/api/districts/${districtA}/maintenance-windows`)
      .set(auth)
      .send({ startsAt: 'tomorrow', endsAt: '2026-11-07T09:00:00Z', reason: 'x' })
      .expect(400);
    const linkB = (
      await t.db.pool.query<{ id: string }>(`SELECT id FROM sis_links WHERE district_id = $1`, [districtB])
    ).rows[0].id;
    await t.http
      .post(`/api/districts/${districtA}/maintenance-windows`)
      .set(auth)
      .send({ startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-01T04:00:00Z', reason: 'x', linkId: linkB })
      .expect(404);
    await t.http
      .post(`/api/districts/${districtA}/silences`)
      .set(auth)
      .send({ endsAt: '2020-01-01T00:00:00Z', comment: 'past' })
      .expect(400);
    const s = await t.http
      .post(`/api/districts/${districtA}/silences`)
      .set(auth)
      .send({ endsAt: '2030-01-01T00:00:00Z', comment: 'planned' })
      .expect(201);
    await t.http
      .delete(`/api/districts/${districtA}/silences/${(s.body as { id: string }).id}`)
      .set(auth)
      .expect(204);
    const list = await t.http.get(`/api/districts/${districtA}/silences?all=true`).set(auth).expect(200);
    expect(
      (list.body as Array<{ comment: string; active: boolean }>).map((x) => [x.comment, x.active]),
    ).toEqual([['planned', false]]);
  });
});
