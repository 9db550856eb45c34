import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reference warnings summarised per (entity, referenced entity): every warning counted, with samples. */
export class ComparisonWarningSummary1795400600100 implements MigrationInterface {
  name = 'ComparisonWarningSummary1795400600100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "comparisons" ADD "warning_summary" jsonb NOT NULL DEFAULT '[]'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "comparisons" DROP COLUMN "warning_summary"`);
  }
}
