import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rule engine results (docs/rule-format.md). Written by set-based SQL only, so no TypeORM entities:
 *   rule_results     one row per (evaluation, rule): counts and status
 *   rule_exceptions  one row per failing record (or count_change group); fingerprint = md5(rule_id|record_key) is
 *                    stable across runs and snapshots, so findings can be tracked as new / persisting / resolved
 *   custom_rules     a district's own rules (same format as pack rules, stored as jsonb)
 * snapshot_id carries no foreign key: snapshots are pruned, results and findings stay for trends.
 */
export class RuleResults1795398200000 implements MigrationInterface {
  name = 'RuleResults1795398200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rule_results (
      id bigserial PRIMARY KEY,
      evaluation_id uuid NOT NULL,
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      snapshot_id uuid NOT NULL,
      rule_id text NOT NULL,
      entity text NOT NULL,
      severity text NOT NULL,
      checked bigint NOT NULL DEFAULT 0,
      failed bigint NOT NULL DEFAULT 0,
      failed_percent numeric(9,4) NOT NULL DEFAULT 0,
      status text NOT NULL CHECK (status IN ('pass', 'fail', 'warn', 'error')),
      error text,
      duration_ms integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE UNIQUE INDEX ux_rule_results_evaluation_rule ON rule_results (evaluation_id, rule_id)`,
    );
    await q.query(`CREATE INDEX ix_rule_results_district ON rule_results (district_id, created_at)`);
    await q.query(`CREATE TABLE rule_exceptions (
      id bigserial PRIMARY KEY,
      evaluation_id uuid NOT NULL,
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      snapshot_id uuid NOT NULL,
      rule_id text NOT NULL,
      entity text NOT NULL,
      row_no bigint,
      source_key text,
      record_key text NOT NULL,
      school_id text,
      student_id text,
      program_code text,
      "values" jsonb NOT NULL DEFAULT '{}',
      fingerprint text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_rule ON rule_exceptions (evaluation_id, rule_id)`,
    );
    await q.query(
      `CREATE INDEX ix_rule_exceptions_district_fingerprint ON rule_exceptions (district_id, fingerprint)`,
    );
    await q.query(
      `CREATE INDEX ix_rule_exceptions_district_school ON rule_exceptions (district_id, school_id)`,
    );
    await q.query(`CREATE TABLE custom_rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      rule_id text NOT NULL,
      definition jsonb NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX ux_custom_rules_district_rule ON custom_rules (district_id, rule_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS custom_rules`);
    await q.query(`DROP TABLE IF EXISTS rule_exceptions`);
    await q.query(`DROP TABLE IF EXISTS rule_results`);
  }
}
