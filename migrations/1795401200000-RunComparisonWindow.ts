import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's own comparison window (school years, ending with the certified one): the run request's override, else
 * the district's, fixed when the run is recorded so both sides and every retry read the same years; null = the
 * default. Extraction requests relayed to the instance holding an agent carry it too.
 */
export class RunComparisonWindow1795401200000 implements MigrationInterface {
  name = 'RunComparisonWindow1795401200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD comparison_years int CHECK (comparison_years BETWEEN 1 AND 10)`);
    await q.query(
      `ALTER TABLE agent_extract_requests ADD comparison_years int CHECK (comparison_years BETWEEN 1 AND 10)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agent_extract_requests DROP COLUMN comparison_years`);
    await q.query(`ALTER TABLE runs DROP COLUMN comparison_years`);
  }
}
