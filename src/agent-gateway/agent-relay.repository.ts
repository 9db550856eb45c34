import { Injectable } from '@nestjs/common';
import type { ExtractReport } from 'src/runs/run-pipeline.ports';
import { leaseEnd, leaseExpired, leaseHeld } from 'src/database/lease';
import { SqlRunner } from 'src/database/sql-runner';

export type RelayStatus = 'pending' | 'running' | 'done' | 'failed';

export interface RelayRequest {
  snapshotId: string;
  districtId: string;
  runId: string | null;
  linkId: string;
  agentId: string;
  schoolYear: number;
  asOf: string;
  /** The run's comparison window (school years); null = the district's. */
  windowYears: number | null;
  status: RelayStatus;
  claimedBy: string | null;
  leaseValid: boolean;
  attempts: number;
  progress: { fraction: number; message: string | null } | null;
  report: ExtractReport | null;
  errorCode: string | null;
  error: string | null;
}

interface RelayRow {
  snapshot_id: string;
  district_id: string;
  run_id: string | null;
  link_id: string;
  agent_id: string;
  school_year: number;
  as_of: string;
  comparison_years: number | null;
  status: RelayStatus;
  claimed_by: string | null;
  lease_valid: boolean;
  attempts: number;
  progress: RelayRequest['progress'];
  report: RelayRequest['report'];
  error_code: string | null;
  error: string | null;
}

const COLUMNS = `snapshot_id, district_id, run_id, link_id, agent_id, school_year, to_char(as_of, 'YYYY-MM-DD') AS as_of, comparison_years, status,
  claimed_by, COALESCE(${leaseHeld('lease_until')}, false) AS lease_valid, attempts, progress, report, error_code, error`;

const toRequest = (r: RelayRow): RelayRequest => ({
  snapshotId: r.snapshot_id,
  districtId: r.district_id,
  runId: r.run_id,
  linkId: r.link_id,
  agentId: r.agent_id,
  schoolYear: r.school_year,
  asOf: r.as_of,
  windowYears: r.comparison_years,
  status: r.status,
  claimedBy: r.claimed_by,
  leaseValid: r.lease_valid,
  attempts: r.attempts,
  progress: r.progress,
  report: r.report,
  errorCode: r.error_code,
  error: r.error,
});

/**
 * Extraction requests for agent links between service instances (table agent_extract_requests). One request
 * per snapshot; claims are leases, so a request whose holder died is claimed again by whichever instance the
 * agent is connected to next, and the extraction resumes from its per-entity checkpoints.
 */
@Injectable()
export class AgentRelayRepository {
  constructor(private readonly sql: SqlRunner) {}

  /**
   * Asks for the extraction of a snapshot. A request that failed earlier (a previous attempt of the run) is
   * asked again; one that is pending, running or done is left as it is.
   */
  async request(r: {
    snapshotId: string;
    districtId: string;
    runId: string | null;
    linkId: string;
    agentId: string;
    schoolYear: number;
    asOf: string;
    windowYears?: number | null;
  }): Promise<void> {
    await this.sql.query(
      `INSERT INTO agent_extract_requests (snapshot_id, district_id, run_id, link_id, agent_id, school_year, as_of,
         comparison_years)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (snapshot_id) DO UPDATE SET status = 'pending', agent_id = EXCLUDED.agent_id, claimed_by = NULL, lease_until = NULL,
         error_code = NULL, error = NULL, updated_at = now()
       WHERE agent_extract_requests.status = 'failed'`,
      [r.snapshotId, r.districtId, r.runId, r.linkId, r.agentId, r.schoolYear, r.asOf, r.windowYears ?? null],
    );
  }

  async find(snapshotId: string): Promise<RelayRequest | null> {
    const rows: RelayRow[] = await this.sql.query(
      `SELECT ${COLUMNS} FROM agent_extract_requests WHERE snapshot_id = $1`,
      [snapshotId],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** Claims one waiting (or abandoned) request for an agent connected to this instance. */
  async claim(agentIds: string[], instanceId: string, leaseMs: number): Promise<RelayRequest | null> {
    if (agentIds.length === 0) return null;
    const rows = await this.sql.query<RelayRow>(
      `UPDATE agent_extract_requests SET status = 'running', claimed_by = $2, lease_until = ${leaseEnd('now()', '$3')},
              attempts = attempts + 1, updated_at = now()
        WHERE snapshot_id = (
          SELECT snapshot_id FROM agent_extract_requests
           WHERE agent_id = ANY($1::uuid[]) AND (status = 'pending' OR (status = 'running' AND ${leaseExpired('lease_until')}))
           ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING ${COLUMNS}`,
      [agentIds, instanceId, leaseMs],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** Extends the holder's lease and records progress; false when the request is no longer this instance's. */
  async renew(
    snapshotId: string,
    instanceId: string,
    leaseMs: number,
    progress: RelayRequest['progress'],
  ): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE agent_extract_requests SET lease_until = ${leaseEnd('now()', '$3')}, progress = COALESCE($4::jsonb, progress), updated_at = now()
        WHERE snapshot_id = $1 AND claimed_by = $2 AND status = 'running' RETURNING 1`,
      [snapshotId, instanceId, leaseMs, progress ? JSON.stringify(progress) : null],
    );
    return rows.length > 0;
  }

  async finish(
    snapshotId: string,
    instanceId: string,
    report: NonNullable<RelayRequest['report']>,
  ): Promise<void> {
    await this.sql.query(
      `UPDATE agent_extract_requests SET status = 'done', report = $3, lease_until = NULL, updated_at = now()
        WHERE snapshot_id = $1 AND claimed_by = $2 AND status = 'running'`,
      [snapshotId, instanceId, JSON.stringify(report)],
    );
  }

  async fail(snapshotId: string, instanceId: string, code: string, error: string): Promise<void> {
    await this.sql.query(
      `UPDATE agent_extract_requests SET status = 'failed', error_code = $3, error = $4, lease_until = NULL, updated_at = now()
        WHERE snapshot_id = $1 AND claimed_by = $2 AND status = 'running'`,
      [snapshotId, instanceId, code, error],
    );
  }

  /**
   * Gives up on a request nobody claimed (the agent is connected to no instance): only while it is still
   * unclaimed or abandoned, so a claim that just happened wins. Returns whether it was given up.
   */
  async abandon(snapshotId: string, error: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE agent_extract_requests SET status = 'failed', error_code = 'UNREACHABLE', error = $2, claimed_by = NULL, lease_until = NULL, updated_at = now()
        WHERE snapshot_id = $1 AND (status = 'pending' OR (status = 'running' AND ${leaseExpired('lease_until')})) RETURNING 1`,
      [snapshotId, error],
    );
    return rows.length > 0;
  }
}
