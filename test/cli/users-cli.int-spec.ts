import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { runCli } from 'test/helpers/process';

/** `sis-certify user create` goes through UsersService: the API's rules, the API's outcome. */
describe('CLI user creation follows the API', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let districtId: string;
  let supportToken: string;

  beforeAll(async () => {
    t = await createTestApp();
    env = { DATABASE_URL: t.db.url, SECRETS_KEY: randomBytes(32).toString('base64') };
    districtId = (await factory.district(t.db.pool, { name: 'Cedar USD' })).id;
    supportToken = (await t.user('support', null)).token;
  });
  afterAll(() => t.close());

  const usersWith = async (email: string): Promise<Array<Record<string, unknown>>> =>
    (
      await t.db.pool.query(`SELECT role, district_id, school_ids FROM users WHERE email = $1`, [
        email.toLowerCase(),
      ])
    ).rows;

  const cliCreate = (args: string[]): ReturnType<typeof runCli> =>
    runCli(['user', 'create', ...args], { ...env, SIS_CERTIFY_PASSWORD: 'a long enough password 1' });

  it('creates a user, then refuses the same e-mail again (any case), as the API does', async () => {
    const email = 'Registrar@Cedar.k12.us';
    const first = await cliCreate(['--email', email, '--role', 'district_admin', '--district', districtId]);
    expect(first.out).toMatch(/^user [0-9a-f-]{36} created: registrar@cedar\.k12\.us \(district_admin\)$/m);
    expect(first.code).toBe(0);

    const again = await cliCreate([
      '--email',
      email.toUpperCase(),
      '--role',
      'district_admin',
      '--district',
      districtId,
    ]);
    expect(again.code).toBe(1);
    expect(again.out).toContain(`error: a user with e-mail ${email.toUpperCase()} exists`);

    const api = await t.http
      .post(`/api/districts/${districtId}/users`)
      .auth(supportToken, { type: 'bearer' })
      .send({ email, displayName: 'Again', role: 'district_admin' });
    expect(api.status).toBe(409);
    expect(await usersWith(email)).toEqual([
      { role: 'district_admin', district_id: districtId, school_ids: [] },
    ]);
  });

  it('refuses school ids for a district_admin, as the API does, and keeps them for a school_user', async () => {
    const admin = await cliCreate([
      '--email',
      'admin.with.schools@cedar.k12.us',
      '--role',
      'district_admin',
      '--district',
      districtId,
      '--schools',
      '101,102',
    ]);
    expect(admin.code).toBe(1);
    expect(admin.out).toContain('error: schoolIds are only for the school_user role (not district_admin)');
    expect(await usersWith('admin.with.schools@cedar.k12.us')).toEqual([]);

    const api = await t.http
      .post(`/api/districts/${districtId}/users`)
      .auth(supportToken, { type: 'bearer' })
      .send({
        email: 'admin.with.schools@cedar.k12.us',
        displayName: 'Admin',
        role: 'district_admin',
        schoolIds: ['101'],
      });
    expect(api.status).toBe(400);
    expect(JSON.stringify(api.body)).toContain('schoolIds are only for the school_user role');
    expect(await usersWith('admin.with.schools@cedar.k12.us')).toEqual([]);

    const registrar = await cliCreate([
      '--email',
      'registrar.101@cedar.k12.us',
      '--role',
      'school_user',
      '--district',
      districtId,
      '--schools',
      '101,102',
    ]);
    expect(registrar.code).toBe(0);
    expect(await usersWith('registrar.101@cedar.k12.us')).toEqual([
      { role: 'school_user', district_id: districtId, school_ids: ['101', '102'] },
    ]);
  });

  it('refuses a district that does not exist', async () => {
    const r = await cliCreate([
      '--email',
      'nobody@nowhere.k12.us',
      '--role',
      'district_admin',
      '--district',
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: district 00000000-0000-4000-8000-000000000000 does not exist');
  });
});
