import type { Pool } from 'pg';
import { snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';

/**
 * Rows of one snapshot of an entity not matched one-for-one in the other (every column but snapshot_id and
 * row_no): 0 when an incremental snapshot equals a full extraction of the same source state.
 */
export async function snapshotDifferences(
  pool: Pool,
  entity: CanonicalEntity,
  a: string,
  b: string,
): Promise<number> {
  const table = snapshotTable(entity);
  const { rows } = await pool.query<{ n: string }>(
    `WITH x AS (SELECT to_jsonb(t) - 'snapshot_id' - 'row_no' AS r FROM ${table} t WHERE snapshot_id = $1),
          y AS (SELECT to_jsonb(t) - 'snapshot_id' - 'row_no' AS r FROM ${table} t WHERE snapshot_id = $2)
     SELECT ((SELECT count(*) FROM (SELECT r FROM x EXCEPT ALL SELECT r FROM y) d)
           + (SELECT count(*) FROM (SELECT r FROM y EXCEPT ALL SELECT r FROM x) e))::text AS n`,
    [a, b],
  );
  return Number(rows[0].n);
}

/** Extraction issues of one snapshot not matched one-for-one in the other. */
export async function issueDifferences(pool: Pool, a: string, b: string): Promise<number> {
  const cols = `entity, source_key, field, raw_value, kind, message`;
  const { rows } = await pool.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM (SELECT ${cols} FROM extraction_issues WHERE snapshot_id = $1
                                     EXCEPT ALL SELECT ${cols} FROM extraction_issues WHERE snapshot_id = $2) d)
           + (SELECT count(*) FROM (SELECT ${cols} FROM extraction_issues WHERE snapshot_id = $2
                                     EXCEPT ALL SELECT ${cols} FROM extraction_issues WHERE snapshot_id = $1) e))::text AS n`,
    [a, b],
  );
  return Number(rows[0].n);
}
