import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-district match keys of migration comparisons (null = the service default). */
export class DistrictComparisonKeys1795398700000 implements MigrationInterface {
  name = 'DistrictComparisonKeys1795398700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "districts" ADD "comparison_keys" jsonb`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "districts" DROP COLUMN "comparison_keys"`);
  }
}
