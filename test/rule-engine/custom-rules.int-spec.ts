import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createRuleEngine, type RuleEngine } from 'src/rule-engine/rule-engine.factory';
import { RuleEngineErrorCode, type RuleEngineException } from 'src/rule-engine/rule-engine.exception';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { DomainErrorCode } from 'src/common/domain.exception';

const FIXTURES = join(__dirname, 'fixtures', 'rules');

function definition(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'D-ENR-TYPE',
    title: 'Enrollment type is recorded',
    entity: 'enrollment',
    severity: 'warning',
    audience: ['district'],
    when: "status = 'active'",
    check: { required: ['enrollment_type'] },
    needs: ['enrollment_type', 'status'],
    source: 'district practice',
    prescription: 'Set the enrollment type.',
    examples: { pass: [{ status: 'active', enrollment_type: 'primary' }], fail: [{ status: 'active' }] },
    ...overrides,
  };
}

async function rejection(p: Promise<unknown>): Promise<RuleEngineException> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: RuleEngineException) => e,
  );
}

describe('custom district rules', () => {
  let db: TestDatabase;
  let engine: RuleEngine;
  let districtA: string;
  let districtB: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    engine = createRuleEngine(db.pool, { rulesDir: FIXTURES });
    districtA = (await factory.district(db.pool)).id;
    districtB = (await factory.district(db.pool)).id;
  });

  afterAll(async () => {
    await db.drop();
  });

  const stored = async (): Promise<number> =>
    Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM custom_rules')).rows[0].n);

  it('stores a valid rule for its district only and loads it as pack district:<id>', async () => {
    const saved = await engine.customRules.create(districtA, {
      definition: definition(),
      role: 'district_admin',
      userId: null,
    });
    expect(saved).toMatchObject({
      districtId: districtA,
      ruleId: 'D-ENR-TYPE',
      definition: { title: 'Enrollment type is recorded' },
    });
    expect((await engine.customRules.list(districtA)).map((r) => r.ruleId)).toEqual(['D-ENR-TYPE']);
    expect(await engine.customRules.list(districtB)).toEqual([]);
    const { rules, errors } = await engine.customRules.rules(districtA);
    expect(errors).toEqual([]);
    expect(rules.map((r) => [r.id, r.pack, r.needs])).toEqual([
      ['D-ENR-TYPE', `district:${districtA}`, ['enrollment.enrollment_type', 'enrollment.status']],
    ]);
    await expect(engine.customRules.remove(districtB, 'D-ENR-TYPE')).rejects.toMatchObject({
      code: DomainErrorCode.NOT_FOUND,
    });
    await expect(
      engine.customRules.update(districtB, 'D-ENR-TYPE', { definition: definition(), role: 'support' }),
    ).rejects.toMatchObject({
      code: DomainErrorCode.NOT_FOUND,
    });
    const dup = await rejection(
      engine.customRules.create(districtA, { definition: definition(), role: 'district_admin' }),
    );
    expect(dup.code).toBe(DomainErrorCode.CONFLICT);
  });

  it('refuses unknown fields and injection attempts with a precise message and stores nothing', async () => {
    const before = await stored();
    const unknown = await rejection(
      engine.customRules.create(districtA, {
        definition: definition({ id: 'D-X1', check: { required: ['enrolment_type'] } }),
        role: 'support',
      }),
    );
    expect(unknown.code).toBe(RuleEngineErrorCode.INVALID_RULE);
    expect(unknown.issues).toEqual([
      "custom rule: rule D-X1: check.required[0]: unknown field 'enrolment_type' of enrollment",
    ]);
    const injected = await rejection(
      engine.customRules.create(districtA, {
        definition: definition({ id: 'D-X2', when: "status = 'a'; drop table custom_rules --" }),
        role: 'support',
      }),
    );
    expect(injected.issues).toEqual([
      "custom rule: rule D-X2: when: at column 13: unexpected ';' (statement separators are not allowed)",
    ]);
    const fn = await rejection(
      engine.customRules.create(districtA, {
        definition: definition({ id: 'D-X3', check: { expression: 'pg_sleep(10) is null' } }),
        role: 'support',
      }),
    );
    expect(fn.issues[0]).toMatch(/check\.expression: at column 1: unknown function 'pg_sleep'/);
    const badExamples = await rejection(
      engine.customRules.create(districtA, {
        definition: definition({
          id: 'D-X4',
          examples: { pass: [{ status: 'active' }], fail: [{ status: 'active' }] },
        }),
        role: 'support',
      }),
    );
    expect(badExamples.issues).toEqual([
      'custom rule: rule D-X4: examples.pass[0] {"status":"active"}: expected to pass but failed',
    ]);
    const clash = await rejection(
      engine.customRules.create(districtA, {
        definition: definition({ id: 'FX-ENR-EXIT' }),
        role: 'support',
      }),
    );
    expect(clash.code).toBe(DomainErrorCode.CONFLICT);
    expect(await stored()).toBe(before);
  });

  it('allows sql rules to support staff only, and only over snapshot placeholders', async () => {
    const sqlRule = (id: string, sql: string): Record<string, unknown> =>
      definition({
        id,
        entity: 'student',
        when: undefined,
        check: { sql },
        needs: ['student_id'],
        examples: {
          pass: [{ rows: [{ student_id: '1' }] }],
          fail: [{ rows: [{ student_id: '1' }, { student_id: '1' }], failing: 2 }],
        },
      });
    const good = sqlRule(
      'D-SQL-1',
      'select s.row_no from {{student}} s join {{student}} o on o.student_id = s.student_id and o.row_no <> s.row_no',
    );
    const forbidden = await rejection(
      engine.customRules.create(districtA, { definition: good, role: 'district_admin' }),
    );
    expect(forbidden.code).toBe(DomainErrorCode.FORBIDDEN);
    const saved = await engine.customRules.create(districtA, { definition: good, role: 'support' });
    expect(saved.ruleId).toBe('D-SQL-1');
    const users = await rejection(
      engine.customRules.create(districtA, {
        definition: sqlRule('D-SQL-2', 'select row_no from {{student}} s where exists (select 1 from users)'),
        role: 'support',
      }),
    );
    expect(users.issues[0]).toMatch(
      /check\.sql: at column \d+: 'users': tables are read only through \{\{entity\}\} placeholders/,
    );
    const column = await rejection(
      engine.customRules.create(districtA, {
        definition: sqlRule('D-SQL-3', 'select s.row_no from {{student}} s where s.passwd is null'),
        role: 'support',
      }),
    );
    expect(column.message).toBe('rule D-SQL-3: check.sql does not plan');
    expect(column.issues[0]).toMatch(/column s.passwd does not exist/);
    expect((await engine.customRules.list(districtA)).map((r) => r.ruleId)).toEqual([
      'D-ENR-TYPE',
      'D-SQL-1',
    ]);
  });

  it('custom rules are selected and evaluated like pack rules', async () => {
    const { rules: custom } = await engine.customRules.rules(districtA);
    const selection = engine.selection.selectRules({
      state: 'CA',
      edition: 'full',
      sisKind: 'aeries',
      suppliedFields: { enrollment: ['enrollment_type', 'status'], student: ['student_id'] },
      customRules: custom,
    });
    expect(selection.selected.map((r) => r.id).sort()).toEqual(['D-ENR-TYPE', 'D-SQL-1']);
    const link = await factory.link(db.pool, districtA);
    const snapshotId = await factory.snapshot(db.pool, districtA, link.id);
    await db.pool.query(
      `INSERT INTO snap_enrollment (snapshot_id, row_no, source_key, status, enrollment_type) VALUES ($1, 1, 'a', 'active', NULL), ($1, 2, 'b', 'active', 'primary')`,
      [snapshotId],
    );
    const report = await engine.evaluator.evaluate({
      evaluationId: randomUUID(),
      districtId: districtA,
      snapshotId,
      rules: selection.selected,
    });
    expect(report.results.map((r) => [r.ruleId, r.checked, r.failed, r.status]).sort()).toEqual([
      ['D-ENR-TYPE', 2, 1, 'warn'],
      ['D-SQL-1', 0, 0, 'pass'],
    ]);
  });
});
