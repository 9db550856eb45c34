import { Injectable } from '@nestjs/common';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export interface MaintenanceWindowRow {
  id: string;
  district_id: string;
  link_id: string | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string | null;
  created_at: Date;
}

export interface SilenceRow {
  id: string;
  district_id: string;
  link_id: string | null;
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: string | null;
  created_at: Date;
}

/** maintenance_windows and alert_silences. */
@Injectable()
export class MaintenanceRepository {
  constructor(private readonly sql: SqlRunner) {}

  async inMaintenance(q: SqlSession, districtId: string, linkId: string, now: Date): Promise<boolean> {
    const rows = await q.query<{ hit: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM maintenance_windows WHERE district_id = $1 AND (link_id IS NULL OR link_id = $2)
                        AND starts_at <= $3 AND ends_at > $3) AS hit`,
      [districtId, linkId, now],
    );
    return rows[0]?.hit === true;
  }

  listWindows(districtId: string, includePast: boolean, now: Date): Promise<MaintenanceWindowRow[]> {
    return this.sql.query<MaintenanceWindowRow>(
      `SELECT id, district_id, link_id, starts_at, ends_at, reason, created_by, created_at FROM maintenance_windows
        WHERE district_id = $1 AND ($2 OR ends_at > $3) ORDER BY starts_at`,
      [districtId, includePast, now],
    );
  }

  async createWindow(w: {
    districtId: string;
    linkId: string | null;
    startsAt: Date;
    endsAt: Date;
    reason: string;
    createdBy: string;
  }): Promise<MaintenanceWindowRow> {
    const rows = await this.sql.query<MaintenanceWindowRow>(
      `INSERT INTO maintenance_windows (district_id, link_id, starts_at, ends_at, reason, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, district_id, link_id, starts_at, ends_at, reason, created_by, created_at`,
      [w.districtId, w.linkId, w.startsAt, w.endsAt, w.reason, w.createdBy],
    );
    return rows[0];
  }

  async deleteWindow(districtId: string, id: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `DELETE FROM maintenance_windows WHERE district_id = $1 AND id = $2 RETURNING id`,
      [districtId, id],
    );
    return rows.length > 0;
  }

  listSilences(districtId: string, includeExpired: boolean, now: Date): Promise<SilenceRow[]> {
    return this.sql.query<SilenceRow>(
      `SELECT id, district_id, link_id, starts_at, ends_at, comment, created_by, created_at FROM alert_silences
        WHERE district_id = $1 AND ($2 OR ends_at > $3) ORDER BY ends_at`,
      [districtId, includeExpired, now],
    );
  }

  async createSilence(s: {
    districtId: string;
    linkId: string | null;
    startsAt: Date;
    endsAt: Date;
    comment: string;
    createdBy: string;
  }): Promise<SilenceRow> {
    const rows = await this.sql.query<SilenceRow>(
      `INSERT INTO alert_silences (district_id, link_id, starts_at, ends_at, comment, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, district_id, link_id, starts_at, ends_at, comment, created_by, created_at`,
      [s.districtId, s.linkId, s.startsAt, s.endsAt, s.comment, s.createdBy],
    );
    return rows[0];
  }

  /** Expiring a silence early keeps its record (ends now); deleting removes it. */
  async expireSilence(districtId: string, id: string, now: Date): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE alert_silences SET ends_at = GREATEST(starts_at + interval '1 millisecond', $3) WHERE district_id = $1 AND id = $2 RETURNING id`,
      [districtId, id, now],
    );
    return rows.length > 0;
  }

  async linkBelongs(districtId: string, linkId: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT id FROM sis_links WHERE district_id = $1 AND id = $2`,
      [districtId, linkId],
    );
    return rows.length > 0;
  }
}
