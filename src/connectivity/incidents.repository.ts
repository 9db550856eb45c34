import { Injectable } from '@nestjs/common';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export type NotifyState = 'pending' | 'notified' | 'resolved' | 'quiet';

export interface IncidentRow {
  id: string;
  district_id: string;
  subject_kind: 'link' | 'agent';
  link_id: string | null;
  agent_id: string | null;
  subject_name: string;
  opened_at: Date;
  closed_at: Date | null;
  duration_seconds: number | null;
  cause_code: string;
  cause: string;
  notify_state: NotifyState;
  last_notified_at: Date | null;
  reminders_sent: number;
}

/** An incident with what the alert policy needs to decide about it. */
export interface AlertCandidateRow extends IncidentRow {
  muted: boolean;
  sis_kind: string | null;
  transport: 'direct' | 'agent' | null;
  host: string | null;
  db_user: string | null;
  agent_hostname: string | null;
  last_latency_ms: number | null;
  links_behind: string[] | null;
}

/** A district as its alerts name it, and its technical contacts who have not opted out of alerts. */
export interface AlertDistrict {
  name: string;
  time_zone: string;
  contacts: string[] | null;
}

export interface OpenIncident {
  districtId: string;
  subjectKind: 'link' | 'agent';
  linkId: string | null;
  agentId: string | null;
  name: string;
  at: Date;
  causeCode: string;
  cause: string;
}

const COLUMNS = `i.id, i.district_id, i.subject_kind, i.link_id, i.agent_id, i.subject_name, i.opened_at, i.closed_at,
  i.duration_seconds, i.cause_code, i.cause, i.notify_state, i.last_notified_at, i.reminders_sent`;

/** incidents: at most one open per link and per agent (partial unique indexes). */
@Injectable()
export class IncidentsRepository {
  constructor(private readonly sql: SqlRunner) {}

  async findOpen(q: SqlSession, kind: 'link' | 'agent', subjectId: string): Promise<IncidentRow | null> {
    const column = kind === 'link' ? 'link_id' : 'agent_id';
    const rows = await q.query<IncidentRow>(
      `SELECT ${COLUMNS} FROM incidents i WHERE i.${column} = $1 AND i.subject_kind = $2 AND i.closed_at IS NULL FOR UPDATE`,
      [subjectId, kind],
    );
    return rows[0] ?? null;
  }

  async open(q: SqlSession, o: OpenIncident): Promise<string | null> {
    const target =
      o.subjectKind === 'link'
        ? `(link_id) WHERE closed_at IS NULL AND subject_kind = 'link'`
        : `(agent_id) WHERE closed_at IS NULL AND subject_kind = 'agent'`;
    const rows = await q.query<{ id: string }>(
      `INSERT INTO incidents (district_id, subject_kind, link_id, agent_id, subject_name, opened_at, cause_code, cause)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ${target} DO NOTHING RETURNING id`,
      [o.districtId, o.subjectKind, o.linkId, o.agentId, o.name, o.at, o.causeCode, o.cause.slice(0, 2000)],
    );
    return rows[0]?.id ?? null;
  }

  /** Closes with its duration; an incident nobody was told about stays quiet (no recovery mail). */
  async close(q: SqlSession, id: string, at: Date): Promise<void> {
    await q.query(
      `UPDATE incidents SET closed_at = $2,
              duration_seconds = GREATEST(0, round(extract(epoch FROM ($2::timestamptz - opened_at))))::int,
              notify_state = CASE WHEN notify_state = 'pending' THEN 'quiet' ELSE notify_state END
        WHERE id = $1 AND closed_at IS NULL`,
      [id, at],
    );
  }

  /** Districts with alert work outstanding (unsent opens, reminders due, unsent recoveries). */
  async districtsWithAlertWork(now: Date, repeatMs: number): Promise<string[]> {
    const rows = await this.sql.query<{ district_id: string }>(
      `SELECT DISTINCT district_id FROM incidents
        WHERE (notify_state = 'pending' AND closed_at IS NULL)
           OR (notify_state = 'notified' AND (closed_at IS NOT NULL
               OR last_notified_at <= $1::timestamptz - make_interval(secs => $2::double precision / 1000)))`,
      [now, repeatMs],
    );
    return rows.map((r) => r.district_id);
  }

  /** Serialises alert decisions per district across instances for the transaction's lifetime. */
  async tryLockDistrict(q: SqlSession, districtId: string): Promise<boolean> {
    const rows = await q.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtext('sis-certify:alerts'), hashtext($1)) AS ok`,
      [districtId],
    );
    return rows[0]?.ok === true;
  }

  /**
   * Incidents of a district that may need a message, locked. `muted`: inside a maintenance window, under a
   * silence, or a link behind an agent that is itself DOWN (the agent's incident covers it).
   */
  alertCandidates(q: SqlSession, districtId: string, now: Date): Promise<AlertCandidateRow[]> {
    return q.query<AlertCandidateRow>(
      `SELECT ${COLUMNS},
              (EXISTS (SELECT 1 FROM maintenance_windows w WHERE w.district_id = i.district_id
                         AND (w.link_id IS NULL OR w.link_id = i.link_id) AND w.starts_at <= $2 AND w.ends_at > $2)
               OR EXISTS (SELECT 1 FROM alert_silences s WHERE s.district_id = i.district_id
                         AND (s.link_id IS NULL OR s.link_id = i.link_id) AND s.starts_at <= $2 AND s.ends_at > $2)
               OR (i.subject_kind = 'link' AND la.state = 'DOWN')) AS muted,
              l.sis_kind, COALESCE(l.transport, 'agent') AS transport, l.settings->>'host' AS host, l.settings->>'user' AS db_user,
              COALESCE(la.hostname, ia.hostname) AS agent_hostname, h.last_latency_ms,
              (SELECT array_agg(b.name ORDER BY b.name) FROM sis_links b WHERE i.subject_kind = 'agent' AND b.agent_id = i.agent_id) AS links_behind
         FROM incidents i
         LEFT JOIN sis_links l ON l.id = i.link_id
         LEFT JOIN link_health h ON h.link_id = i.link_id
         LEFT JOIN agents la ON la.id = l.agent_id AND l.transport = 'agent'
         LEFT JOIN agents ia ON ia.id = i.agent_id
        WHERE i.district_id = $1 AND i.notify_state IN ('pending', 'notified')
        ORDER BY i.opened_at, i.id
        FOR UPDATE OF i`,
      [districtId, now],
    );
  }

  async markNotified(q: SqlSession, ids: string[], at: Date): Promise<void> {
    await q.query(
      `UPDATE incidents SET notify_state = 'notified', last_notified_at = $2 WHERE id = ANY($1)`,
      [ids, at],
    );
  }

  async markReminded(q: SqlSession, ids: string[], at: Date): Promise<void> {
    await q.query(
      `UPDATE incidents SET last_notified_at = $2, reminders_sent = reminders_sent + 1 WHERE id = ANY($1)`,
      [ids, at],
    );
  }

  /** Technical contacts who have not opted out of alerts receive the plain-language messages. */
  async alertDistrict(q: SqlSession, districtId: string): Promise<AlertDistrict> {
    const rows = await q.query<AlertDistrict>(
      `SELECT d.name, d.time_zone,
              (SELECT array_agg(DISTINCT c.email) FROM district_contacts c
                WHERE c.district_id = d.id AND c.kind = 'technical' AND c.receives_alerts) AS contacts
         FROM districts d WHERE d.id = $1`,
      [districtId],
    );
    return rows[0] ?? { name: districtId, time_zone: 'UTC', contacts: [] };
  }

  async markResolved(q: SqlSession, ids: string[]): Promise<void> {
    await q.query(`UPDATE incidents SET notify_state = 'resolved' WHERE id = ANY($1)`, [ids]);
  }

  list(f: { districtIds: string[] | null; open?: boolean; limit: number }): Promise<IncidentRow[]> {
    return this.sql.query<IncidentRow>(
      `SELECT ${COLUMNS} FROM incidents i
        WHERE ($1::uuid[] IS NULL OR i.district_id = ANY($1))
          AND ($2::boolean IS NULL OR (i.closed_at IS NULL) = $2)
        ORDER BY i.opened_at DESC LIMIT $3`,
      [f.districtIds, f.open ?? null, f.limit],
    );
  }
}
