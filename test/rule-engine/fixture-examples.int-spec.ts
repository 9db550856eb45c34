import { join } from 'node:path';
import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { createRuleEngine } from 'src/rule-engine/rule-engine.factory';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';

const FIXTURES = join(__dirname, 'fixtures');

describe('rule examples runner (fixture packs)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('runs every fixture example through the compiled SQL and they all behave as written', async () => {
    const { rules, errors } = loadRulePacks(join(FIXTURES, 'rules'));
    expect(errors).toEqual([]);
    const outcomes = await createRuleEngine(db.pool).examples.run(rules);
    expect(outcomes.flatMap((o) => o.failures)).toEqual([]);
    expect(outcomes).toHaveLength(rules.length);
    expect(outcomes.reduce((n, o) => n + o.cases.length, 0)).toBe(
      rules.reduce((n, r) => n + r.examples.length, 0),
    );
  });
});
