import type { Pool } from 'pg';

export type SnapValue = string | number | boolean | string[] | null;

/** Inserts canonical rows straight into snap_<entity> (row_no in order), for comparison specs that need no extraction. */
export async function insertSnapRows(
  pool: Pool,
  entity: string,
  snapshotId: string,
  rows: Array<Record<string, SnapValue>>,
): Promise<void> {
  for (const [i, row] of rows.entries()) {
    const cols = Object.keys(row);
    const values = cols.map((c) => row[c]);
    const placeholders = cols.map((_, j) => `$${j + 4}`);
    await pool.query(
      `INSERT INTO snap_${entity} (snapshot_id, row_no, source_key${cols.map((c) => `, ${c}`).join('')})
       VALUES ($1, $2, $3${placeholders.map((p) => `, ${p}`).join('')})`,
      [snapshotId, i + 1, `${entity}:${i + 1}`, ...values],
    );
  }
}
