import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * State-reporting fidelity (CALPADS/TSDS as districts run them):
 * - snapshot columns for the race missing indicator, the ELAS start date and the SIS's "do not report to the
 *   state" flags (student, enrollment, school);
 * - `snap_section_staff`: every staff member of a section with a role (co-teachers), with dates;
 * - `state_school_directory`: the state's public school directory (CDE CDS file, TEA AskTED), loaded from a
 *   file support or a district refreshes; the school snapshot carries the directory's view of each school
 *   (`directory_*`), copied when the schools are extracted.
 */
export class StateReportingFidelity1795401300000 implements MigrationInterface {
  name = 'StateReportingFidelity1795401300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snap_student
      ADD race_missing_indicator boolean, ADD race_missing_indicator_raw text,
      ADD elas_start_date date, ADD elas_start_date_raw text,
      ADD state_reporting_excluded boolean, ADD state_reporting_excluded_raw text`);
    await q.query(`ALTER TABLE snap_enrollment
      ADD state_reporting_excluded boolean, ADD state_reporting_excluded_raw text`);
    await q.query(`ALTER TABLE snap_school
      ADD state_reporting_excluded boolean, ADD state_reporting_excluded_raw text,
      ADD directory_status text, ADD directory_low_grade text, ADD directory_high_grade text,
      ADD directory_type text`);
    await q.query(`CREATE TABLE snap_section_staff (
      snapshot_id uuid NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
      row_no bigint NOT NULL,
      source_key text NOT NULL,
      section_id text,
      school_id text,
      staff_id text,
      role text, role_raw text,
      begin_date date, begin_date_raw text,
      end_date date, end_date_raw text,
      PRIMARY KEY (snapshot_id, row_no))`);
    await q.query(`CREATE INDEX ix_snap_section_staff_key ON snap_section_staff (snapshot_id, section_id)`);
    await q.query(`CREATE TABLE state_school_directory (
      state char(2) NOT NULL,
      school_code text NOT NULL,
      full_code text,
      name text NOT NULL,
      district_name text,
      status text NOT NULL CHECK (status IN ('open', 'closed')),
      low_grade text,
      high_grade text,
      school_type text,
      open_date date,
      closed_date date,
      source_file text NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (state, school_code))`);
    await q.query(`CREATE TABLE state_school_directory_loads (
      id bigserial PRIMARY KEY,
      state char(2) NOT NULL,
      format text NOT NULL,
      source_file text NOT NULL,
      rows_loaded int NOT NULL,
      rows_rejected int NOT NULL,
      problems jsonb NOT NULL DEFAULT '[]',
      loaded_by text,
      loaded_at timestamptz NOT NULL DEFAULT now())`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS state_school_directory_loads`);
    await q.query(`DROP TABLE IF EXISTS state_school_directory`);
    await q.query(`DROP TABLE IF EXISTS snap_section_staff`);
    await q.query(`ALTER TABLE snap_school DROP COLUMN state_reporting_excluded, DROP COLUMN state_reporting_excluded_raw,
      DROP COLUMN directory_status, DROP COLUMN directory_low_grade, DROP COLUMN directory_high_grade,
      DROP COLUMN directory_type`);
    await q.query(
      `ALTER TABLE snap_enrollment DROP COLUMN state_reporting_excluded, DROP COLUMN state_reporting_excluded_raw`,
    );
    await q.query(`ALTER TABLE snap_student DROP COLUMN race_missing_indicator, DROP COLUMN race_missing_indicator_raw,
      DROP COLUMN elas_start_date, DROP COLUMN elas_start_date_raw,
      DROP COLUMN state_reporting_excluded, DROP COLUMN state_reporting_excluded_raw`);
  }
}
