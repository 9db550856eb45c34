import { Injectable } from '@nestjs/common';
import type { ResultsScope } from 'src/scorecards/results-scope';
import { Params } from 'src/scorecards/sql-params.util';
import type { ExclusionStatus } from 'src/scorecards/scorecards.types';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

export interface ExclusionRecord {
  id: string;
  districtId: string;
  ruleId: string;
  fingerprint: string;
  reason: string;
  status: ExclusionStatus;
  expiresAt: Date | null;
  createdAt: Date;
  createdBy: string | null;
  createdByEmail: string;
  decidedAt: Date | null;
  decidedByEmail: string | null;
  decisionNote: string | null;
}

interface ExclusionDbRow {
  id: string;
  district_id: string;
  rule_id: string;
  fingerprint: string;
  reason: string;
  status: ExclusionStatus;
  expires_at: Date | null;
  created_at: Date;
  created_by: string | null;
  created_by_email: string;
  decided_at: Date | null;
  decided_by_email: string | null;
  decision_note: string | null;
}

const toRecord = (r: ExclusionDbRow): ExclusionRecord => ({
  id: r.id,
  districtId: r.district_id,
  ruleId: r.rule_id,
  fingerprint: r.fingerprint,
  reason: r.reason,
  status: r.status,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  createdBy: r.created_by,
  createdByEmail: r.created_by_email,
  decidedAt: r.decided_at,
  decidedByEmail: r.decided_by_email,
  decisionNote: r.decision_note,
});

/** `expired` is not stored: an active exclusion whose expiry has passed no longer applies. */
const STATUS_SQL = `CASE WHEN e.status = 'active' AND e.expires_at IS NOT NULL AND e.expires_at <= now() THEN 'expired' ELSE e.status END`;
const COLUMNS = `e.id, e.district_id, e.rule_id, e.fingerprint, e.reason, ${STATUS_SQL} AS status, e.expires_at, e.created_at,
  e.created_by, e.created_by_email, e.decided_at, e.decided_by_email, e.decision_note`;

export interface NewExclusion {
  districtId: string;
  ruleId: string;
  fingerprint: string;
  reason: string;
  status: 'active' | 'proposed';
  expiresAt: Date | null;
  schoolId: string | null;
  studentId: string | null;
  programCode: string | null;
  programCodes: string[];
  actorId: string;
  actorEmail: string;
}

export interface AuditEntry {
  at: Date;
  actorEmail: string;
  action: string;
  note: string | null;
}

/** Exclusions and their audit trail; lists and lookups are restricted by the caller's ResultsScope. */
@Injectable()
export class ExclusionsRepository {
  constructor(private readonly sql: SqlRunner) {}

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.sql.transaction((m) => fn(m));
  }

  async list(scope: ResultsScope, status: ExclusionStatus | 'all'): Promise<ExclusionRecord[]> {
    const p = new Params();
    const where = [scope.exclusionSql('e', p)];
    if (status !== 'all') where.push(`${STATUS_SQL} = ${p.add(status)}`);
    const rows = await this.sql.query<ExclusionDbRow>(
      `SELECT ${COLUMNS} FROM exclusions e WHERE ${where.join(' AND ')} ORDER BY e.created_at DESC, e.id LIMIT 5000`,
      p.values,
    );
    return rows.map(toRecord);
  }

  async find(scope: ResultsScope, id: string, tx: SqlSession = this.sql): Promise<ExclusionRecord | null> {
    const p = new Params();
    const rows = await tx.query<ExclusionDbRow>(
      `SELECT ${COLUMNS} FROM exclusions e WHERE e.id = ${p.add(id)} AND ${scope.exclusionSql('e', p)}`,
      p.values,
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** An exclusion of this finding that is still pending or in force. */
  async openFor(tx: SqlSession, districtId: string, fingerprint: string): Promise<ExclusionRecord | null> {
    const rows = await tx.query<ExclusionDbRow>(
      `SELECT ${COLUMNS} FROM exclusions e
       WHERE e.district_id = $1 AND e.fingerprint = $2
         AND (e.status = 'proposed' OR (e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > now())))
       ORDER BY e.created_at LIMIT 1 FOR UPDATE`,
      [districtId, fingerprint],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Where the finding was last seen, if the caller may see it: school, student, programs. */
  async findingOf(
    scope: ResultsScope,
    fingerprint: string,
    ruleId: string,
  ): Promise<{
    schoolId: string | null;
    studentId: string | null;
    programCode: string | null;
    programCodes: string[];
  } | null> {
    const p = new Params();
    const rows = await this.sql.query<{
      school_id: string | null;
      student_id: string | null;
      program_code: string | null;
      program_codes: string[] | null;
    }>(
      `SELECT x.school_id, x.student_id, x.program_code, st.program_codes
       FROM rule_exceptions x
       LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id
       WHERE x.fingerprint = ${p.add(fingerprint)} AND x.rule_id = ${p.add(ruleId)} AND ${scope.exceptionSql('x', 'st', p)}
       ORDER BY x.id DESC LIMIT 1`,
      p.values,
    );
    const r = rows[0];
    return r
      ? {
          schoolId: r.school_id,
          studentId: r.student_id,
          programCode: r.program_code,
          programCodes: r.program_codes ?? [],
        }
      : null;
  }

  async insert(tx: SqlSession, n: NewExclusion): Promise<string> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO exclusions (district_id, rule_id, fingerprint, reason, status, expires_at, school_id, student_id,
                               program_code, program_codes, created_by, created_by_email)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        n.districtId,
        n.ruleId,
        n.fingerprint,
        n.reason,
        n.status,
        n.expiresAt,
        n.schoolId,
        n.studentId,
        n.programCode,
        n.programCodes,
        n.actorId,
        n.actorEmail,
      ],
    );
    return rows[0].id;
  }

  /** Moves an exclusion on from one of `from`; false when it was not in one of those states any more. */
  async setStatus(
    tx: SqlSession,
    districtId: string,
    id: string,
    from: string[],
    to: 'active' | 'rejected' | 'revoked',
    actorEmail: string,
    note: string | null,
  ): Promise<boolean> {
    const rows = await tx.query<{ id: string }>(
      `UPDATE exclusions SET status = $4, decided_at = now(), decided_by_email = $5, decision_note = $6
       WHERE id = $1 AND district_id = $2 AND status = ANY($3::text[]) RETURNING id`,
      [id, districtId, from, to, actorEmail, note],
    );
    return rows.length > 0;
  }

  async audit(
    tx: SqlSession,
    e: { id: string; districtId: string },
    actor: { id: string; email: string },
    action: string,
    note: string | null,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO exclusion_audit (exclusion_id, district_id, actor_user_id, actor_email, action, note)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [e.id, e.districtId, actor.id || null, actor.email, action, note],
    );
  }

  async auditTrail(districtId: string, exclusionId: string): Promise<AuditEntry[]> {
    const rows = await this.sql.query<{ at: Date; actor_email: string; action: string; note: string | null }>(
      `SELECT at, actor_email, action, note FROM exclusion_audit WHERE exclusion_id = $1 AND district_id = $2 ORDER BY id`,
      [exclusionId, districtId],
    );
    return rows.map((r) => ({ at: r.at, actorEmail: r.actor_email, action: r.action, note: r.note }));
  }
}
