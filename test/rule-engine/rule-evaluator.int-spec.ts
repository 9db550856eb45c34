import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { compileRules } from 'src/rule-engine/rule-compiler.service';
import { createRuleEngine, type RuleEngine } from 'src/rule-engine/rule-engine.factory';
import { RuleEngineErrorCode, RuleEngineException } from 'src/rule-engine/rule-engine.exception';
import { DomainErrorCode } from 'src/common/domain.exception';
import { RuleExecutionRepository } from 'src/rule-engine/rule-execution.repository';
import { loadRulePacks } from 'src/rule-engine/rule-loader.service';
import { validateRule } from 'src/rule-engine/rule-validator.util';
import type { EvaluationProgress, RuleOutcome } from 'src/rule-engine/rule-evaluator.service';
import type { Rule } from 'src/rule-engine/rule.types';
import { SqlParams } from 'src/rule-engine/sql-params.util';
import { PoolSqlRunner } from 'src/database/sql-runner';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';

const FIXTURES = join(__dirname, 'fixtures', 'rules');

async function insertRows(
  pool: Pool,
  snapshotId: string,
  entity: CanonicalEntity,
  rows: Record<string, unknown>[],
): Promise<void> {
  const json = rows.map((r, i) => ({
    ...r,
    snapshot_id: snapshotId,
    row_no: i + 1,
    source_key: `SRC:${i + 1}`,
  }));
  await pool.query(
    `INSERT INTO snap_${entity} SELECT * FROM jsonb_populate_recordset(NULL::snap_${entity}, $1::jsonb)`,
    [JSON.stringify(json)],
  );
}

const SCHOOLS = [
  { school_id: '10', active: true },
  { school_id: '11', active: false },
];
const STUDENTS = [
  { student_id: 'S1', state_student_id: '1000000001', birth_date: '2015-01-01', hispanic: true },
  { student_id: 'S2', state_student_id: '1000000001', birth_date: '2024-05-01', hispanic: false, races: [] },
  { student_id: 'S3', state_student_id: '12', birth_date: '2012-01-01', hispanic: false, races: ['700'] },
];
const ENROLLMENTS = [
  {
    student_id: 'S1',
    school_id: '10',
    entry_date: '2026-08-12',
    exit_date: '2026-08-01',
    grade_level: 'KG',
    enrollment_type: 'primary',
  },
  {
    student_id: 'S2',
    school_id: '11',
    entry_date: '2026-08-12',
    grade_level: '13',
    enrollment_type: 'primary',
  },
  {
    student_id: 'S2',
    school_id: '10',
    entry_date: '2026-09-01',
    grade_level: '01',
    enrollment_type: 'primary',
    exit_code_raw: 'x',
  },
  {
    student_id: 'S1',
    school_id: '99',
    entry_date: '2026-08-20',
    exit_date: '2026-09-30',
    grade_level: '01',
    enrollment_type: 'secondary',
  },
];

function byId(results: RuleOutcome[]): Record<string, RuleOutcome> {
  return Object.fromEntries(results.map((r) => [r.ruleId, r]));
}

describe('rule evaluator (real PostgreSQL)', () => {
  let db: TestDatabase;
  let engine: RuleEngine;
  let rules: Rule[];
  let districtId: string;
  let linkId: string;
  let snapshotId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    engine = createRuleEngine(db.pool, { rulesDir: FIXTURES });
    const loaded = loadRulePacks(FIXTURES);
    expect(loaded.errors).toEqual([]);
    rules = loaded.rules;
    const d = await factory.district(db.pool);
    districtId = d.id;
    linkId = (await factory.link(db.pool, d.id)).id;
    snapshotId = await factory.snapshot(db.pool, d.id, linkId, { asOf: '2026-10-07' });
    await insertRows(db.pool, snapshotId, 'school', SCHOOLS);
    await insertRows(db.pool, snapshotId, 'student', STUDENTS);
    await insertRows(db.pool, snapshotId, 'enrollment', ENROLLMENTS);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('evaluates every check kind over one snapshot with the expected counts and statuses', async () => {
    const evaluationId = randomUUID();
    const report = await engine.evaluator.evaluate({
      evaluationId,
      districtId,
      snapshotId,
      rules,
      today: '2026-10-08',
    });
    const r = byId(report.results);
    expect(Object.keys(r).sort()).toEqual(rules.map((x) => x.id).sort());
    expect([r['FX-ENR-EXIT'].checked, r['FX-ENR-EXIT'].failed, r['FX-ENR-EXIT'].status]).toEqual([
      2,
      1,
      'fail',
    ]);
    // 1 of 4 grades is not canonical: 25 % > the 10 % tolerance
    expect([r['FX-ENR-GRADE'].failed, r['FX-ENR-GRADE'].failedPercent, r['FX-ENR-GRADE'].status]).toEqual([
      1,
      25,
      'fail',
    ]);
    expect([r['FX-ENR-REQ'].checked, r['FX-ENR-REQ'].failed, r['FX-ENR-REQ'].status]).toEqual([4, 0, 'pass']);
    expect([r['FX-ENR-SCHOOL-EXISTS'].failed, r['FX-ENR-SCHOOL-EXISTS'].status]).toEqual([2, 'fail']);
    // primary spans only; S1's row ends before it starts (another rule's finding) and is not checked; S2's two open spans overlap
    expect([r['FX-ENR-OVERLAP'].checked, r['FX-ENR-OVERLAP'].failed]).toEqual([2, 2]);
    expect([r['FX-STU-AGE'].failed, r['FX-STU-AGE'].status]).toEqual([1, 'warn']);
    expect([r['FX-STU-SSID'].failed, r['FX-STU-SSID-UNIQUE'].failed, r['FX-STU-RACE'].failed]).toEqual([
      1, 2, 1,
    ]);
    expect([r['FX-STU-SQL'].checked, r['FX-STU-SQL'].failed]).toEqual([3, 1]);
    // no previous snapshot: count_change has nothing to compare with, and says so instead of passing
    expect([r['FX-ENR-COUNT'].checked, r['FX-ENR-COUNT'].status, r['FX-ENR-COUNT'].error]).toEqual([
      0,
      'skipped',
      'skipped: no earlier complete snapshot of this link to compare counts with',
    ]);
    expect(r['FX-ENR-GRADE']).toMatchObject({
      severity: 'error',
      tolerance: { maxPercent: 10 },
      audience: ['district', 'school'],
      prescription: 'Fix the grade level.',
    });

    const stored = await engine.results.listResults(districtId, evaluationId);
    expect(stored.map((s) => [s.ruleId, s.checked, s.failed, s.status])).toEqual(
      report.results
        .map((o) => [o.ruleId, o.checked, o.failed, o.status])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('records exceptions with natural record keys, stable fingerprints, the failing values and the school', async () => {
    const evaluationId = randomUUID();
    await engine.evaluator.evaluate({ evaluationId, districtId, snapshotId, rules, today: '2026-10-08' });
    const exit = await engine.results.listExceptions(districtId, evaluationId, { ruleId: 'FX-ENR-EXIT' });
    expect(exit).toHaveLength(1);
    expect(exit[0]).toMatchObject({
      entity: 'enrollment',
      rowNo: 1,
      sourceKey: 'SRC:1',
      recordKey: 'S1|10|2026-08-12',
      schoolId: '10',
      studentId: 'S1',
      values: {
        entry_date: '2026-08-12',
        exit_date: '2026-08-01',
        entry_date_raw: null,
        exit_date_raw: null,
      },
    });
    const { rows } = await db.pool.query<{ md5: string }>(
      `SELECT md5('FX-ENR-EXIT|S1|10|2026-08-12') AS md5`,
    );
    expect(exit[0].fingerprint).toBe(rows[0].md5);
    // a student finding is placed at the school of the student's primary, open, latest enrollment
    const age = await engine.results.listExceptions(districtId, evaluationId, { ruleId: 'FX-STU-AGE' });
    expect(age.map((a) => [a.recordKey, a.schoolId, a.values.birth_date])).toEqual([
      ['S2', '10', '2024-05-01'],
    ]);
    const dup = await engine.results.listExceptions(districtId, evaluationId, {
      ruleId: 'FX-STU-SSID-UNIQUE',
    });
    expect(dup.map((d) => [d.studentId, d.values.duplicate_count])).toEqual([
      ['S1', 2],
      ['S2', 2],
    ]);
  });

  it('is idempotent per (evaluation, rule) and reruns only the rules asked for, reporting progress per batch', async () => {
    const evaluationId = randomUUID();
    const progress: EvaluationProgress[] = [];
    await engine.evaluator.evaluate({
      evaluationId,
      districtId,
      snapshotId,
      rules,
      batchSize: 5,
      onProgress: (p) => void progress.push(p),
    });
    expect(progress.map((p) => [p.batch, p.batches, p.done, p.total])).toEqual([
      [1, 3, 5, 13],
      [2, 3, 10, 13],
      [3, 3, 13, 13],
    ]);
    const count = async (): Promise<number> =>
      Number(
        (
          await db.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM rule_exceptions WHERE evaluation_id = $1`,
            [evaluationId],
          )
        ).rows[0].n,
      );
    const before = await count();
    await engine.evaluator.evaluate({
      evaluationId,
      districtId,
      snapshotId,
      rules,
      ruleIds: ['FX-ENR-EXIT', 'FX-STU-SQL'],
    });
    await engine.evaluator.evaluate({ evaluationId, districtId, snapshotId, rules });
    expect(await count()).toBe(before);
    expect(await engine.results.listResults(districtId, evaluationId)).toHaveLength(13);
    await expect(
      engine.evaluator.evaluate({ evaluationId, districtId, snapshotId, rules, ruleIds: ['NOPE'] }),
    ).rejects.toMatchObject({
      code: RuleEngineErrorCode.UNKNOWN_RULE,
    });
  });

  it('tracks findings across snapshots as new, persisting and resolved, and compares counts with the previous snapshot', async () => {
    const first = randomUUID();
    await engine.evaluator.evaluate({ evaluationId: first, districtId, snapshotId, rules });
    const next = await factory.snapshot(db.pool, districtId, linkId, { asOf: '2026-10-07' });
    await insertRows(db.pool, next, 'school', SCHOOLS);
    await insertRows(db.pool, next, 'student', STUDENTS);
    // S1's exit date is fixed, a new grade error appears, row numbers change (fingerprints ignore row_no)
    await insertRows(db.pool, next, 'enrollment', [
      {
        student_id: 'S3',
        school_id: '10',
        entry_date: '2026-09-01',
        grade_level: '14',
        enrollment_type: 'primary',
      },
      {
        student_id: 'S2',
        school_id: '11',
        entry_date: '2026-08-12',
        grade_level: '13',
        enrollment_type: 'primary',
      },
      {
        student_id: 'S1',
        school_id: '10',
        entry_date: '2026-08-12',
        exit_date: '2026-10-01',
        grade_level: 'KG',
        enrollment_type: 'primary',
      },
      {
        student_id: 'S4',
        school_id: '10',
        entry_date: '2026-09-01',
        grade_level: 'KG',
        enrollment_type: 'primary',
      },
    ]);
    const second = randomUUID();
    const report = await engine.evaluator.evaluate({
      evaluationId: second,
      districtId,
      snapshotId: next,
      rules,
    });
    const delta = Object.fromEntries(
      (await engine.results.compareFingerprints(districtId, first, second)).map((d) => [d.ruleId, d]),
    );
    expect(delta['FX-ENR-EXIT']).toEqual({ ruleId: 'FX-ENR-EXIT', new: 0, persisting: 0, resolved: 1 });
    expect(delta['FX-ENR-GRADE']).toEqual({ ruleId: 'FX-ENR-GRADE', new: 1, persisting: 1, resolved: 0 });
    // school 10: 2 → 3 rows (+50 % > 20 %); schools 11 (1 → 1) and 99 (1 → 0) are below min_count 2
    const count = byId(report.results)['FX-ENR-COUNT'];
    expect([count.checked, count.failed, count.status]).toEqual([1, 1, 'warn']);
    const groups = await engine.results.listExceptions(districtId, second, { ruleId: 'FX-ENR-COUNT' });
    expect(
      groups.map((g) => [g.recordKey, g.schoolId, g.rowNo, g.values.previous_count, g.values.current_count]),
    ).toEqual([['10', '10', null, 2, 3]]);
    // tenant isolation: another district sees nothing of these evaluations
    const other = await factory.district(db.pool);
    expect(await engine.results.compareFingerprints(other.id, first, second)).toEqual([]);
    expect(await engine.results.listResults(other.id, second)).toEqual([]);
  });

  it('refuses a snapshot of another district', async () => {
    const other = await factory.district(db.pool);
    const err = await engine.evaluator
      .evaluate({ evaluationId: randomUUID(), districtId: other.id, snapshotId, rules })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleEngineException);
    expect((err as RuleEngineException).code).toBe(DomainErrorCode.NOT_FOUND);
  });

  it('scans each entity once for all its row-level rules', () => {
    const units = compileRules(rules);
    const row = units.filter((u) => u.kind === 'row');
    expect(row.map((u) => [u.entity, u.kind === 'row' ? u.ruleIds.length : 0])).toEqual([
      ['enrollment', 5],
      ['student', 3],
    ]);
    const enrollment = row[0].kind === 'row' ? row[0].query.sql : '';
    expect(enrollment.match(/FROM snap_enrollment t/g)).toHaveLength(1);
    expect(enrollment).toContain('CROSS JOIN LATERAL (VALUES');
  });

  it('isolates a rule PostgreSQL rejects at run time: it gets status error, its neighbours still run', async () => {
    const bad = validateRule(
      {
        id: 'FX-BAD-REGEX',
        title: 'regex JS accepts and PostgreSQL rejects',
        entity: 'enrollment',
        severity: 'error',
        audience: ['district'],
        check: { pattern: { field: 'grade_level', regex: '^\\p{L}+$' } },
        needs: ['grade_level'],
        source: 'test',
        prescription: 'none',
        examples: { pass: [{ grade_level: 'KG' }], fail: [{ grade_level: '01' }] },
      },
      'common',
      'test',
    ).rule as Rule;
    const evaluationId = randomUUID();
    const exit = rules.find((x) => x.id === 'FX-ENR-EXIT') as Rule;
    const report = byId(
      (await engine.evaluator.evaluate({ evaluationId, districtId, snapshotId, rules: [exit, bad] })).results,
    );
    expect(report['FX-BAD-REGEX'].status).toBe('error');
    expect(report['FX-BAD-REGEX'].error).toMatch(/escape/i);
    expect([report['FX-ENR-EXIT'].failed, report['FX-ENR-EXIT'].status]).toEqual([1, 'fail']);
  });

  it("runs an sql rule's probe read-only, time-limited and without the service tables on its search path", async () => {
    const exec = new RuleExecutionRepository(new PoolSqlRunner(db.pool));
    const ctx = {
      snapshotId,
      evaluationId: randomUUID(),
      districtId,
      asOf: '2026-10-07',
      today: '2026-10-08',
      previousSnapshotId: null,
    };
    const unit = (probeSql: string) => {
      const p = new SqlParams();
      p.context('snapshot_id');
      const write = compileRules([rules.find((x) => x.id === 'FX-STU-SQL') as Rule]).find(
        (u) => u.kind === 'sql',
      );
      if (!write || write.kind !== 'sql') throw new Error('expected an sql unit');
      return { ...write, probe: p.query(probeSql) };
    };
    const run = (probeSql: string) =>
      new PoolSqlRunner(db.pool).transaction((tx) =>
        exec.runUnits(tx, [unit(probeSql)], ctx, { sqlTimeoutMs: 300 }),
      );
    const [hidden] = await run(`SELECT 1::bigint AS row_no FROM districts WHERE $1::uuid IS NOT NULL`);
    expect(hidden.error).toMatch(/relation "districts" does not exist/);
    const [slow] = await run(`SELECT 1::bigint AS row_no FROM pg_sleep(5) WHERE $1::uuid IS NOT NULL`);
    expect(slow.error).toMatch(/statement timeout/);
    const [write] = await run(
      `WITH x AS (DELETE FROM public.snap_student WHERE snapshot_id = $1::uuid RETURNING row_no) SELECT row_no FROM x`,
    );
    expect(write.error).toMatch(/read-only transaction/);
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM snap_student WHERE snapshot_id = $1`,
      [snapshotId],
    );
    expect(Number(rows[0].n)).toBe(3);
  });
});
