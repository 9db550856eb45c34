import { randomBytes } from 'node:crypto';
import { SecretBox } from 'src/common/crypto/secret-box.service';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { runCli } from 'test/helpers/process';
import { replicaLink } from 'test/runs/run-fixtures';

/**
 * Key rotation: links encrypted under key A, the service moved to key B with A as the previous key,
 * `sis-certify secrets re-encrypt`, then a service holding only key B reads every link.
 */
describe('secrets re-encrypt (key rotation)', () => {
  const keyA = randomBytes(32).toString('base64');
  const keyB = randomBytes(32).toString('base64');
  const passwords = ['first-district-db-Passw0rd', 'second-district-db-Passw0rd'];
  let a: TestApp;
  let b: TestApp | undefined;
  let districtId: string;
  let linkIds: string[];
  let strangerLink: string;

  beforeAll(async () => {
    a = await createTestApp({ SECRETS_KEY: keyA });
    districtId = (await factory.district(a.db.pool, { name: 'Rotation USD' })).id;
    linkIds = [];
    for (const [i, role] of (['old', 'new'] as const).entries()) {
      const id = await replicaLink(a.db.pool, districtId, a.db, { role, sis: 'aeries' });
      await a.db.pool.query(`UPDATE sis_links SET secret_ciphertext = $2 WHERE id = $1`, [
        id,
        new SecretBox(keyA).encrypt(passwords[i]),
      ]);
      linkIds.push(id);
    }
    // A secret of neither key (a key lost long ago): reported by name, never a crash.
    strangerLink = (await factory.link(a.db.pool, districtId, { role: 'current' })).id;
    await a.db.pool.query(`UPDATE sis_links SET secret_ciphertext = $2 WHERE id = $1`, [
      strangerLink,
      new SecretBox(randomBytes(32).toString('base64')).encrypt('lost'),
    ]);
  });
  afterAll(async () => {
    await b?.close();
    await a.close();
  });

  const ciphertexts = async (): Promise<Map<string, string>> =>
    new Map(
      (
        await a.db.pool.query<{ id: string; secret_ciphertext: string }>(
          `SELECT id, secret_ciphertext FROM sis_links WHERE district_id = $1`,
          [districtId],
        )
      ).rows.map((r) => [r.id, r.secret_ciphertext]),
    );
  const reencrypt = (env: Record<string, string | undefined>): ReturnType<typeof runCli> =>
    runCli(['secrets', 're-encrypt'], { DATABASE_URL: a.db.url, ...env });

  it('refuses to start without the previous key, changing nothing', async () => {
    const before = await ciphertexts();
    const r = await reencrypt({ SECRETS_KEY: keyB, SECRETS_KEY_PREVIOUS: undefined });
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: SECRETS_KEY_PREVIOUS is not set');
    expect(await ciphertexts()).toEqual(before);
  });

  it('re-encrypts every secret of the previous key, names the unreadable one, and prints no secret', async () => {
    const before = await ciphertexts();
    const r = await reencrypt({ SECRETS_KEY: keyB, SECRETS_KEY_PREVIOUS: keyA });
    expect(r.out).toContain(
      '3 link secrets checked: 2 re-encrypted under the current key, 0 already current',
    );
    expect(r.out).toContain(`unreadable: link ${strangerLink} (aeries current) of district ${districtId}`);
    expect(r.out).toContain('error: 1 link secrets open with neither key (listed above)');
    expect(r.code).toBe(1);
    for (const p of [...passwords, 'lost', keyA, keyB]) expect(r.out).not.toContain(p);

    const after = await ciphertexts();
    const onlyB = new SecretBox(keyB);
    linkIds.forEach((id, i) => {
      expect(after.get(id)).not.toBe(before.get(id));
      expect(onlyB.decrypt(after.get(id) ?? '')).toBe(passwords[i]);
    });
    expect(after.get(strangerLink)).toBe(before.get(strangerLink));
  });

  it('is idempotent: a second pass changes nothing', async () => {
    await a.db.pool.query(`UPDATE sis_links SET secret_ciphertext = NULL WHERE id = $1`, [strangerLink]);
    const before = await ciphertexts();
    const r = await reencrypt({ SECRETS_KEY: keyB, SECRETS_KEY_PREVIOUS: keyA });
    expect(r.out).toContain(
      '2 link secrets checked: 0 re-encrypted under the current key, 2 already current',
    );
    expect(r.code).toBe(0);
    expect(await ciphertexts()).toEqual(before);
  });

  it('a service that holds only the new key connects to every link', async () => {
    b = await createTestApp({ SECRETS_KEY: keyB }, a.db);
    const support = await b.user('support', null);
    for (const id of linkIds) {
      const res = await b.http
        .post(`/api/districts/${districtId}/links/${id}/test`)
        .auth(support.token, { type: 'bearer' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ reachable: true, error: null });
    }
  });
});
