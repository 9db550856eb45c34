import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The district's comparison window: how many school years (ending with the certified one) every extraction
 * and comparison covers; null = the default, the current and the prior year.
 */
export class ComparisonWindow1795400600000 implements MigrationInterface {
  name = 'ComparisonWindow1795400600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "districts" ADD "comparison_years" int`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "districts" DROP COLUMN "comparison_years"`);
  }
}
