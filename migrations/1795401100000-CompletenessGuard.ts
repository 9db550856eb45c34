import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The completeness guard's district setting: the largest share an entity may shrink by between certified
 * runs of a link before the run fails instead of being certified; null = the service default.
 */
export class CompletenessGuard1795401100000 implements MigrationInterface {
  name = 'CompletenessGuard1795401100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "districts" ADD "completeness_max_shrink" real`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "districts" DROP COLUMN "completeness_max_shrink"`);
  }
}
