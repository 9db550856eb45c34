import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Canonical model v1 (docs/architecture.md §canonical model). One row per native record per snapshot.
 * Every table keeps `source_key` (the native key, e.g. `STU:SC=1;SN=42`) and the raw code values next to
 * the mapped canonical ones. These tables are written by COPY and read by set-based SQL only, so they
 * have no TypeORM entity. `row_no` is the extraction order, which makes a re-extracted entity replace
 * exactly what it wrote (resume after a crash deletes the entity's rows and copies again).
 */
export class CanonicalSnapshotTables1795398100000 implements MigrationInterface {
  name = 'CanonicalSnapshotTables1795398100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE snap_school (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      school_id text,
      state_school_id text,
      name text,
      low_grade text, low_grade_raw text,
      high_grade text, high_grade_raw text,
      active boolean,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE TABLE snap_student (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      student_id text,
      state_student_id text,
      last_name text, first_name text, middle_name text,
      birth_date date, birth_date_raw text,
      sex text, sex_raw text,
      hispanic boolean, hispanic_raw text,
      races text[], races_raw text[],
      el_status text, el_status_raw text,
      home_language text,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE TABLE snap_enrollment (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      student_id text,
      school_id text,
      school_year int,
      entry_date date, entry_date_raw text,
      exit_date date, exit_date_raw text,
      grade_level text, grade_level_raw text,
      entry_code text, entry_code_raw text,
      exit_code text, exit_code_raw text,
      enrollment_type text,
      status text, status_raw text,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE TABLE snap_program (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      student_id text,
      school_id text,
      program_code text, program_code_raw text,
      start_date date, start_date_raw text,
      end_date date, end_date_raw text,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE TABLE snap_section (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      section_id text,
      school_id text,
      course_code text,
      course_title text,
      state_course_code text,
      teacher_staff_id text,
      term text,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE TABLE snap_student_section (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      student_id text,
      section_id text,
      school_id text,
      begin_date date, begin_date_raw text,
      end_date date, end_date_raw text,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE TABLE snap_staff (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      staff_id text,
      state_staff_id text,
      last_name text, first_name text,
      email text,
      PRIMARY KEY (snapshot_id, row_no))`);
    for (const [table, cols] of [
      ['snap_school', 'school_id'],
      ['snap_student', 'student_id'],
      ['snap_enrollment', 'student_id, school_id'],
      ['snap_program', 'student_id'],
      ['snap_section', 'section_id'],
      ['snap_student_section', 'student_id'],
      ['snap_staff', 'staff_id'],
    ]) {
      await q.query(`CREATE INDEX ix_${table}_key ON ${table} (snapshot_id, ${cols})`);
    }
    await q.query(`CREATE TABLE snapshot_checkpoints (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      entity text NOT NULL,
      status text NOT NULL,
      row_count bigint NOT NULL DEFAULT 0,
      warnings jsonb NOT NULL DEFAULT '[]',
      started_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      duration_ms int,
      PRIMARY KEY (snapshot_id, entity))`);
    await q.query(`CREATE TABLE extraction_issues (
      id bigserial PRIMARY KEY,
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      entity text NOT NULL,
      source_key text,
      field text,
      raw_value text,
      kind text NOT NULL,
      message text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX ix_extraction_issues_snapshot ON extraction_issues (snapshot_id, entity)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'extraction_issues',
      'snapshot_checkpoints',
      'snap_staff',
      'snap_student_section',
      'snap_section',
      'snap_program',
      'snap_enrollment',
      'snap_student',
      'snap_school',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
