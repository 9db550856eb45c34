import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { createRuleEngine } from 'src/rule-engine/rule-engine.factory';
import { formatLoadError } from 'src/rule-engine/rule.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';

/**
 * `sis-certify rules test`: every rule in rules/ must load and every one of its examples must pass or fail as
 * written, evaluated through the same compiled SQL as real runs. Failures list every broken rule and example.
 */
describe('rule packs (rules/**/*.yaml)', () => {
  let db: TestDatabase;
  let loaded: ReturnType<typeof loadRulePacks>;

  beforeAll(async () => {
    // Loaded here, not at collection time: the sql-rule guard's parser is ready once the setup hook ran.
    loaded = loadRulePacks();
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('load without errors', () => {
    expect(loaded.errors.map(formatLoadError)).toEqual([]);
  });

  it('have examples that behave as written', async () => {
    const outcomes = await createRuleEngine(db.pool).examples.run(loaded.rules);
    expect(outcomes.flatMap((o) => o.failures)).toEqual([]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(loaded.rules.length);
  });
});
