import { factory } from 'test/helpers/factory';
import { createTestApp, type TestApp } from 'test/helpers/app';

interface ErrorBody {
  statusCode: number;
  message: string;
  correlationId: string;
}

/**
 * Issue 12 hole 10: a NUL byte in a text field, a body over 1 MB and JSON nested 50,000 deep are client errors
 * (400/413) with a real correlation id, never a 500 or "none".
 */
describe('request bodies the service refuses', () => {
  let t: TestApp;
  let support: string;
  let districtId: string;

  beforeAll(async () => {
    t = await createTestApp();
    support = (await t.user('support', null)).token;
    districtId = (await factory.district(t.db.pool, { name: 'Limits District' })).id;
  });
  afterAll(() => t.close());

  const post = (url: string, text: string) =>
    t.http
      .post(url)
      .set('Authorization', `Bearer ${support}`)
      .set('Content-Type', 'application/json')
      .send(text);
  const expectCorrelated = (body: ErrorBody) => {
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  };

  it('answers a NUL byte in a text field with 400, on every endpoint that stores text', async () => {
    const bodies: Array<[string, unknown]> = [
      ['/api/districts', { name: 'Nul\u0000District', state: 'CA' }],
      [`/api/districts/${districtId}/users`, { email: 'n@x.us', displayName: 'a\u0000b', role: 'viewer' }],
      [`/api/districts/${districtId}/links`, { name: '\u0000', sis: 'aeries', role: 'old' }],
      ['/api/auth/tokens', { name: 'tok\u0000en' }],
    ];
    for (const [url, body] of bodies) {
      const res = await post(url, JSON.stringify(body));
      expect([url, res.status]).toEqual([url, 400]);
      expect((res.body as ErrorBody).message).toContain('NUL');
      expectCorrelated(res.body as ErrorBody);
    }
    const { rows } = await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM districts`);
    expect(Number(rows[0].n)).toBe(1);
  });

  it('answers a body over 1 MB with 413', async () => {
    const res = await post('/api/districts', JSON.stringify({ name: 'x'.repeat(1_100_000), state: 'CA' }));
    expect(res.status).toBe(413);
    expectCorrelated(res.body as ErrorBody);
  });

  it('answers JSON nested 50,000 deep with 400, and stays up', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const res = await post('/api/districts', `{"name": ${deep}}`);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).message).toContain('nested deeper');
    expectCorrelated(res.body as ErrorBody);
    await t.http.get('/health').expect(200);
  });

  it('answers malformed JSON with the request id the client sent', async () => {
    const res = await post('/api/districts', '{"name": ').set('X-Request-Id', 'client-req-12345678');
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).correlationId).toBe('client-req-12345678');
  });
});
