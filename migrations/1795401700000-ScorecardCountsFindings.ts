import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scorecard reads its per-(rule, school) numbers from scorecard_counts instead of rescanning rule_exceptions
 * on every request: besides `failed`, the capture now records how many findings are new (not in the previous
 * evaluation) and how many findings of the previous evaluation this one no longer has (`resolved`). Rows with
 * failed = 0 carry resolved findings only. Existing evaluations are back-filled from rule_exceptions.
 *
 * Exception pages read rule_exceptions in the order they are shown (rule, then id; school, rule, id), so the
 * evaluation indexes gain the id: the first page of a 100,000-finding evaluation stops after 50 index entries.
 */
export class ScorecardCountsFindings1795401700000 implements MigrationInterface {
  name = 'ScorecardCountsFindings1795401700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE scorecard_counts ADD "new" bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE scorecard_counts ADD resolved bigint NOT NULL DEFAULT 0`);
    await q.query(`UPDATE scorecard_counts c SET "new" = n.new
      FROM (SELECT x.evaluation_id, x.rule_id, coalesce(x.school_id, '') AS school_id, count(*) AS new
              FROM rule_exceptions x JOIN scorecard_evaluations e ON e.evaluation_id = x.evaluation_id
             WHERE e.previous_evaluation_id IS NULL OR NOT EXISTS (
                     SELECT 1 FROM rule_exceptions p
                      WHERE p.evaluation_id = e.previous_evaluation_id AND p.fingerprint = x.fingerprint)
             GROUP BY 1, 2, 3) n
      WHERE n.evaluation_id = c.evaluation_id AND n.rule_id = c.rule_id AND n.school_id = c.school_id`);
    await q.query(`INSERT INTO scorecard_counts (evaluation_id, rule_id, school_id, failed, resolved)
      SELECT e.evaluation_id, p.rule_id, coalesce(p.school_id, ''), 0, count(DISTINCT p.fingerprint)
        FROM scorecard_evaluations e JOIN rule_exceptions p ON p.evaluation_id = e.previous_evaluation_id
       WHERE NOT EXISTS (SELECT 1 FROM rule_exceptions x WHERE x.evaluation_id = e.evaluation_id AND x.fingerprint = p.fingerprint)
       GROUP BY 1, 2, 3
      ON CONFLICT (evaluation_id, rule_id, school_id) DO UPDATE SET resolved = EXCLUDED.resolved`);
    await q.query(`DROP INDEX IF EXISTS ix_rule_exceptions_evaluation_rule`);
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_rule ON rule_exceptions (evaluation_id, rule_id, id)`,
    );
    await q.query(`DROP INDEX IF EXISTS ix_rule_exceptions_evaluation_school`);
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_school ON rule_exceptions (evaluation_id, school_id, rule_id, id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_rule_exceptions_evaluation_school`);
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_school ON rule_exceptions (evaluation_id, school_id, rule_id)`,
    );
    await q.query(`DROP INDEX IF EXISTS ix_rule_exceptions_evaluation_rule`);
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_rule ON rule_exceptions (evaluation_id, rule_id)`,
    );
    await q.query(`DELETE FROM scorecard_counts WHERE failed = 0`);
    await q.query(`ALTER TABLE scorecard_counts DROP COLUMN resolved`);
    await q.query(`ALTER TABLE scorecard_counts DROP COLUMN "new"`);
  }
}
