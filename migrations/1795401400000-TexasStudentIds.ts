import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Texas reports two student ids: the SSN-style STUDENT-ID (E0001, 9 characters) and the TX Unique Student ID
 * (E1523, 10 digits). Sections carry the TSDS COURSE-SEQUENCE-CODE (E0948), part of the 10050 section key.
 */
export class TexasStudentIds1795401400000 implements MigrationInterface {
  name = 'TexasStudentIds1795401400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snap_student ADD tx_student_id text, ADD tx_unique_id text`);
    await q.query(`ALTER TABLE snap_section ADD course_sequence_code text`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snap_section DROP COLUMN course_sequence_code`);
    await q.query(`ALTER TABLE snap_student DROP COLUMN tx_unique_id, DROP COLUMN tx_student_id`);
  }
}
