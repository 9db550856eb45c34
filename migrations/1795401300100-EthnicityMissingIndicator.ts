import type { MigrationInterface, QueryRunner } from 'typeorm';

/** CALPADS Ethnicity Missing Indicator (SINF 2.24): the family declined to state Hispanic/Latino ethnicity. */
export class EthnicityMissingIndicator1795401300100 implements MigrationInterface {
  name = 'EthnicityMissingIndicator1795401300100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE snap_student ADD ethnicity_missing_indicator boolean, ADD ethnicity_missing_indicator_raw text`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE snap_student DROP COLUMN ethnicity_missing_indicator, DROP COLUMN ethnicity_missing_indicator_raw`,
    );
  }
}
