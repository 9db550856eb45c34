import { Injectable } from '@nestjs/common';
import { leaseEnd, leaseFree } from 'src/database/lease';
import { SqlRunner } from 'src/database/sql-runner';
import type {
  CheckpointRecord,
  LeaseState,
  NewRun,
  RunRecord,
  RunSide,
  RunSideRecord,
  RunSideStatus,
  RunStatus,
  RunStep,
} from 'src/runs/runs.types';
import { targetsOf } from 'src/runs/runs.types';

/** The columns of a run, named as RunRecord's fields: rows come back as the domain type itself. */
const COLUMNS = `id, district_id AS "districtId", kind, status, phase, percent::float8 AS percent, message,
  to_char(as_of, 'YYYY-MM-DD') AS "asOf", school_year AS "schoolYear", comparison_years AS "comparisonYears",
  current_link_id AS "currentLinkId", old_link_id AS "oldLinkId", new_link_id AS "newLinkId",
  trigger_kind AS "triggerKind", triggered_by AS "triggeredBy", skip_reason AS "skipReason", error,
  scheduled_for AS "scheduledFor", catch_up_of AS "catchUpOf", attempts, cancel_requested AS "cancelRequested",
  created_at AS "createdAt", updated_at AS "updatedAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

const ACTIVE = `('queued', 'extracting', 'evaluating', 'comparing')`;

export interface ScheduledDistrict {
  id: string;
  timeZone: string;
  nightlyAt: string;
  offSeason: Array<{ from: string; to: string; reason: string }>;
  schoolYear: number | null;
}

/** Every statement about runs, their sides, checkpoints and leases (snapshots: SnapshotsRepository). */
@Injectable()
export class RunsRepository {
  constructor(private readonly sql: SqlRunner) {}

  private rows(sql: string, params: unknown[] = []): Promise<RunRecord[]> {
    return this.sql.query<RunRecord>(sql, params);
  }

  /**
   * Inserts a run and one run_sides row per target (pending, or skipped with the reason); null when its
   * schedule slot (or the run it catches up) already has one.
   */
  async insert(r: NewRun): Promise<RunRecord | null> {
    const sides = targetsOf(r).map((t) => {
      const reason = r.status === 'skipped' ? r.skipReason : (r.skippedSides?.[t.side] ?? null);
      return { side: t.side, link_id: t.linkId, status: reason ? 'skipped' : 'pending', reason };
    });
    const rows = await this.rows(
      `WITH r AS (
         INSERT INTO runs (district_id, kind, status, as_of, school_year, current_link_id, old_link_id, new_link_id, trigger_kind,
           triggered_by, skip_reason, scheduled_for, catch_up_of, finished_at, message, comparison_years)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $3 = 'skipped' THEN now() END,
                 CASE WHEN $3 = 'skipped' THEN 'skipped: ' || $11 ELSE 'waiting for a worker' END, $15)
         ON CONFLICT DO NOTHING RETURNING *),
       s AS (
         INSERT INTO run_sides (run_id, side, link_id, status, reason)
         SELECT r.id, x.side, x.link_id, x.status, x.reason
         FROM r, jsonb_to_recordset($14::jsonb) AS x(side text, link_id uuid, status text, reason text))
       SELECT ${COLUMNS} FROM r`,
      [
        r.districtId,
        r.kind,
        r.status,
        r.asOf,
        r.schoolYear,
        r.currentLinkId,
        r.oldLinkId,
        r.newLinkId,
        r.triggerKind,
        r.triggeredBy,
        r.skipReason,
        r.scheduledFor,
        r.catchUpOf,
        JSON.stringify(sides),
        r.comparisonYears ?? null,
      ],
    );
    return rows[0] ?? null;
  }

  /** The sides of these runs with their link's name, in side order (current, old, new). */
  async sides(runIds: string[]): Promise<RunSideRecord[]> {
    if (runIds.length === 0) return [];
    const rows = await this.sql.query<{
      run_id: string;
      side: RunSide;
      link_id: string | null;
      link_name: string | null;
      status: RunSideStatus;
      reason: string | null;
      updated_at: Date;
    }>(
      `SELECT s.run_id, s.side, s.link_id, l.name AS link_name, s.status, s.reason, s.updated_at
       FROM run_sides s LEFT JOIN sis_links l ON l.id = s.link_id
       WHERE s.run_id = ANY($1::uuid[])
       ORDER BY s.run_id, array_position(ARRAY['current', 'old', 'new'], s.side)`,
      [runIds],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      side: r.side,
      linkId: r.link_id,
      linkName: r.link_name,
      status: r.status,
      reason: r.reason,
      updatedAt: r.updated_at,
    }));
  }

  /** Records where one side of a run stands (see RunSideStatus). */
  async setSide(runId: string, side: RunSide, status: RunSideStatus, reason: string | null): Promise<void> {
    await this.sql.query(
      `UPDATE run_sides SET status = $3, reason = $4, updated_at = now() WHERE run_id = $1 AND side = $2`,
      [runId, side, status, reason],
    );
  }

  async findById(id: string): Promise<RunRecord | null> {
    return (await this.rows(`SELECT ${COLUMNS} FROM runs WHERE id = $1`, [id]))[0] ?? null;
  }

  async find(districtId: string, id: string): Promise<RunRecord | null> {
    return (
      (
        await this.rows(`SELECT ${COLUMNS} FROM runs WHERE district_id = $1 AND id = $2`, [districtId, id])
      )[0] ?? null
    );
  }

  list(districtId: string, limit: number, offset: number): Promise<RunRecord[]> {
    return this.rows(
      `SELECT ${COLUMNS} FROM runs WHERE district_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
      [districtId, limit, offset],
    );
  }

  async setJobId(id: string, jobId: string): Promise<void> {
    await this.sql.query(`UPDATE runs SET job_id = $2, updated_at = now() WHERE id = $1`, [id, jobId]);
  }

  /**
   * Takes the run for this worker when nobody holds a live lease on it. The lease, not the job, decides who
   * executes a run: a job that pg-boss expired and retried while its first worker is still alive finds the
   * lease held and backs off — also in the same process, so one run never executes twice at once.
   */
  async claim(id: string, owner: string, leaseSeconds: number): Promise<RunRecord | null> {
    const rows = await this.rows(
      `UPDATE runs SET lease_owner = $2, lease_until = ${leaseEnd('now()', '$3')}, attempts = attempts + 1,
              started_at = COALESCE(started_at, now()), updated_at = now()
       WHERE id = $1 AND status IN ${ACTIVE} AND NOT cancel_requested
         AND ${leaseFree('lease_until')}
       RETURNING ${COLUMNS}`,
      [id, owner, leaseSeconds * 1000],
    );
    return rows[0] ?? null;
  }

  async renew(id: string, owner: string, leaseSeconds: number): Promise<LeaseState> {
    const rows = await this.sql.query<{ cancel_requested: boolean }>(
      `UPDATE runs SET lease_until = ${leaseEnd('now()', '$3')}
       WHERE id = $1 AND lease_owner = $2 AND status IN ${ACTIVE} RETURNING cancel_requested`,
      [id, owner, leaseSeconds * 1000],
    );
    return { held: rows.length > 0, cancelRequested: rows[0]?.cancel_requested ?? false };
  }

  /** Records progress; answers like renew(), so a cancel request is learned with the next progress write. */
  async progress(
    id: string,
    owner: string,
    p: { status?: RunStatus; phase: string; percent: number; message?: string },
  ): Promise<LeaseState> {
    const rows = await this.sql.query<{ cancel_requested: boolean }>(
      `UPDATE runs SET status = COALESCE($3, status), phase = $4, percent = $5, message = COALESCE($6, message), updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status IN ${ACTIVE} RETURNING cancel_requested`,
      [
        id,
        owner,
        p.status ?? null,
        p.phase,
        Math.max(0, Math.min(100, Math.round(p.percent * 100) / 100)),
        p.message ?? null,
      ],
    );
    return { held: rows.length > 0, cancelRequested: rows[0]?.cancel_requested ?? false };
  }

  /** Ends a run held by this worker; false when the lease was lost meanwhile. */
  async finish(
    id: string,
    owner: string,
    status: RunStatus,
    o: { message: string; error?: string },
  ): Promise<boolean> {
    // Sides the run did not get to evaluate end as failed (with the run's error) or skipped (cancelled).
    const rows = await this.sql.query(
      `WITH f AS (
         UPDATE runs SET status = $3, message = $4, error = $5, percent = CASE WHEN $3 = 'done' THEN 100 ELSE percent END,
                phase = CASE WHEN $3 = 'done' THEN 'done' ELSE phase END, finished_at = now(), updated_at = now(), lease_until = NULL
         WHERE id = $1 AND lease_owner = $2 AND status IN ${ACTIVE} RETURNING id),
       s AS (
         UPDATE run_sides SET status = CASE WHEN $3 = 'cancelled' THEN 'skipped' ELSE 'failed' END,
                reason = COALESCE($5, $4), updated_at = now()
         WHERE run_id IN (SELECT id FROM f) AND status IN ('pending', 'extracted') AND $3 <> 'done')
       SELECT id FROM f`,
      [id, owner, status, o.message, o.error ?? null],
    );
    return rows.length > 0;
  }

  /** A queued run nobody holds is cancelled at once; a running one is flagged and stops at its next lease renewal. */
  async requestCancel(districtId: string, id: string): Promise<RunRecord | null> {
    const rows = await this.rows(
      `UPDATE runs SET cancel_requested = true, updated_at = now(),
              status = CASE WHEN status = 'queued' AND ${leaseFree('lease_until')} THEN 'cancelled' ELSE status END,
              finished_at = CASE WHEN status = 'queued' AND ${leaseFree('lease_until')} THEN now() ELSE finished_at END,
              message = CASE WHEN status = 'queued' AND ${leaseFree('lease_until')} THEN 'cancelled' ELSE 'cancelling' END
       WHERE district_id = $1 AND id = $2 AND status IN ${ACTIVE} RETURNING ${COLUMNS}`,
      [districtId, id],
    );
    if (rows[0]?.status === 'cancelled') await this.settleSides(id, 'skipped', 'cancelled');
    return rows[0] ?? null;
  }

  /** Sides still pending or extracted when their run ended before evaluating them. */
  private async settleSides(runId: string, status: RunSideStatus, reason: string): Promise<void> {
    await this.sql.query(
      `UPDATE run_sides SET status = $2, reason = $3, updated_at = now() WHERE run_id = $1 AND status IN ('pending', 'extracted')`,
      [runId, status, reason],
    );
  }

  /** A cancel request on a run whose worker died: nobody will renew the lease, so end it here. */
  async cancelOrphaned(id: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE runs SET status = 'cancelled', message = 'cancelled', finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND cancel_requested AND status IN ${ACTIVE} AND ${leaseFree('lease_until')} RETURNING id`,
      [id],
    );
    if (rows.length > 0) await this.settleSides(id, 'skipped', 'cancelled');
    return rows.length > 0;
  }

  async checkpoints(runId: string): Promise<Map<string, CheckpointRecord>> {
    const rows: Array<{
      step: RunStep;
      target: string;
      status: 'started' | 'done';
      ref_id: string | null;
      detail: Record<string, unknown>;
    }> = await this.sql.query(
      `SELECT step, target, status, ref_id, detail FROM run_checkpoints WHERE run_id = $1`,
      [runId],
    );
    return new Map(
      rows.map((r) => [
        `${r.step}:${r.target}`,
        { step: r.step, target: r.target, status: r.status, refId: r.ref_id, detail: r.detail },
      ]),
    );
  }

  /** The step's checkpoint, created with its reference on first sight (a retry finds the same reference). */
  async startStep(
    runId: string,
    step: RunStep,
    target: string,
    refId: string | null,
  ): Promise<CheckpointRecord> {
    await this.sql.query(
      `INSERT INTO run_checkpoints (run_id, step, target, status, ref_id) VALUES ($1, $2, $3, 'started', $4) ON CONFLICT DO NOTHING`,
      [runId, step, target, refId],
    );
    const rows: Array<{
      status: 'started' | 'done';
      ref_id: string | null;
      detail: Record<string, unknown>;
    }> = await this.sql.query(
      `SELECT status, ref_id, detail FROM run_checkpoints WHERE run_id = $1 AND step = $2 AND target = $3`,
      [runId, step, target],
    );
    return { step, target, status: rows[0].status, refId: rows[0].ref_id, detail: rows[0].detail };
  }

  async completeStep(
    runId: string,
    step: RunStep,
    target: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.sql.query(
      `UPDATE run_checkpoints SET status = 'done', detail = $4, completed_at = now() WHERE run_id = $1 AND step = $2 AND target = $3`,
      [runId, step, target, JSON.stringify(detail)],
    );
  }

  async scheduledDistricts(): Promise<ScheduledDistrict[]> {
    const rows: Array<{
      id: string;
      time_zone: string;
      nightly_at: string;
      off_season: ScheduledDistrict['offSeason'];
      school_year: number | null;
    }> = await this.sql.query(
      `SELECT id, time_zone, nightly_at, off_season, school_year FROM districts WHERE nightly_at IS NOT NULL`,
    );
    return rows.map((r) => ({
      id: r.id,
      timeZone: r.time_zone,
      nightlyAt: r.nightly_at,
      offSeason: r.off_season,
      schoolYear: r.school_year,
    }));
  }

  async slotsTaken(slots: Array<{ districtId: string; scheduledFor: Date }>): Promise<Set<string>> {
    if (slots.length === 0) return new Set();
    const rows: Array<{ district_id: string; scheduled_for: Date }> = await this.sql.query(
      `SELECT district_id, scheduled_for FROM runs WHERE (district_id, scheduled_for) IN (SELECT * FROM unnest($1::uuid[], $2::timestamptz[]))`,
      [slots.map((s) => s.districtId), slots.map((s) => s.scheduledFor.toISOString())],
    );
    return new Set(rows.map((r) => `${r.district_id}@${r.scheduled_for.toISOString()}`));
  }

  /**
   * The latest run of each district that missed a side because its link was down — skipped whole, or done
   * with one side skipped (link down when recorded) or failed (link unreachable during extraction) — with no
   * catch-up yet and no newer run that did not skip and ran every side.
   */
  awaitingCatchUp(): Promise<RunRecord[]> {
    return this.rows(
      `SELECT ${COLUMNS} FROM (
         SELECT DISTINCT ON (r.district_id) r.* FROM runs r
         WHERE (r.status = 'skipped' AND r.skip_reason LIKE 'link_down%')
            OR (r.status = 'done' AND EXISTS (
                  SELECT 1 FROM run_sides s WHERE s.run_id = r.id AND s.status IN ('skipped', 'failed')
                    AND (s.reason LIKE 'link_down%' OR s.reason LIKE 'unreachable%' OR s.reason LIKE 'timeout%')))
         ORDER BY r.district_id, r.created_at DESC) r
       WHERE NOT EXISTS (SELECT 1 FROM runs c WHERE c.catch_up_of = r.id)
         AND NOT EXISTS (
           SELECT 1 FROM runs n WHERE n.district_id = r.district_id AND n.created_at > r.created_at AND n.status <> 'skipped'
             AND NOT EXISTS (SELECT 1 FROM run_sides s WHERE s.run_id = n.id AND s.status IN ('skipped', 'failed')))`,
    );
  }

  /** Active runs whose worker stopped renewing its lease (or which never got one), for re-sending their job. */
  stale(olderThanSeconds: number): Promise<RunRecord[]> {
    return this.rows(
      `SELECT ${COLUMNS} FROM runs WHERE status IN ${ACTIVE}
         AND COALESCE(lease_until, updated_at) < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 100`,
      [olderThanSeconds],
    );
  }
}
