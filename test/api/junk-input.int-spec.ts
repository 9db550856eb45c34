import { factory } from 'test/helpers/factory';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { PUBLIC_OPERATIONS, fill, operations, type Operation } from 'test/helpers/openapi';

/** A body sent as this exact text (JSON.stringify would drop or fix what it tests). */
class RawJson {
  constructor(readonly text: string) {}
}

/** Bodies that are valid JSON but wrong in every way a client gets wrong: types, nesting, sizes, injections. */
const JUNK_BODIES: unknown[] = [
  [],
  [1, 2, 3],
  'a string',
  42,
  null,
  { name: null, state: 123, settings: 'x', rules: 'not yaml: [', entries: {} },
  { name: 'x'.repeat(100_000) },
  new RawJson('{"__proto__": {"role": "support", "polluted": true}, "name": "x"}'),
  new RawJson('{"constructor": {"prototype": {"polluted": true}}}'),
  new RawJson('{"name": "x", "nested": {"a": [1, {"__proto__": {"polluted": true}}]}}'),
  new RawJson('{"name": '),
  new RawJson('{"name": "x"} trailing'),
  new RawJson('"\\ud800"'),
  { schoolIds: [{ $ne: 1 }], email: "a@b.c' OR 1=1 --", password: ['x'] },
  { startsAt: 'yesterday', endsAt: '2026-02-30T25:61:00Z', asOf: '99999-01-01', limit: -1, offset: -5 },
  new RawJson('{"limit": 1e309, "offset": -0, "schoolYear": 1e309, "nightlyAt": 2e400}'),
  {
    entity: 'student; DROP TABLE users',
    field: '"; SELECT pg_sleep(10); --',
    overrides: [{ from: null, to: {} }],
  },
];

/** Path parameter values that are not ids. */
const JUNK_IDS = [
  'not-a-uuid',
  "1'; DROP TABLE districts; --",
  '%00',
  '9'.repeat(400),
  '-1',
  '00000000-0000-0000-0000-00000000000g',
];

/** Query strings with wrong types and out-of-range values. */
const JUNK_QUERIES = [
  'limit=-1&offset=abc',
  'limit=1e309&offset=-5',
  'entity=nope&kind=%27&field=%00',
  'from=2026-13-45&to=x&includePast=maybe',
  'state=ZZ&sis=db2&from=x&to=y',
];

/**
 * Bad input never crashes: every endpoint, called by support (who may call all of them) with malformed bodies,
 * path parameters and query strings, answers with a client error and a message, never a 5xx, and the service
 * still answers normally afterwards.
 */
describe('junk input on every endpoint', () => {
  let t: TestApp;
  let support: string;
  let districtId: string;
  let ops: Operation[];

  beforeAll(async () => {
    t = await createTestApp();
    support = (await t.user('support', null)).token;
    districtId = (await factory.district(t.db.pool, { name: 'Junk District' })).id;
    // Endpoints that end the caller's session are left to the auth specs; everything else is exercised.
    ops = operations(t.app).filter((op) => op.path !== '/api/auth/logout');
  });
  afterAll(() => t.close());

  const call = (op: Operation, url: string, body: unknown, token: string | null) => {
    const req = t.http[op.method](url);
    if (token) req.set('Authorization', `Bearer ${token}`);
    if (op.method === 'get' || op.method === 'delete') return req;
    return req
      .set('Content-Type', 'application/json')
      .send(body instanceof RawJson ? body.text : JSON.stringify(body));
  };

  it('answers every malformed body with a 4xx, never a 5xx', async () => {
    expect(ops.length).toBeGreaterThan(30);
    const crashes: string[] = [];
    const statuses = new Map<number, number>();
    for (const op of ops.filter((o) => ['post', 'put', 'patch'].includes(o.method))) {
      const token = PUBLIC_OPERATIONS.has(`${op.method} ${op.path}`) ? null : support;
      for (const body of JUNK_BODIES) {
        const res = await call(op, fill(op, { districtId }), body, token);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500)
          crashes.push(
            `${op.method.toUpperCase()} ${op.path} ${(body instanceof RawJson ? body.text : JSON.stringify(body)).slice(0, 60)} → ${res.status}`,
          );
        else if (res.status >= 400) expect(res.body).toHaveProperty('message');
      }
    }
    expect(crashes).toEqual([]);
    // The calls reached validation (400) rather than stopping at authentication.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(statuses.get(401) ?? 0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers junk path parameters and query strings with a 4xx, never a 5xx', async () => {
    const crashes: string[] = [];
    for (const op of ops) {
      const token = PUBLIC_OPERATIONS.has(`${op.method} ${op.path}`) ? null : support;
      const urls: string[] = [];
      for (const junk of JUNK_IDS) {
        if (op.params.length === 0) break;
        const values = Object.fromEntries(op.params.map((p) => [p, encodeURIComponent(junk)]));
        urls.push(fill(op, values));
        if (op.params.includes('districtId') && op.params.length > 1)
          urls.push(fill(op, { ...values, districtId }));
      }
      // Deletes get unknown ids here, so the district survives for the last check.
      for (const q of JUNK_QUERIES)
        urls.push(`${fill(op, op.method === 'delete' ? {} : { districtId })}?${q}`);
      for (const url of urls) {
        const res = await call(op, url, {}, token);
        if (res.status >= 500)
          crashes.push(`${op.method.toUpperCase()} ${url.slice(0, 120)} → ${res.status}`);
      }
    }
    expect(crashes).toEqual([]);
  });

  it('refuses a body that reaches for an object prototype, naming the key', async () => {
    const res = await t.http
      .patch(`/api/districts/${districtId}`)
      .set('Authorization', `Bearer ${support}`)
      .set('Content-Type', 'application/json')
      .send('{"name": "Renamed", "constructor": {"name": "x"}}')
      .expect(400);
    expect((res.body as { message: string }).message).toContain('the key "constructor" is not allowed');
  });

  it('still serves normal requests afterwards and the district is intact', async () => {
    await t.http.get('/health').expect(200);
    const res = await t.http
      .get(`/api/districts/${districtId}`)
      .set('Authorization', `Bearer ${support}`)
      .expect(200);
    expect(res.body).toMatchObject({ id: districtId, name: 'Junk District' });
  });
});
