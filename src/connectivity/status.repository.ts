import { Injectable } from '@nestjs/common';
import type { LinkState } from 'src/connectivity/link-state.machine';
import { SqlRunner } from 'src/database/sql-runner';

export interface LinkStatusRow {
  link_id: string;
  district_id: string;
  name: string;
  role: string;
  sis_kind: string;
  transport: 'direct' | 'agent';
  agent_id: string | null;
  enabled: boolean;
  state: LinkState;
  since: Date | null;
  last_probe_at: Date | null;
  last_latency_ms: number | null;
  last_error_code: string | null;
  last_error: string | null;
  incident_id: string | null;
  incident_opened_at: Date | null;
  incident_cause_code: string | null;
}

/** Read side of the status board: every link with its health and open incident. */
@Injectable()
export class StatusRepository {
  constructor(private readonly sql: SqlRunner) {}

  districts(districtId: string | null): Promise<Array<{ id: string; name: string }>> {
    return this.sql.query(`SELECT id, name FROM districts WHERE $1::uuid IS NULL OR id = $1 ORDER BY name`, [
      districtId,
    ]);
  }

  links(districtId: string | null): Promise<LinkStatusRow[]> {
    return this.sql.query<LinkStatusRow>(
      `SELECT l.id AS link_id, l.district_id, l.name, l.role, l.sis_kind, l.transport, l.agent_id, l.enabled,
              COALESCE(h.state, 'PENDING') AS state, h.since, h.last_probe_at, h.last_latency_ms, h.last_error_code, h.last_error,
              i.id AS incident_id, i.opened_at AS incident_opened_at, i.cause_code AS incident_cause_code
         FROM sis_links l
         LEFT JOIN link_health h ON h.link_id = l.id
         LEFT JOIN incidents i ON i.link_id = l.id AND i.subject_kind = 'link' AND i.closed_at IS NULL
        WHERE $1::uuid IS NULL OR l.district_id = $1
        ORDER BY l.district_id, l.role, l.name`,
      [districtId],
    );
  }

  openAgentIncidents(
    districtId: string | null,
  ): Promise<Array<{ id: string; agent_id: string; opened_at: Date; cause_code: string }>> {
    return this.sql.query(
      `SELECT id, agent_id, opened_at, cause_code FROM incidents
        WHERE subject_kind = 'agent' AND closed_at IS NULL AND ($1::uuid IS NULL OR district_id = $1)`,
      [districtId],
    );
  }
}
