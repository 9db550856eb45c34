import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scorecards (docs/scorecards.md). Raw-SQL tables, no TypeORM entities:
 *   scorecard_evaluations  one row per evaluated side of a run (captured when the evaluation finishes): run, side,
 *                          link, the previous evaluation of the same side (new / persisting / resolved) and the
 *                          number of students, so the read side never walks run_checkpoints
 *   scorecard_students     identity of every student with a finding in that evaluation (name, ids, grade, school,
 *                          program codes), copied from the snapshot in one set-based statement: snapshots are
 *                          pruned by retention, findings are kept for trends, and a record must still say whose it is
 *   scorecard_population   students per school and per program in the evaluation (scope share of `checked`)
 *   scorecard_counts       findings per (evaluation, rule, school): trends without rescanning rule_exceptions
 *   exclusions             a finding (fingerprint) excluded with a reason and optional expiry; proposed by school
 *                          and program users, approved or rejected by admins; `expired` is derived from expires_at;
 *                          the record's school, student and programs are kept to scope the list like the findings
 *   exclusion_audit        who did what to an exclusion, when and why
 *   digest_preferences     a user's nightly digest opt-out (absent row = enabled)
 */
export class Scorecards1795400200000 implements MigrationInterface {
  name = 'Scorecards1795400200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE scorecard_evaluations (
      evaluation_id uuid PRIMARY KEY,
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      side text NOT NULL CHECK (side IN ('current', 'old', 'new')),
      link_id uuid,
      snapshot_id uuid NOT NULL,
      previous_evaluation_id uuid,
      as_of date NOT NULL,
      students bigint NOT NULL DEFAULT 0,
      identity_captured boolean NOT NULL DEFAULT true,
      evaluated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE INDEX ix_scorecard_evaluations_side ON scorecard_evaluations (district_id, side, evaluated_at DESC)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX ux_scorecard_evaluations_run_side ON scorecard_evaluations (run_id, side)`,
    );

    await q.query(`CREATE TABLE scorecard_students (
      evaluation_id uuid NOT NULL REFERENCES scorecard_evaluations(evaluation_id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      student_id text NOT NULL,
      state_student_id text,
      last_name text,
      first_name text,
      grade text,
      school_id text,
      program_codes text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (evaluation_id, student_id))`);
    await q.query(
      `CREATE INDEX ix_scorecard_students_programs ON scorecard_students USING gin (program_codes)`,
    );

    await q.query(`CREATE TABLE scorecard_population (
      evaluation_id uuid NOT NULL REFERENCES scorecard_evaluations(evaluation_id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('school', 'program')),
      code text NOT NULL,
      name text,
      students bigint NOT NULL,
      PRIMARY KEY (evaluation_id, kind, code))`);

    await q.query(`CREATE TABLE scorecard_counts (
      evaluation_id uuid NOT NULL REFERENCES scorecard_evaluations(evaluation_id) ON DELETE CASCADE,
      rule_id text NOT NULL,
      school_id text NOT NULL DEFAULT '',
      failed bigint NOT NULL,
      PRIMARY KEY (evaluation_id, rule_id, school_id))`);

    // Exception reads: one evaluation, filtered by school / rule, joined to the previous evaluation by fingerprint.
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_fingerprint ON rule_exceptions (evaluation_id, fingerprint)`,
    );
    await q.query(
      `CREATE INDEX ix_rule_exceptions_evaluation_school ON rule_exceptions (evaluation_id, school_id, rule_id)`,
    );

    await q.query(`CREATE TABLE exclusions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      rule_id text NOT NULL,
      fingerprint text NOT NULL,
      reason text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'proposed', 'rejected', 'revoked')),
      expires_at timestamptz,
      school_id text,
      student_id text,
      program_code text,
      program_codes text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid,
      created_by_email text NOT NULL,
      decided_at timestamptz,
      decided_by_email text,
      decision_note text)`);
    await q.query(`CREATE INDEX ix_exclusions_district_fingerprint ON exclusions (district_id, fingerprint)`);
    await q.query(
      `CREATE INDEX ix_exclusions_district_status ON exclusions (district_id, status, created_at DESC)`,
    );

    await q.query(`CREATE TABLE exclusion_audit (
      id bigserial PRIMARY KEY,
      exclusion_id uuid NOT NULL REFERENCES exclusions(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      actor_user_id uuid,
      actor_email text NOT NULL,
      action text NOT NULL,
      note text)`);
    await q.query(`CREATE INDEX ix_exclusion_audit_exclusion ON exclusion_audit (exclusion_id, id)`);

    await q.query(`CREATE TABLE digest_preferences (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      enabled boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_rule_exceptions_evaluation_school`);
    await q.query(`DROP INDEX IF EXISTS ix_rule_exceptions_evaluation_fingerprint`);
    for (const t of [
      'digest_preferences',
      'exclusion_audit',
      'exclusions',
      'scorecard_counts',
      'scorecard_population',
      'scorecard_students',
      'scorecard_evaluations',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
