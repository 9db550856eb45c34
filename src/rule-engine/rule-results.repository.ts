import { Injectable } from '@nestjs/common';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export type RuleStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skipped';

export interface RuleResultRow {
  evaluationId: string;
  districtId: string;
  snapshotId: string;
  ruleId: string;
  entity: string;
  severity: string;
  checked: number;
  failed: number;
  failedPercent: number;
  status: RuleStatus;
  error: string | null;
  durationMs: number;
}

export interface RuleExceptionRow {
  ruleId: string;
  entity: string;
  rowNo: number | null;
  sourceKey: string | null;
  recordKey: string;
  schoolId: string | null;
  studentId: string | null;
  programCode: string | null;
  values: Record<string, unknown>;
  fingerprint: string;
}

export interface FingerprintDelta {
  ruleId: string;
  /** Findings in the current evaluation that the previous one did not have. */
  new: number;
  persisting: number;
  /** Findings of the previous evaluation that are gone. */
  resolved: number;
}

export interface SnapshotInfo {
  id: string;
  districtId: string;
  linkId: string;
  asOf: string;
  previousSnapshotId: string | null;
}

/** rule_results / rule_exceptions and the snapshot facts an evaluation needs. Every query filters on the district. */
@Injectable()
export class RuleResultsRepository {
  constructor(private readonly sql: SqlRunner) {}

  /**
   * A rule batch's transaction. JIT is off: correlated sub-plans inflate the planner's cost of rule statements
   * past jit_above_cost, and compiling then took 0.6–1 s of a 0.8–1.3 s statement (auto_explain, 20k students).
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.sql.transaction(async (tx) => {
      await tx.query('SET LOCAL jit = off');
      return fn(tx);
    });
  }

  async snapshot(districtId: string, snapshotId: string): Promise<SnapshotInfo | null> {
    const rows = await this.sql.query<{
      id: string;
      district_id: string;
      link_id: string;
      as_of: string;
      previous: string | null;
    }>(
      `SELECT s.id, s.district_id, s.link_id, to_char(s.as_of, 'YYYY-MM-DD') AS as_of,
              (SELECT p.id FROM snapshots p
                WHERE p.link_id = s.link_id AND p.district_id = s.district_id AND p.status = 'complete'
                  AND p.id <> s.id AND p.created_at < s.created_at
                ORDER BY p.created_at DESC LIMIT 1) AS previous
       FROM snapshots s WHERE s.id = $1 AND s.district_id = $2`,
      [snapshotId, districtId],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          districtId: r.district_id,
          linkId: r.link_id,
          asOf: r.as_of,
          previousSnapshotId: r.previous,
        }
      : null;
  }

  /**
   * Serialises writers of one evaluation until the caller's transaction ends. Two attempts of a run can overlap
   * for a moment (a worker whose lease lapsed on a loaded machine has not yet noticed); without this their
   * clear-then-insert interleaves and the second insert fails on the (evaluation, rule) key. With it, the later
   * writer replaces what the earlier one wrote, which is the same data.
   */
  async lockEvaluation(tx: SqlSession, evaluationId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`evaluation:${evaluationId}`]);
  }

  /** Idempotency: what a (re)run of these rules in this evaluation wrote before goes, inside the caller's transaction. */
  async clear(tx: SqlSession, districtId: string, evaluationId: string, ruleIds: string[]): Promise<void> {
    await tx.query(
      `DELETE FROM rule_exceptions WHERE district_id = $1 AND evaluation_id = $2 AND rule_id = ANY($3::text[])`,
      [districtId, evaluationId, ruleIds],
    );
    await tx.query(
      `DELETE FROM rule_results WHERE district_id = $1 AND evaluation_id = $2 AND rule_id = ANY($3::text[])`,
      [districtId, evaluationId, ruleIds],
    );
  }

  async insertResults(tx: SqlSession, rows: RuleResultRow[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((r) => ({
      evaluation_id: r.evaluationId,
      district_id: r.districtId,
      snapshot_id: r.snapshotId,
      rule_id: r.ruleId,
      entity: r.entity,
      severity: r.severity,
      checked: r.checked,
      failed: r.failed,
      failed_percent: r.failedPercent,
      status: r.status,
      error: r.error,
      duration_ms: r.durationMs,
    }));
    await tx.query(
      `INSERT INTO rule_results (evaluation_id, district_id, snapshot_id, rule_id, entity, severity, checked, failed, failed_percent, status, error, duration_ms)
       SELECT r.evaluation_id, r.district_id, r.snapshot_id, r.rule_id, r.entity, r.severity, r.checked, r.failed, r.failed_percent, r.status, r.error, r.duration_ms
       FROM jsonb_to_recordset($1::jsonb) AS r(evaluation_id uuid, district_id uuid, snapshot_id uuid, rule_id text, entity text, severity text,
            checked bigint, failed bigint, failed_percent numeric, status text, error text, duration_ms int)`,
      [JSON.stringify(json)],
    );
  }

  async listResults(districtId: string, evaluationId: string): Promise<RuleResultRow[]> {
    const rows = await this.sql.query<{
      evaluation_id: string;
      district_id: string;
      snapshot_id: string;
      rule_id: string;
      entity: string;
      severity: string;
      checked: string;
      failed: string;
      failed_percent: string;
      status: RuleStatus;
      error: string | null;
      duration_ms: number;
    }>(
      `SELECT evaluation_id, district_id, snapshot_id, rule_id, entity, severity, checked, failed, failed_percent, status, error, duration_ms
       FROM rule_results WHERE district_id = $1 AND evaluation_id = $2 ORDER BY rule_id`,
      [districtId, evaluationId],
    );
    return rows.map((r) => ({
      evaluationId: r.evaluation_id,
      districtId: r.district_id,
      snapshotId: r.snapshot_id,
      ruleId: r.rule_id,
      entity: r.entity,
      severity: r.severity,
      checked: Number(r.checked),
      failed: Number(r.failed),
      failedPercent: Number(r.failed_percent),
      status: r.status,
      error: r.error,
      durationMs: r.duration_ms,
    }));
  }

  async listExceptions(
    districtId: string,
    evaluationId: string,
    opts: { ruleId?: string; limit?: number } = {},
    session: SqlSession = this.sql,
  ): Promise<RuleExceptionRow[]> {
    const rows = await session.query<{
      rule_id: string;
      entity: string;
      row_no: string | null;
      source_key: string | null;
      record_key: string;
      school_id: string | null;
      student_id: string | null;
      program_code: string | null;
      values: Record<string, unknown>;
      fingerprint: string;
    }>(
      `SELECT rule_id, entity, row_no, source_key, record_key, school_id, student_id, program_code, "values", fingerprint
       FROM rule_exceptions
       WHERE district_id = $1 AND evaluation_id = $2 AND ($3::text IS NULL OR rule_id = $3)
       ORDER BY rule_id, row_no NULLS LAST, record_key LIMIT $4`,
      [districtId, evaluationId, opts.ruleId ?? null, opts.limit ?? 10000],
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      entity: r.entity,
      rowNo: r.row_no === null ? null : Number(r.row_no),
      sourceKey: r.source_key,
      recordKey: r.record_key,
      schoolId: r.school_id,
      studentId: r.student_id,
      programCode: r.program_code,
      values: r.values,
      fingerprint: r.fingerprint,
    }));
  }

  /** New / persisting / resolved findings per rule between two evaluations of the district (distinct fingerprints). */
  async compareFingerprints(
    districtId: string,
    prevEvaluationId: string,
    evaluationId: string,
  ): Promise<FingerprintDelta[]> {
    const rows = await this.sql.query<{ rule_id: string; new: string; persisting: string; resolved: string }>(
      `WITH prev AS (SELECT DISTINCT rule_id, fingerprint FROM rule_exceptions WHERE district_id = $1 AND evaluation_id = $2),
            cur AS (SELECT DISTINCT rule_id, fingerprint FROM rule_exceptions WHERE district_id = $1 AND evaluation_id = $3)
       SELECT coalesce(cur.rule_id, prev.rule_id) AS rule_id,
              count(*) FILTER (WHERE prev.fingerprint IS NULL) AS new,
              count(*) FILTER (WHERE prev.fingerprint IS NOT NULL AND cur.fingerprint IS NOT NULL) AS persisting,
              count(*) FILTER (WHERE cur.fingerprint IS NULL) AS resolved
       FROM cur FULL JOIN prev ON prev.rule_id = cur.rule_id AND prev.fingerprint = cur.fingerprint
       GROUP BY 1 ORDER BY 1`,
      [districtId, prevEvaluationId, evaluationId],
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      new: Number(r.new),
      persisting: Number(r.persisting),
      resolved: Number(r.resolved),
    }));
  }
}
