import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs (jobs on pg-boss, which keeps its own `pgboss` schema), their step checkpoints, id crosswalks for
 * migrations, and the comparison results (old vs new snapshot). Written by hand: these tables are read and
 * written with SQL only (no TypeORM entities).
 */
export class RunsAndComparison1795398400000 implements MigrationInterface {
  name = 'RunsAndComparison1795398400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('nightly', 'manual', 'catch_up', 'trial')),
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'extracting', 'evaluating', 'comparing', 'done', 'failed', 'skipped', 'cancelled')),
      phase text,
      percent numeric(5, 2) NOT NULL DEFAULT 0,
      message text,
      as_of date NOT NULL,
      school_year int NOT NULL,
      current_link_id uuid REFERENCES sis_links(id) ON DELETE SET NULL,
      old_link_id uuid REFERENCES sis_links(id) ON DELETE SET NULL,
      new_link_id uuid REFERENCES sis_links(id) ON DELETE SET NULL,
      trigger_kind text NOT NULL CHECK (trigger_kind IN ('user', 'schedule', 'cli', 'link_recovered')),
      triggered_by uuid,
      skip_reason text,
      error text,
      scheduled_for timestamptz,
      catch_up_of uuid REFERENCES runs(id) ON DELETE SET NULL,
      job_id text,
      attempts int NOT NULL DEFAULT 0,
      lease_owner text,
      lease_until timestamptz,
      cancel_requested boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz)`);
    // Exactly one nightly run per district and slot, whatever the number of schedulers.
    await q.query(
      `CREATE UNIQUE INDEX ux_runs_district_scheduled ON runs (district_id, scheduled_for) WHERE scheduled_for IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX ux_runs_catch_up_of ON runs (catch_up_of) WHERE catch_up_of IS NOT NULL`,
    );
    await q.query(`CREATE INDEX ix_runs_district_created ON runs (district_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX ix_runs_active ON runs (status, lease_until) WHERE status IN ('queued', 'extracting', 'evaluating', 'comparing')`,
    );

    await q.query(`CREATE TABLE run_checkpoints (
      run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step text NOT NULL CHECK (step IN ('extract', 'evaluate', 'compare', 'retention')),
      target text NOT NULL,
      status text NOT NULL CHECK (status IN ('started', 'done')),
      ref_id uuid,
      detail jsonb NOT NULL DEFAULT '{}',
      started_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      PRIMARY KEY (run_id, step, target))`);

    await q.query(`CREATE TABLE id_crosswalks (
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      entity text NOT NULL CHECK (entity IN ('student', 'school', 'section', 'staff')),
      old_id text NOT NULL,
      new_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (district_id, entity, old_id))`);
    await q.query(`CREATE INDEX ix_id_crosswalks_new ON id_crosswalks (district_id, entity, new_id)`);

    await q.query(`CREATE TABLE comparisons (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      run_id uuid REFERENCES runs(id) ON DELETE CASCADE,
      old_snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      new_snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      old_evaluation_id uuid,
      new_evaluation_id uuid,
      is_trial boolean NOT NULL DEFAULT false,
      options jsonb NOT NULL DEFAULT '{}',
      differences_total bigint NOT NULL DEFAULT 0,
      differences_stored bigint NOT NULL DEFAULT 0,
      warnings_total bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      duration_ms int)`);
    await q.query(`CREATE UNIQUE INDEX ux_comparisons_run ON comparisons (run_id) WHERE run_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_comparisons_district ON comparisons (district_id, created_at DESC)`);

    await q.query(`CREATE TABLE comparison_summaries (
      comparison_id uuid NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      entity text NOT NULL,
      old_count bigint NOT NULL,
      new_count bigint NOT NULL,
      matched bigint NOT NULL,
      only_in_old bigint NOT NULL,
      only_in_new bigint NOT NULL,
      records_with_differences bigint NOT NULL,
      field_differences bigint NOT NULL,
      by_field jsonb NOT NULL DEFAULT '{}',
      PRIMARY KEY (comparison_id, entity))`);

    await q.query(`CREATE TABLE comparison_differences (
      id bigserial PRIMARY KEY,
      comparison_id uuid NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      entity text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('missing_in_new', 'missing_in_old', 'field')),
      match_key text NOT NULL,
      school_id text,
      field text,
      old_source_key text,
      new_source_key text,
      old_raw text,
      old_value text,
      new_raw text,
      new_value text)`);
    await q.query(
      `CREATE INDEX ix_comparison_differences_filter ON comparison_differences (comparison_id, entity, field, id)`,
    );
    await q.query(
      `CREATE INDEX ix_comparison_differences_kind ON comparison_differences (comparison_id, kind, id)`,
    );

    await q.query(`CREATE TABLE comparison_warnings (
      id bigserial PRIMARY KEY,
      comparison_id uuid NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      entity text NOT NULL,
      ref_entity text NOT NULL,
      ref_id text NOT NULL,
      old_source_key text,
      message text NOT NULL)`);
    await q.query(
      `CREATE INDEX ix_comparison_warnings_comparison ON comparison_warnings (comparison_id, entity, id)`,
    );

    await q.query(`CREATE TABLE comparison_rule_delta (
      comparison_id uuid NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      rule_id text NOT NULL,
      only_in_old bigint NOT NULL,
      only_in_new bigint NOT NULL,
      in_both bigint NOT NULL,
      PRIMARY KEY (comparison_id, rule_id))`);

    await q.query(`CREATE TABLE comparison_school_readiness (
      comparison_id uuid NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      school_id text NOT NULL,
      school_name text,
      old_records bigint NOT NULL,
      new_records bigint NOT NULL,
      matched bigint NOT NULL,
      only_in_old bigint NOT NULL,
      only_in_new bigint NOT NULL,
      records_with_differences bigint NOT NULL,
      introduced_errors bigint NOT NULL,
      matched_percent numeric(5, 2) NOT NULL,
      PRIMARY KEY (comparison_id, school_id))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'comparison_school_readiness',
      'comparison_rule_delta',
      'comparison_warnings',
      'comparison_differences',
      'comparison_summaries',
      'comparisons',
      'id_crosswalks',
      'run_checkpoints',
      'runs',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
