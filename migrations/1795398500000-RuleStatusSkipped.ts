import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A rule result can be `skipped` with its reason (a count_change rule on a link's first snapshot). */
export class RuleStatusSkipped1795398500000 implements MigrationInterface {
  name = 'RuleStatusSkipped1795398500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rule_results DROP CONSTRAINT IF EXISTS rule_results_status_check`);
    await q.query(
      `ALTER TABLE rule_results ADD CONSTRAINT rule_results_status_check CHECK (status IN ('pass', 'fail', 'warn', 'error', 'skipped'))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM rule_results WHERE status = 'skipped'`);
    await q.query(`ALTER TABLE rule_results DROP CONSTRAINT IF EXISTS rule_results_status_check`);
    await q.query(
      `ALTER TABLE rule_results ADD CONSTRAINT rule_results_status_check CHECK (status IN ('pass', 'fail', 'warn', 'error'))`,
    );
  }
}
