import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factory } from 'test/helpers/factory';
import { createTestApp, type TestApp } from 'test/helpers/app';

const PASSWORD = 'Sup3r-Secret-SIS-pw!';

describe('SIS credentials', () => {
  let t: TestApp;
  const logFile = join(tmpdir(), `sis-certify-secrets-${process.pid}.log`);

  beforeAll(async () => {
    // Log everything at the most verbose level so the test can prove the secret never reaches the logs.
    t = await createTestApp({ LOG_LEVEL: 'trace', LOG_FILE: logFile });
  });

  afterAll(async () => {
    await t.close();
    rmSync(logFile, { force: true });
  });

  it('are encrypted at rest, never returned and never logged', async () => {
    const district = await factory.district(t.db.pool);
    const support = await t.user('support', null);
    const admin = await t.user('district_admin', district.id);
    const created = await t.http
      .post(`/api/districts/${district.id}/links`)
      .set('Authorization', `Bearer ${support.token}`)
      .send({
        name: 'PowerSchool hosted',
        role: 'new',
        sisKind: 'powerschool',
        transport: 'direct',
        settings: {
          driver: 'oracle',
          host: 'ps.example.org',
          port: 1521,
          service: 'PSPRODDB',
          user: 'psnavigator',
        },
        password: PASSWORD,
      })
      .expect(201);
    const link = created.body as { id: string; hasSecret: boolean };
    expect(link.hasSecret).toBe(true);

    const responses = [
      created,
      await t.http
        .get(`/api/districts/${district.id}/links`)
        .set('Authorization', `Bearer ${admin.token}`)
        .expect(200),
      await t.http
        .get(`/api/districts/${district.id}/links/${link.id}`)
        .set('Authorization', `Bearer ${support.token}`)
        .expect(200),
      await t.http
        .patch(`/api/districts/${district.id}/links/${link.id}`)
        .set('Authorization', `Bearer ${support.token}`)
        .send({ password: `${PASSWORD}-rotated` })
        .expect(200),
    ];
    for (const res of responses) {
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toMatch(/secret_?ciphertext|v1:/i);
    }

    const { rows } = await t.db.pool.query<{ secret_ciphertext: string }>(
      'SELECT secret_ciphertext FROM sis_links WHERE id = $1',
      [link.id],
    );
    expect(rows[0].secret_ciphertext).toMatch(/^v1:/);
    expect(rows[0].secret_ciphertext).not.toContain(PASSWORD);

    const logs = readFileSync(logFile, 'utf8');
    expect(logs).toContain('/links'); // the requests were logged …
    expect(logs).not.toContain(PASSWORD); // … without the secret
    expect(logs).not.toContain(support.token);
  });
});
