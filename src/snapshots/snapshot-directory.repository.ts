import type { SqlSession } from 'src/database/sql-runner';

/** What applying the state's school directory to a snapshot's schools found. */
export interface DirectoryApplyResult {
  /** The state has a loaded directory (otherwise nothing was applied). */
  loaded: boolean;
  matched: number;
  missing: number;
}

/**
 * Copies the directory's view of each school into a snapshot's snap_school rows (matched on state_school_id):
 * `directory_status` open/closed, or `missing` when the state's directory does not list the code.
 * Idempotent; nothing is written when the state has no directory loaded. Here, not in reference-data: the
 * snapshots room is the one writer of snapshot tables (the directory itself is reference-data's).
 */
export async function applyDirectoryToSnapshot(
  session: SqlSession,
  snapshotId: string,
  state: string,
): Promise<DirectoryApplyResult> {
  const [has] = await session.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM state_school_directory WHERE state = $1 LIMIT 1) x`,
    [state],
  );
  if (Number(has?.n ?? 0) === 0) return { loaded: false, matched: 0, missing: 0 };
  const rows = await session.query<{ matched: boolean }>(
    `UPDATE snap_school s
     SET directory_status = COALESCE(d.status, 'missing'), directory_low_grade = d.low_grade,
         directory_high_grade = d.high_grade, directory_type = d.school_type
     FROM snap_school s2
     LEFT JOIN state_school_directory d ON d.state = $2 AND d.school_code = s2.state_school_id
     WHERE s.snapshot_id = $1 AND s2.snapshot_id = $1 AND s2.row_no = s.row_no
     RETURNING d.school_code IS NOT NULL AS matched`,
    [snapshotId, state],
  );
  const matched = rows.filter((r) => r.matched).length;
  return { loaded: true, matched, missing: rows.length - matched };
}
