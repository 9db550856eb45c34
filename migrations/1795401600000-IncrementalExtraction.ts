import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental extraction: a snapshot records the SIS clock read before its extraction (the next snapshot's
 * `:since`), what its rows depend on besides the SIS data (connector queries and mapping, code maps, window),
 * the snapshot it carried unchanged rows forward from, and how many incremental snapshots precede it.
 */
export class IncrementalExtraction1795401600000 implements MigrationInterface {
  name = 'IncrementalExtraction1795401600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "snapshots" ADD "change_watermark" text`);
    await q.query(`ALTER TABLE "snapshots" ADD "extract_fingerprint" text`);
    await q.query(`ALTER TABLE "snapshots" ADD "base_snapshot_id" uuid`);
    await q.query(`ALTER TABLE "snapshots" ADD "incremental_depth" int NOT NULL DEFAULT 0`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "snapshots" DROP COLUMN "incremental_depth"`);
    await q.query(`ALTER TABLE "snapshots" DROP COLUMN "base_snapshot_id"`);
    await q.query(`ALTER TABLE "snapshots" DROP COLUMN "extract_fingerprint"`);
    await q.query(`ALTER TABLE "snapshots" DROP COLUMN "change_watermark"`);
  }
}
