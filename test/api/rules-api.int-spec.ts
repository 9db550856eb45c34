import { factory } from 'test/helpers/factory';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { runCli } from 'test/helpers/process';

const customRule = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: 'Student has a middle name',
  entity: 'student',
  severity: 'warning',
  audience: ['district'],
  check: { required: ['middle_name'] },
  needs: ['middle_name'],
  source: 'district practice',
  prescription: 'Enter the middle name, or NMN when the student has none.',
  examples: { pass: [{ middle_name: 'Ann' }], fail: [{ middle_name: null }] },
  ...extra,
});

describe('rules API and CLI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists rules by state and SIS and diffs them for a migration, naming the missing fields', async () => {
    const user = await t.user('support', null);
    const list = await t.http
      .get('/api/rules?state=CA&sis=aeries')
      .set('Authorization', `Bearer ${user.token}`)
      .expect(200);
    const body = list.body as {
      selected: Array<{ id: string; pack: string }>;
      excluded: Array<{ missingFields: string[] }>;
    };
    expect(body.selected.some((r) => r.id === 'CA-SENR0018')).toBe(true);
    expect(body.selected.every((r) => ['common', 'ca'].includes(r.pack))).toBe(true);
    const diff = await t.http
      .get('/api/rules/diff?state=CA&from=aeries&to=powerschool')
      .set('Authorization', `Bearer ${user.token}`)
      .expect(200);
    const gained = (diff.body as { gained: Array<{ rule: { id: string }; missingFields: string[] }> }).gained;
    // Aeries supplies roster dates (CAR) and the ELAS start date (LAC); its programs carry no school.
    expect(gained.find((g) => g.rule.id === 'COM-PRG-008')?.missingFields).toEqual(['program.school_id']);
    expect(gained.some((g) => g.rule.id === 'COM-SCH-007')).toBe(false);
    const lost = (diff.body as { lost: Array<{ rule: { id: string }; missingFields: string[] }> }).lost;
    // PowerSchool supplies the ELAS start date (S_CA_STU_ELA_C); its SCHOOLS has no closure flag
    // (State_ExcludeFromReporting is a reporting exclusion), so the rules on the SIS's active flag stay with
    // Aeries, while CA-CERT001 reads the school's status from the CDS directory and runs on both.
    expect(lost.some((l) => l.rule.id === 'CA-CERT106')).toBe(false);
    expect(lost.some((l) => l.rule.id === 'CA-CERT001')).toBe(false);
    expect(lost.find((l) => l.rule.id === 'COM-SCL-004')?.missingFields).toEqual(['school.active']);
    await t.http
      .get('/api/rules?state=NY&sis=aeries')
      .set('Authorization', `Bearer ${user.token}`)
      .expect(400);
  });

  it('accepts valid custom rules, rejects injections and sql from non-support authors, and only for the full edition', async () => {
    const full = await factory.district(t.db.pool, { edition: 'full' });
    const reporting = await factory.district(t.db.pool, { edition: 'state_reporting' });
    const admin = await t.user('district_admin', full.id);
    const support = await t.user('support', null);
    const auth = { Authorization: `Bearer ${admin.token}` };

    const created = await t.http
      .post(`/api/districts/${full.id}/custom-rules`)
      .set(auth)
      .send({ definition: customRule('DST-MIDDLE-NAME') })
      .expect(201);
    expect(created.body).toMatchObject({ ruleId: 'DST-MIDDLE-NAME', districtId: full.id });

    const injected = await t.http
      .post(`/api/districts/${full.id}/custom-rules`)
      .set(auth)
      .send({
        definition: customRule('DST-EVIL', {
          check: { expression: "last_name = 'x'; drop table users; --" },
        }),
      })
      .expect(400);
    expect(JSON.stringify(injected.body)).toMatch(/DST-EVIL/);

    const unknownField = await t.http
      .post(`/api/districts/${full.id}/custom-rules`)
      .set(auth)
      .send({ definition: customRule('DST-TYPO', { check: { required: ['midle_name'] } }) })
      .expect(400);
    expect(JSON.stringify(unknownField.body)).toContain('midle_name');

    const sqlRule = customRule('DST-SQL', {
      check: { sql: 'select row_no from {{student}} where middle_name is null' },
      examples: {
        pass: [{ rows: [{ middle_name: 'Ann' }] }],
        fail: [{ rows: [{ middle_name: null }], failing: 1 }],
      },
    });
    const denied = await t.http
      .post(`/api/districts/${full.id}/custom-rules`)
      .set(auth)
      .send({ definition: sqlRule });
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).toContain('only support staff may write sql rules');
    await t.http
      .post(`/api/districts/${full.id}/custom-rules`)
      .set('Authorization', `Bearer ${support.token}`)
      .send({ definition: sqlRule })
      .expect(201);

    await t.http
      .post(`/api/districts/${reporting.id}/custom-rules`)
      .set('Authorization', `Bearer ${support.token}`)
      .send({ definition: customRule('DST-X') })
      .expect(403);
    const listed = await t.http.get(`/api/districts/${full.id}/custom-rules`).set(auth).expect(200);
    expect((listed.body as Array<{ ruleId: string }>).map((r) => r.ruleId).sort()).toEqual([
      'DST-MIDDLE-NAME',
      'DST-SQL',
    ]);
    const { rows } = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM users');
    expect(Number(rows[0].n)).toBeGreaterThan(0); // the injection attempt changed nothing
  });

  it('prints the rule list and the migration diff from the CLI', async () => {
    const list = await runCli(['rules', 'list', '--state', 'TX', '--sis', 'infinite_campus'], {});
    expect(list.code).toBe(0);
    expect(list.out).toContain('TX-40100-000A');
    expect(list.out).not.toContain('CA-SENR0018');
    const diff = await runCli(
      ['rules', 'diff', '--state', 'CA', '--from', 'aeries', '--to', 'powerschool'],
      {},
    );
    expect(diff.out).toMatch(/aeries → powerschool: \d+ rules lost, \d+ gained/);
    const bad = await runCli(['rules', 'list', '--state', 'CA', '--sis', 'skyward'], {});
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(
      "--sis must be one of aeries, powerschool, infinite_campus, edfi (got 'skyward')",
    );
  });
});
