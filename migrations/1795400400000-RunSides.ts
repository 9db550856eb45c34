import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per side of a run (current, or old and new in a migration): whether that side was evaluated,
 * skipped (its link was down when the run started, or the whole run was skipped) or failed (its extraction
 * failed), with the reason. A migration run with one link down still runs the side that is up. Existing
 * runs are backfilled from their status and checkpoints.
 */
export class RunSides1795400400000 implements MigrationInterface {
  name = 'RunSides1795400400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE run_sides (
      run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      side text NOT NULL CHECK (side IN ('current', 'old', 'new')),
      link_id uuid REFERENCES sis_links(id) ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'extracted', 'evaluated', 'skipped', 'failed')),
      reason text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, side))`);
    await q.query(`CREATE INDEX ix_run_sides_link ON run_sides (link_id)`);
    await q.query(`
      INSERT INTO run_sides (run_id, side, link_id, status, reason)
      SELECT r.id, t.side, t.link_id,
             CASE WHEN r.status = 'skipped' THEN 'skipped'
                  WHEN ev.status = 'done' AND ev.detail ? 'skipped' THEN 'skipped'
                  WHEN ev.status = 'done' THEN 'evaluated'
                  WHEN ex.status = 'done' THEN 'extracted'
                  WHEN r.status = 'failed' THEN 'failed'
                  WHEN r.status = 'cancelled' THEN 'skipped'
                  ELSE 'pending' END,
             CASE WHEN r.status = 'skipped' THEN r.skip_reason
                  WHEN ev.status = 'done' AND ev.detail ? 'skipped' THEN ev.detail->>'skipped'
                  WHEN ev.status = 'done' OR ex.status = 'done' THEN NULL
                  WHEN r.status = 'failed' THEN r.error
                  WHEN r.status = 'cancelled' THEN 'cancelled'
                  ELSE NULL END
      FROM runs r
      CROSS JOIN LATERAL (VALUES ('current', CASE WHEN r.old_link_id IS NULL OR r.new_link_id IS NULL THEN r.current_link_id END),
                                 ('old', CASE WHEN r.new_link_id IS NOT NULL THEN r.old_link_id END),
                                 ('new', CASE WHEN r.old_link_id IS NOT NULL THEN r.new_link_id END)) AS t(side, link_id)
      LEFT JOIN run_checkpoints ex ON ex.run_id = r.id AND ex.step = 'extract' AND ex.target = t.side
      LEFT JOIN run_checkpoints ev ON ev.run_id = r.id AND ev.step = 'evaluate' AND ev.target = t.side
      WHERE t.link_id IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE run_sides`);
  }
}
