import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';

/** Identifier crosswalks through the API: entries, a vendor CSV, validation, tenant isolation. */
describe('identifier crosswalks API', () => {
  let t: TestApp;
  let admin: TestUser;
  let districtId: string;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'off', RUN_SCHEDULER: 'off' });
    districtId = (await factory.district(t.db.pool)).id;
    admin = await t.user('district_admin', districtId);
  });
  afterAll(async () => {
    await t?.close();
  });

  const url = (entity: string, tail = ''): string =>
    `/api/districts/${districtId}/id-crosswalks/${entity}${tail}`;

  it('saves entries, then imports a vendor CSV on top, and lists them', async () => {
    const saved = await t.http
      .put(url('student'))
      .auth(admin.token, { type: 'bearer' })
      .send({
        entries: [
          { oldId: '100001', newId: '2100001' },
          { oldId: '100002', newId: '2100002' },
        ],
      })
      .expect(200);
    expect(saved.body).toMatchObject({ entity: 'student', received: 2, inserted: 2, updated: 0 });
    const imported = await t.http
      .post(url('student', '/import'))
      .auth(admin.token, { type: 'bearer' })
      .send({ csv: '\uFEFFOld ID;New ID\r\n100002;2100902\r\n"100003";"2100003"\r\n' })
      .expect(201);
    expect(imported.body).toMatchObject({ received: 2, inserted: 1, updated: 1 });
    const list = await t.http.get(url('student')).auth(admin.token, { type: 'bearer' }).expect(200);
    expect(list.body).toEqual({
      total: 3,
      items: [
        { oldId: '100001', newId: '2100001' },
        { oldId: '100002', newId: '2100902' },
        { oldId: '100003', newId: '2100003' },
      ],
    });
    const { rows } = await t.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM id_crosswalks WHERE district_id = $1 AND entity = 'student'`,
      [districtId],
    );
    expect(Number(rows[0].n)).toBe(3);
  });

  it('refuses duplicates and merged ids with every problem named, and a file without a header', async () => {
    const dup = await t.http
      .put(url('school'))
      .auth(admin.token, { type: 'bearer' })
      .send({
        entries: [
          { oldId: '10', newId: 'A' },
          { oldId: '10', newId: 'B' },
          { oldId: '11', newId: 'B' },
        ],
      })
      .expect(400);
    expect(JSON.stringify(dup.body)).toContain("old id '10' already mapped by entry 1");
    expect(JSON.stringify(dup.body)).toContain("new id 'B' is the target of 2 old ids");
    await t.http
      .post(url('school', '/import'))
      .auth(admin.token, { type: 'bearer' })
      .send({ csv: '10,A\n11,B\n' })
      .expect(400);
    await t.http.put(url('course')).auth(admin.token, { type: 'bearer' }).send({ entries: [] }).expect(400);
  });

  it('keeps districts apart and reports against a run only when it has a comparison', async () => {
    const other = await t.user('district_admin', (await factory.district(t.db.pool)).id);
    await t.http.get(url('student')).auth(other.token, { type: 'bearer' }).expect(404);
    await t.http
      .get(url('student', '/report?runId=00000000-0000-4000-8000-000000000000'))
      .auth(admin.token, { type: 'bearer' })
      .expect(404);
    const removed = await t.http.delete(url('student')).auth(admin.token, { type: 'bearer' }).expect(200);
    expect(removed.body).toEqual({ removed: 3 });
  });
});
