import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { CompiledUnit } from 'src/rule-engine/compiler/rule-statements.util';
import { compileRules } from 'src/rule-engine/rule-compiler.service';
import { createRuleEngine, type RuleEngine } from 'src/rule-engine/rule-engine.factory';
import { RuleEngineErrorCode, type RuleEngineException } from 'src/rule-engine/rule-engine.exception';
import { RuleExecutionRepository } from 'src/rule-engine/rule-execution.repository';
import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { SqlParams, type ContextValues } from 'src/rule-engine/sql-params.util';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';

const FIXTURES = join(__dirname, 'fixtures', 'rules');
const PASSWORD_HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ$TOP-SECRET-HASH';
const CIPHERTEXT = 'CIPHERTEXT-OF-THE-SIS-PASSWORD';

function sqlRule(id: string, sql: string): Record<string, unknown> {
  return {
    id,
    title: 'probe',
    entity: 'student',
    severity: 'warning',
    audience: ['district'],
    check: { sql },
    needs: ['student_id'],
    source: 'probe',
    prescription: 'none',
    examples: {
      pass: [{ rows: [{ student_id: '1' }] }],
      fail: [{ rows: [{ student_id: '1' }], failing: 0 }],
    },
  };
}

/**
 * Issue 12 hole 1: an `sql` rule can read nothing but its own snapshot. The guard (libpg-query) refuses every
 * bypass the probe found, without echoing values; and if a statement got past it, the restricted role, the
 * per-evaluation views, the read-only transaction and the statement timeout still hold.
 */
describe('sql rules: parser guard and restricted role', () => {
  let db: TestDatabase;
  let engine: RuleEngine;
  let districtA: string;
  let snapshotA: string;
  let snapshotB: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    engine = createRuleEngine(db.pool, { rulesDir: FIXTURES });
    const a = await factory.district(db.pool);
    const b = await factory.district(db.pool);
    districtA = a.id;
    const linkA = await factory.link(db.pool, a.id);
    const linkB = await factory.link(db.pool, b.id);
    snapshotA = await factory.snapshot(db.pool, a.id, linkA.id);
    snapshotB = await factory.snapshot(db.pool, b.id, linkB.id);
    for (const [snap, names] of [
      [snapshotA, ['Ada', 'Bea']],
      [snapshotB, ['OTHER-DISTRICT-STUDENT', 'Zed', 'Yan']],
    ] as const) {
      for (const [i, name] of names.entries()) {
        await db.pool.query(
          `INSERT INTO snap_student (snapshot_id, row_no, source_key, student_id, last_name) VALUES ($1, $2, $3, $4, $5)`,
          [snap, i + 1, `k${i + 1}`, `S${i + 1}`, name],
        );
      }
    }
    await db.pool.query(
      `INSERT INTO users (email, display_name, role, password_hash) VALUES ('victim@x.us', 'v', 'support', $1)`,
      [PASSWORD_HASH],
    );
    await db.pool.query(`UPDATE sis_links SET secret_ciphertext = $1`, [CIPHERTEXT]);
  });

  afterAll(() => db.drop());

  const bypasses: Array<[string, string]> = [
    [
      'WINDOW name AS () hiding pg_sleep',
      'select s.row_no from {{student}} s window w as (partition by pg_sleep(5))',
    ],
    [
      'WINDOW hiding a table',
      'select count(*) over w as row_no from {{student}} s window w as (order by (select min(password_hash) from users))',
    ],
    [
      'parenthesised join hiding public.users',
      'select s.row_no from (public.users u cross join {{student}} s) where u.password_hash is not null',
    ],
    ['pg_read_file', "select row_no from {{student}} where length(pg_read_file('/etc/passwd')) > 0"],
    ['pg_sleep', 'select row_no from {{student}} where pg_sleep(5) is null'],
    [
      'pg_terminate_backend',
      'select s.row_no from {{student}} s, lateral (select pg_terminate_backend(pg_backend_pid()) x) t',
    ],
    ['other districts’ snapshot rows', 'select row_no from snap_student'],
    [
      'users.password_hash',
      'select s.row_no from {{student}} s where cast((select min(password_hash) from users) as int) > 0',
    ],
    [
      'sis_links.secret_ciphertext',
      'with x as (select secret_ciphertext from sis_links) select s.row_no from {{student}} s, x',
    ],
    ['user_sessions', 'select s.row_no from {{student}} s where exists (select 1 from user_sessions)'],
  ];

  it.each(bypasses)(
    'refuses %s when the rule is saved, naming the problem and no value',
    async (_what, sql) => {
      const err = await engine.customRules
        .create(districtA, { definition: sqlRule('D-SQL-PROBE', sql), role: 'support' })
        .then(
          () => null,
          (e: RuleEngineException) => e,
        );
      expect(err?.code).toBe(RuleEngineErrorCode.INVALID_RULE);
      const text = JSON.stringify({ message: err?.message, issues: err?.issues });
      expect(text).toMatch(/not allowed|read only through \{\{entity\}\}/);
      for (const secret of [PASSWORD_HASH, CIPHERTEXT, 'OTHER-DISTRICT-STUDENT', 'root:'])
        expect(text).not.toContain(secret);
      const { rows } = await db.pool.query(`SELECT 1 FROM custom_rules`);
      expect(rows).toEqual([]);
    },
  );

  describe('statements that got past the guard (defence in depth)', () => {
    const exec = () => new RuleExecutionRepository(new PoolSqlRunner(db.pool));
    const ctx = (): ContextValues => ({
      snapshotId: snapshotA,
      evaluationId: randomUUID(),
      districtId: districtA,
      asOf: '2026-11-01',
      today: '2026-11-01',
      previousSnapshotId: null,
    });
    const unit = (probeSql: string): CompiledUnit => {
      const rules = loadRulePacks(FIXTURES).rules.filter((r) => r.id === 'FX-STU-SQL');
      const compiled = compileRules(rules).find((u) => u.kind === 'sql');
      if (!compiled || compiled.kind !== 'sql') throw new Error('expected an sql unit');
      return { ...compiled, views: ['student'], probe: new SqlParams().query(probeSql) };
    };
    const run = async (probeSql: string, timeoutMs = 2_000) => {
      const [r] = await new PoolSqlRunner(db.pool).transaction((tx) =>
        exec().runUnits(tx, [unit(probeSql)], ctx(), { sqlTimeoutMs: timeoutMs }),
      );
      return r;
    };

    it('runs as the restricted role, read-only, with a statement timeout', async () => {
      const who = await run(
        `SELECT 1::bigint AS row_no WHERE current_user = 'sisc_rule_reader' AND current_setting('transaction_read_only') = 'on'
           AND current_setting('statement_timeout') = '2s'
           AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`,
      );
      expect([who.error, who.failed]).toEqual([null, 1]);
    });

    it('sees only this snapshot through the view', async () => {
      const own = await run(`SELECT row_no FROM pg_temp.sisc_rule_student`);
      expect([own.error, own.checked, own.failed]).toEqual([null, 2, 2]);
      const count = await run(
        `SELECT 1::bigint AS row_no FROM pg_temp.sisc_rule_student HAVING count(*) = 2 AND count(DISTINCT snapshot_id) = 1`,
      );
      expect(count.failed).toBe(1);
    });

    it.each([
      [
        'other districts’ snapshot rows',
        'SELECT row_no FROM public.snap_student',
        /permission denied for table snap_student/,
      ],
      [
        'users.password_hash',
        'SELECT 1::bigint AS row_no FROM public.users WHERE password_hash IS NOT NULL',
        /permission denied for table users/,
      ],
      [
        'sis_links.secret_ciphertext',
        'SELECT 1::bigint AS row_no FROM public.sis_links',
        /permission denied for table sis_links/,
      ],
      [
        'user_sessions',
        'SELECT 1::bigint AS row_no FROM public.user_sessions',
        /permission denied for table user_sessions/,
      ],
      [
        'pg_read_file',
        "SELECT length(pg_read_file('/etc/passwd'))::bigint AS row_no",
        /permission denied for function pg_read_file/,
      ],
    ])('refuses %s with permission denied', async (_what, sql, error) => {
      const r = await run(sql);
      expect(r.error).toMatch(error);
      expect(r.failed).toBe(0);
    });

    it('cancels pg_sleep at the statement timeout', async () => {
      const r = await run('SELECT 1::bigint AS row_no FROM pg_sleep(30)', 300);
      expect(r.error).toMatch(/statement timeout/);
    });

    it('cannot terminate the service’s connections', async () => {
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      try {
        const [{ pid }] = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
        const r = await run(`SELECT 1::bigint AS row_no WHERE pg_terminate_backend(${pid})`);
        expect(r.error).toMatch(/permission denied|must be a (superuser|member)/i);
        expect((await admin.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await admin.end();
      }
    });

    it('never echoes a value in its error', async () => {
      const r = await run(`SELECT last_name::int::bigint AS row_no FROM pg_temp.sisc_rule_student`);
      expect(r.error).toContain('invalid input syntax for type integer');
      expect(r.error).toContain('values are not shown');
      expect(r.error).not.toMatch(/Ada|Bea/);
    });
  });
});
