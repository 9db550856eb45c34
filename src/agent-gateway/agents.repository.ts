import { Injectable } from '@nestjs/common';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export type AgentState = 'UP' | 'PENDING' | 'DOWN';

export interface AgentRow {
  id: string;
  district_id: string;
  name: string;
  token_prefix: string;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  last_heartbeat_at: Date | null;
  last_probe_ok: boolean | null;
  last_probe_latency_ms: number | null;
  last_probe_error: string | null;
  version: string | null;
  hostname: string | null;
  heartbeat_interval_ms: number;
  state: AgentState;
  state_since: Date;
  connected_at: Date | null;
}

export interface HeartbeatRecord {
  at: Date;
  probeOk: boolean;
  latencyMs: number | null;
  error: string | null;
}

const COLUMNS = `id, district_id, name, token_prefix, created_at, rotated_at, revoked_at, last_heartbeat_at, last_probe_ok,
  last_probe_latency_ms, last_probe_error, version, hostname, heartbeat_interval_ms, state, state_since, connected_at`;

/** agents: the token is stored as a sha256 hash; the clear token is shown once at creation/rotation. */
@Injectable()
export class AgentsRepository {
  constructor(private readonly sql: SqlRunner) {}

  async create(a: {
    districtId: string;
    name: string;
    tokenHash: string;
    tokenPrefix: string;
    at: Date;
  }): Promise<AgentRow> {
    const rows = await this.sql.query<AgentRow>(
      `INSERT INTO agents (district_id, name, token_hash, token_prefix, created_at, state_since)
       VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${COLUMNS}`,
      [a.districtId, a.name, a.tokenHash, a.tokenPrefix, a.at],
    );
    return rows[0];
  }

  list(districtId: string | null): Promise<AgentRow[]> {
    return this.sql.query<AgentRow>(
      `SELECT ${COLUMNS} FROM agents WHERE $1::uuid IS NULL OR district_id = $1 ORDER BY name, id`,
      [districtId],
    );
  }

  async find(districtId: string, id: string): Promise<AgentRow | null> {
    const rows = await this.sql.query<AgentRow>(
      `SELECT ${COLUMNS} FROM agents WHERE district_id = $1 AND id = $2`,
      [districtId, id],
    );
    return rows[0] ?? null;
  }

  async findByTokenHash(hash: string): Promise<AgentRow | null> {
    const rows = await this.sql.query<AgentRow>(
      `SELECT ${COLUMNS} FROM agents WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    return rows[0] ?? null;
  }

  async rotate(
    districtId: string,
    id: string,
    tokenHash: string,
    tokenPrefix: string,
    at: Date,
  ): Promise<AgentRow | null> {
    const rows = await this.sql.query<AgentRow>(
      `UPDATE agents SET token_hash = $3, token_prefix = $4, rotated_at = $5
        WHERE district_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [districtId, id, tokenHash, tokenPrefix, at],
    );
    return rows[0] ?? null;
  }

  async revoke(districtId: string, id: string, at: Date): Promise<AgentRow | null> {
    const rows = await this.sql.query<AgentRow>(
      `UPDATE agents SET revoked_at = COALESCE(revoked_at, $3) WHERE district_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [districtId, id, at],
    );
    return rows[0] ?? null;
  }

  async recordHello(
    id: string,
    h: { version: string; hostname: string; heartbeatIntervalMs: number; at: Date },
  ): Promise<void> {
    await this.sql.query(
      `UPDATE agents SET version = $2, hostname = $3, heartbeat_interval_ms = $4, connected_at = $5 WHERE id = $1`,
      [id, h.version.slice(0, 100), h.hostname.slice(0, 255), h.heartbeatIntervalMs, h.at],
    );
  }

  /** Records a heartbeat and makes the agent UP; returns the state it had before (row locked by the caller's tx). */
  async recordHeartbeat(
    q: SqlSession,
    id: string,
    hb: HeartbeatRecord,
  ): Promise<{ prev: AgentState; row: AgentRow } | null> {
    const rows = await q.query<AgentRow & { prev: AgentState }>(
      `UPDATE agents a SET last_heartbeat_at = $2, last_probe_ok = $3, last_probe_latency_ms = $4, last_probe_error = $5,
              state = 'UP', state_since = CASE WHEN p.prev = 'UP' THEN a.state_since ELSE $2 END
         FROM (SELECT id, state AS prev FROM agents WHERE id = $1 AND revoked_at IS NULL FOR UPDATE) p
        WHERE a.id = p.id
       RETURNING p.prev, ${COLUMNS.split(', ')
         .map((c) => `a.${c.trim()}`)
         .join(', ')}`,
      [id, hb.at, hb.probeOk, hb.latencyMs, hb.error?.slice(0, 2000) ?? null],
    );
    const r = rows[0];
    return r ? { prev: r.prev, row: r } : null;
  }

  /**
   * Marks DOWN every agent that has heartbeated before and missed `missed` heartbeats. The UPDATE is the
   * claim: exactly one instance sees each transition.
   */
  markMissedDown(q: SqlSession, now: Date, missed: number): Promise<AgentRow[]> {
    return q.query<AgentRow>(
      `UPDATE agents SET state = 'DOWN', state_since = $1
        WHERE revoked_at IS NULL AND state <> 'DOWN' AND last_heartbeat_at IS NOT NULL
          AND last_heartbeat_at < $1::timestamptz - make_interval(secs => heartbeat_interval_ms * $2::double precision / 1000)
       RETURNING ${COLUMNS}`,
      [now, missed],
    );
  }
}
