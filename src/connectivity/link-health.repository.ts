import { Injectable } from '@nestjs/common';
import type { LinkConnectionSettings } from 'src/districts/sis-link.entity';
import type { LinkState } from 'src/connectivity/link-state.machine';
import { leaseEnd, leaseFree } from 'src/database/lease';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export interface DueProbe {
  link_id: string;
  district_id: string;
  name: string;
  sis_kind: string;
  settings: LinkConnectionSettings;
  secret_ciphertext: string | null;
}

export interface LinkHealthRow {
  link_id: string;
  district_id: string;
  state: LinkState;
  since: Date;
  consecutive_failures: number;
  last_probe_at: Date | null;
  last_latency_ms: number | null;
  last_error: string | null;
  last_error_code: string | null;
  /** Joined from sis_links. */
  name: string;
  transport: 'direct' | 'agent';
  agent_id: string | null;
}

export interface ProbeRecord {
  linkId: string;
  districtId: string;
  at: Date;
  ok: boolean;
  latencyMs: number | null;
  errorCode: string | null;
  error: string | null;
  via: 'direct' | 'agent';
}

export interface UptimeRow {
  link_id: string;
  h24: number | null;
  d7: number | null;
  d30: number | null;
}

/** link_health, probe_results and probe_rollups. */
@Injectable()
export class LinkHealthRepository {
  constructor(private readonly sql: SqlRunner) {}

  /** A PENDING row for every enabled link that has none yet (new links are probed at once). */
  async ensureRows(now: Date): Promise<void> {
    await this.sql.query(
      `INSERT INTO link_health (link_id, district_id, state, since, next_probe_at)
       SELECT l.id, l.district_id, 'PENDING', $1, $1 FROM sis_links l
        WHERE l.enabled AND NOT EXISTS (SELECT 1 FROM link_health h WHERE h.link_id = l.id)
       ON CONFLICT (link_id) DO NOTHING`,
      [now],
    );
  }

  /**
   * Claims the direct links whose probe is due: moving next_probe_at forward in the same statement is the
   * claim, so two instances never probe (or alert for) the same round. The lease keeps a slow probe's link
   * from being probed again before its result is recorded (results stay in order).
   */
  claimDue(
    instance: string,
    now: Date,
    overrideMs: number | null,
    limit: number,
    leaseMs: number,
  ): Promise<DueProbe[]> {
    return this.sql.query<DueProbe>(
      `WITH due AS (
         SELECT h.link_id FROM link_health h JOIN sis_links l ON l.id = h.link_id
          WHERE l.enabled AND l.transport = 'direct' AND h.next_probe_at <= $1
            AND ${leaseFree('h.probe_lease_until', '$1')}
          ORDER BY h.next_probe_at LIMIT $3
          FOR UPDATE OF h SKIP LOCKED)
       UPDATE link_health h
          SET next_probe_at = $1::timestamptz + make_interval(secs => COALESCE($2::double precision / 1000, l.probe_interval_seconds)),
              probing_by = $4, probe_lease_until = ${leaseEnd('$1', '$5')}
         FROM sis_links l, due
        WHERE h.link_id = due.link_id AND l.id = h.link_id
       RETURNING h.link_id, l.district_id, l.name, l.sis_kind, l.settings, l.secret_ciphertext`,
      [now, overrideMs, limit, instance, leaseMs],
    );
  }

  async lock(q: SqlSession, linkId: string): Promise<LinkHealthRow | null> {
    const rows = await q.query<LinkHealthRow>(
      `SELECT h.link_id, h.district_id, h.state, h.since, h.consecutive_failures, h.last_probe_at, h.last_latency_ms,
              h.last_error, h.last_error_code, l.name, l.transport, l.agent_id
         FROM link_health h JOIN sis_links l ON l.id = h.link_id
        WHERE h.link_id = $1 FOR UPDATE OF h`,
      [linkId],
    );
    return rows[0] ?? null;
  }

  async update(
    q: SqlSession,
    linkId: string,
    s: { state: LinkState; since: Date; consecutiveFailures: number },
    probe: { at: Date; latencyMs: number | null; errorCode: string | null; error: string | null } | null,
  ): Promise<void> {
    await q.query(
      `UPDATE link_health SET state = $2, since = $3, consecutive_failures = $4,
              last_probe_at = COALESCE($5, last_probe_at),
              last_latency_ms = CASE WHEN $5::timestamptz IS NULL THEN last_latency_ms ELSE $6 END,
              last_error_code = CASE WHEN $5::timestamptz IS NULL THEN COALESCE($7, last_error_code) ELSE $7 END,
              last_error = CASE WHEN $5::timestamptz IS NULL THEN COALESCE($8, last_error) ELSE $8 END,
              probe_lease_until = NULL
        WHERE link_id = $1`,
      [
        linkId,
        s.state,
        s.since,
        s.consecutiveFailures,
        probe?.at ?? null,
        probe?.latencyMs ?? null,
        probe?.errorCode ?? null,
        probe?.error ?? null,
      ],
    );
  }

  /** A state change not caused by a probe of this link (its agent went DOWN). */
  async updateWithoutProbe(
    q: SqlSession,
    linkId: string,
    s: { state: LinkState; since: Date; consecutiveFailures: number },
    code: string,
    error: string,
  ): Promise<void> {
    await q.query(
      `UPDATE link_health SET state = $2, since = $3, consecutive_failures = $4, last_error_code = $5, last_error = $6 WHERE link_id = $1`,
      [linkId, s.state, s.since, s.consecutiveFailures, code, error],
    );
  }

  /** Raw result plus its hourly rollup, in the caller's transaction. */
  async recordProbe(q: SqlSession, p: ProbeRecord): Promise<void> {
    await q.query(
      `INSERT INTO probe_results (link_id, district_id, probed_at, ok, latency_ms, error_code, error, via)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [p.linkId, p.districtId, p.at, p.ok, p.latencyMs, p.errorCode, p.error, p.via],
    );
    await q.query(
      `INSERT INTO probe_rollups (link_id, district_id, hour, probes, ok, latency_sum, latency_max)
       VALUES ($1, $2, date_trunc('hour', $3::timestamptz), 1, $4, COALESCE($5, 0), COALESCE($5, 0))
       ON CONFLICT (link_id, hour) DO UPDATE SET
         probes = probe_rollups.probes + 1,
         ok = probe_rollups.ok + EXCLUDED.ok,
         latency_sum = probe_rollups.latency_sum + EXCLUDED.latency_sum,
         latency_max = GREATEST(probe_rollups.latency_max, EXCLUDED.latency_max)`,
      [p.linkId, p.districtId, p.at, p.ok ? 1 : 0, p.latencyMs],
    );
  }

  /** Links reached through an agent, with their health rows (created when missing) locked. */
  async lockLinksOfAgent(q: SqlSession, agentId: string, now: Date): Promise<LinkHealthRow[]> {
    await q.query(
      `INSERT INTO link_health (link_id, district_id, state, since, next_probe_at)
       SELECT l.id, l.district_id, 'PENDING', $2, $2 FROM sis_links l WHERE l.agent_id = $1 AND l.enabled
       ON CONFLICT (link_id) DO NOTHING`,
      [agentId, now],
    );
    return q.query<LinkHealthRow>(
      `SELECT h.link_id, h.district_id, h.state, h.since, h.consecutive_failures, h.last_probe_at, h.last_latency_ms,
              h.last_error, h.last_error_code, l.name, l.transport, l.agent_id
         FROM link_health h JOIN sis_links l ON l.id = h.link_id
        WHERE l.agent_id = $1 AND l.transport = 'agent' AND l.enabled
        ORDER BY h.link_id FOR UPDATE OF h`,
      [agentId],
    );
  }

  /** The state of each of these links; a link never probed has no row (unknown, treated as reachable). */
  async states(linkIds: readonly string[]): Promise<Map<string, LinkState>> {
    if (linkIds.length === 0) return new Map();
    const rows = await this.sql.query<{ link_id: string; state: LinkState }>(
      `SELECT link_id, state FROM link_health WHERE link_id = ANY($1::uuid[])`,
      [linkIds],
    );
    return new Map(rows.map((r) => [r.link_id, r.state]));
  }

  listForDistricts(districtIds: string[] | null): Promise<LinkHealthRow[]> {
    return this.sql.query<LinkHealthRow>(
      `SELECT h.link_id, h.district_id, h.state, h.since, h.consecutive_failures, h.last_probe_at, h.last_latency_ms,
              h.last_error, h.last_error_code, l.name, l.transport, l.agent_id
         FROM link_health h JOIN sis_links l ON l.id = h.link_id
        WHERE $1::uuid[] IS NULL OR h.district_id = ANY($1)`,
      [districtIds],
    );
  }

  /** Share of good probes per link over 24 h / 7 d / 30 d, from the hourly rollups (hour granularity). */
  uptime(linkIds: string[], now: Date): Promise<UptimeRow[]> {
    if (linkIds.length === 0) return Promise.resolve([]);
    return this.sql.query<UptimeRow>(
      `SELECT link_id,
              (sum(ok) FILTER (WHERE hour > $2::timestamptz - interval '24 hours'))::float
                / NULLIF(sum(probes) FILTER (WHERE hour > $2::timestamptz - interval '24 hours'), 0) AS h24,
              (sum(ok) FILTER (WHERE hour > $2::timestamptz - interval '7 days'))::float
                / NULLIF(sum(probes) FILTER (WHERE hour > $2::timestamptz - interval '7 days'), 0) AS d7,
              sum(ok)::float / NULLIF(sum(probes), 0) AS d30
         FROM probe_rollups WHERE link_id = ANY($1) AND hour > $2::timestamptz - interval '30 days'
        GROUP BY link_id`,
      [linkIds, now],
    );
  }

  recentProbes(
    linkId: string,
    limit: number,
    q: SqlSession = this.sql,
  ): Promise<Array<{ probed_at: Date; ok: boolean; latency_ms: number | null; error_code: string | null }>> {
    return q.query(
      `SELECT probed_at, ok, latency_ms, error_code FROM probe_results WHERE link_id = $1 ORDER BY probed_at DESC LIMIT $2`,
      [linkId, limit],
    );
  }

  /** Keeps storage bounded: raw results for `rawHours`, hourly rollups for `rollupDays`. */
  async prune(now: Date, rawHours: number, rollupDays: number): Promise<void> {
    await this.sql.query(
      `DELETE FROM probe_results WHERE probed_at < $1::timestamptz - make_interval(hours => $2)`,
      [now, rawHours],
    );
    await this.sql.query(
      `DELETE FROM probe_rollups WHERE hour < $1::timestamptz - make_interval(days => $2)`,
      [now, rollupDays],
    );
  }
}
