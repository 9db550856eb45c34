import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import type { Severity } from 'src/rule-engine/rule.types';
import type { ResultsScope } from 'src/scorecards/results-scope';
import { Params } from 'src/scorecards/sql-params.util';
import type {
  DistributionBy,
  EvaluationRef,
  ExceptionFilter,
  ExceptionRow,
  ExceptionSort,
  RuleResultFacts,
  RuleScopeCounts,
  Side,
} from 'src/scorecards/scorecards.types';
import { SqlRunner } from 'src/database/sql-runner';
import { asError } from 'src/common/error-text.util';

interface EvaluationDbRow {
  evaluation_id: string;
  district_id: string;
  run_id: string;
  side: Side;
  link_id: string | null;
  snapshot_id: string;
  previous_evaluation_id: string | null;
  as_of: string;
  students: string;
  evaluated_at: Date;
}

const toEvaluation = (r: EvaluationDbRow): EvaluationRef => ({
  evaluationId: r.evaluation_id,
  districtId: r.district_id,
  runId: r.run_id,
  side: r.side,
  linkId: r.link_id,
  snapshotId: r.snapshot_id,
  previousEvaluationId: r.previous_evaluation_id,
  asOf: r.as_of,
  students: Number(r.students),
  evaluatedAt: r.evaluated_at,
});

const EVALUATION_COLUMNS = `e.evaluation_id, e.district_id, e.run_id, e.side, e.link_id, e.snapshot_id, e.previous_evaluation_id,
  to_char(e.as_of, 'YYYY-MM-DD') AS as_of, e.students, e.evaluated_at`;

interface ExceptionDbRow {
  id: string;
  fingerprint: string;
  rule_id: string;
  severity: Severity;
  entity: string;
  is_new: boolean;
  exclusion_id: string | null;
  exclusion_reason: string | null;
  exclusion_expires_at: Date | null;
  exclusion_by: string | null;
  student_id: string | null;
  state_student_id: string | null;
  last_name: string | null;
  first_name: string | null;
  grade: string | null;
  school_id: string | null;
  school_name: string | null;
  program_code: string | null;
  source_key: string | null;
  values: Record<string, unknown>;
}

export const toExceptionRow = (r: ExceptionDbRow): ExceptionRow => ({
  id: String(r.id),
  fingerprint: r.fingerprint,
  ruleId: r.rule_id,
  severity: r.severity,
  entity: r.entity,
  isNew: r.is_new,
  exclusionId: r.exclusion_id,
  exclusion:
    r.exclusion_id === null
      ? null
      : {
          reason: r.exclusion_reason ?? '',
          expiresAt: r.exclusion_expires_at,
          createdByEmail: r.exclusion_by ?? '',
        },
  studentId: r.student_id,
  stateStudentId: r.state_student_id,
  lastName: r.last_name,
  firstName: r.first_name,
  grade: r.grade,
  schoolId: r.school_id,
  schoolName: r.school_name,
  programCode: r.program_code,
  sourceKey: r.source_key,
  values: r.values,
});

const SORTS: Record<ExceptionSort, (dir: string) => string> = {
  rule: (d) => `x.rule_id ${d}, x.id ${d}`,
  school: (d) => `x.school_id ${d} NULLS LAST, x.rule_id, x.id`,
  grade: (d) => `st.grade ${d} NULLS LAST, x.rule_id, x.id`,
  student: (d) =>
    `st.last_name ${d} NULLS LAST, st.first_name ${d} NULLS LAST, x.student_id ${d} NULLS LAST, x.id`,
  severity: (d) => `CASE r.severity WHEN 'fatal' THEN 0 WHEN 'error' THEN 1 ELSE 2 END ${d}, x.rule_id, x.id`,
};

/** A small pg pool of its own for CSV exports: each streams from a server-side cursor on one connection. */
export const SCORECARDS_POOL = Symbol('SCORECARDS_POOL');

export interface ExceptionQuery {
  evaluation: EvaluationRef;
  scope: ResultsScope;
  filter: ExceptionFilter;
  sort: ExceptionSort;
  order: 'asc' | 'desc';
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Read side of the scorecards. Every statement is restricted by ResultsScope's SQL predicate (district, schools,
 * programs, rule audience); exclusions count as active while status = 'active' and expires_at is in the future.
 */
@Injectable()
export class ScorecardsRepository {
  constructor(
    private readonly sql: SqlRunner,
    @Inject(SCORECARDS_POOL) private readonly pool: Pool,
  ) {}

  private rows<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
    return this.sql.query<T>(sql, params);
  }

  async district(districtId: string): Promise<{ id: string; name: string; state: string } | null> {
    const rows = await this.rows<{ id: string; name: string; state: string }>(
      `SELECT id, name, state FROM districts WHERE id = $1`,
      [districtId],
    );
    return rows[0] ?? null;
  }

  /** `current` when the district has a current link (or no link at all), else `new` (a migration). */
  async defaultSide(districtId: string): Promise<Side> {
    const rows = await this.rows<{ role: string }>(
      `SELECT DISTINCT role FROM sis_links WHERE district_id = $1 AND enabled`,
      [districtId],
    );
    const roles = rows.map((r) => r.role);
    return roles.includes('current') || !roles.includes('new') ? 'current' : 'new';
  }

  /** The run's evaluation of `side`, or the latest evaluated one. */
  async evaluation(districtId: string, side: Side, runId?: string): Promise<EvaluationRef | null> {
    const rows = await this.rows<EvaluationDbRow>(
      `SELECT ${EVALUATION_COLUMNS} FROM scorecard_evaluations e JOIN runs r ON r.id = e.run_id
       WHERE e.district_id = $1 AND e.side = $2 AND ($3::uuid IS NULL OR e.run_id = $3)
       ORDER BY r.created_at DESC LIMIT 1`,
      [districtId, side, runId ?? null],
    );
    return rows[0] ? toEvaluation(rows[0]) : null;
  }

  /** Up to `limit` evaluations of the side up to and including `last`, oldest first. */
  async history(last: EvaluationRef, limit: number): Promise<EvaluationRef[]> {
    const rows = await this.rows<EvaluationDbRow>(
      `SELECT * FROM (
         SELECT ${EVALUATION_COLUMNS}, r.created_at AS run_created FROM scorecard_evaluations e JOIN runs r ON r.id = e.run_id
         WHERE e.district_id = $1 AND e.side = $2
           AND r.created_at <= (SELECT created_at FROM runs WHERE id = $3)
         ORDER BY r.created_at DESC LIMIT $4) h
       ORDER BY run_created`,
      [last.districtId, last.side, last.runId, limit],
    );
    return rows.map(toEvaluation);
  }

  /** The run's sides (run_sides) with their outcome, and whether the scorecards captured each evaluation. */
  async runSides(
    districtId: string,
    runId: string,
  ): Promise<
    Array<{
      side: Side;
      linkId: string | null;
      linkName: string | null;
      evaluated: boolean;
      status: string;
      reason: string | null;
      runStatus: string;
      runError: string | null;
    }>
  > {
    const rows = await this.rows<{
      side: Side;
      link_id: string | null;
      link_name: string | null;
      evaluated: boolean;
      status: string;
      reason: string | null;
      run_status: string;
      run_error: string | null;
    }>(
      `SELECT s.side, s.link_id, l.name AS link_name, s.status, s.reason, r.status AS run_status, r.error AS run_error,
              EXISTS (SELECT 1 FROM scorecard_evaluations e WHERE e.run_id = r.id AND e.side = s.side) AS evaluated
       FROM runs r JOIN run_sides s ON s.run_id = r.id
       LEFT JOIN sis_links l ON l.id = s.link_id
       WHERE r.id = $1 AND r.district_id = $2
       ORDER BY CASE s.side WHEN 'current' THEN 0 WHEN 'old' THEN 1 ELSE 2 END`,
      [runId, districtId],
    );
    return rows.map((r) => ({
      side: r.side,
      linkId: r.link_id,
      linkName: r.link_name,
      evaluated: r.evaluated,
      status: r.status,
      reason: r.reason,
      runStatus: r.run_status,
      runError: r.run_error,
    }));
  }

  async ruleResults(
    evaluationIds: string[],
    scope: ResultsScope,
  ): Promise<Array<RuleResultFacts & { evaluationId: string }>> {
    const p = new Params();
    const ids = p.add(evaluationIds);
    const district = p.add(scope.districtId);
    const rows = await this.rows<{
      evaluation_id: string;
      rule_id: string;
      severity: Severity;
      entity: string;
      checked: string;
      failed: string;
      status: RuleResultFacts['status'];
    }>(
      `SELECT evaluation_id, rule_id, severity, entity, checked, failed, status FROM rule_results rr
       WHERE rr.evaluation_id = ANY(${ids}::uuid[]) AND rr.district_id = ${district} AND ${scope.ruleSql('rr.rule_id', p)}`,
      p.values,
    );
    return rows.map((r) => ({
      evaluationId: r.evaluation_id,
      ruleId: r.rule_id,
      severity: r.severity,
      entity: r.entity,
      checked: Number(r.checked),
      failed: Number(r.failed),
      status: r.status,
    }));
  }

  /** Students in the district and in the scope's schools / programs, per evaluation (the share of `checked`). */
  async population(
    evaluationIds: string[],
    scope: ResultsScope,
  ): Promise<
    Map<
      string,
      { total: number; inScope: number; schools: Map<string, { name: string | null; students: number }> }
    >
  > {
    const rows = await this.rows<{
      evaluation_id: string;
      students: string;
      kind: string | null;
      code: string | null;
      name: string | null;
      n: string | null;
    }>(
      `SELECT e.evaluation_id, e.students, p.kind, p.code, p.name, p.students AS n
       FROM scorecard_evaluations e LEFT JOIN scorecard_population p ON p.evaluation_id = e.evaluation_id
       WHERE e.evaluation_id = ANY($1::uuid[]) AND e.district_id = $2`,
      [evaluationIds, scope.districtId],
    );
    const out = new Map<
      string,
      { total: number; inScope: number; schools: Map<string, { name: string | null; students: number }> }
    >();
    for (const r of rows) {
      let e = out.get(r.evaluation_id);
      if (!e) {
        const total = Number(r.students);
        e = { total, inScope: scope.schoolIds || scope.programCodes ? 0 : total, schools: new Map() };
        out.set(r.evaluation_id, e);
      }
      if (r.kind === 'school' && r.code !== null) {
        e.schools.set(r.code, { name: r.name, students: Number(r.n) });
        if (scope.schoolIds?.includes(r.code)) e.inScope += Number(r.n);
      }
      if (r.kind === 'program' && r.code !== null && scope.programCodes?.includes(r.code))
        e.inScope += Number(r.n);
    }
    for (const e of out.values()) e.inScope = Math.min(e.inScope, e.total);
    return out;
  }

  private activeExclusionsCte(p: Params, districtId: string): string {
    return `ax AS (SELECT DISTINCT ON (fingerprint) fingerprint, id FROM exclusions
                   WHERE district_id = ${p.add(districtId)} AND status = 'active' AND (expires_at IS NULL OR expires_at > now())
                   ORDER BY fingerprint, created_at)`;
  }

  /** SELECT of the active exclusions of finding `x` (ix_exclusions_district_fingerprint). */
  private activeExclusionOf(p: Params, districtId: string): string {
    return `SELECT ex.id, ex.reason, ex.expires_at, ex.created_by_email FROM exclusions ex
             WHERE ex.district_id = ${p.add(districtId)} AND ex.fingerprint = x.fingerprint AND ex.status = 'active'
               AND (ex.expires_at IS NULL OR ex.expires_at > now())`;
  }

  private previousCte(p: Params, e: EvaluationRef): string {
    return e.previousEvaluationId
      ? `prev AS (SELECT DISTINCT fingerprint FROM rule_exceptions WHERE evaluation_id = ${p.add(e.previousEvaluationId)} AND district_id = ${p.add(e.districtId)})`
      : `prev AS (SELECT NULL::text AS fingerprint WHERE false)`;
  }

  /**
   * Findings of the evaluation in scope per rule and school: failed, excluded, new, persisting (open ones).
   * District and school scopes read the counts captured with the evaluation and subtract what active exclusions
   * cover (a join of the few excluded fingerprints, not a scan of the evaluation's findings); program scope
   * needs each finding's student and counts live.
   */
  async scopeCounts(e: EvaluationRef, scope: ResultsScope): Promise<RuleScopeCounts[]> {
    if (!scope.needsStudents) return this.capturedScopeCounts(e, scope);
    const p = new Params();
    const ctes = [this.activeExclusionsCte(p, e.districtId), this.previousCte(p, e)];
    const students = scope.needsStudents
      ? `LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id`
      : '';
    const rows = await this.rows<{
      rule_id: string;
      school_id: string | null;
      failed: string;
      excluded: string;
      new: string;
      persisting: string;
    }>(
      `WITH ${ctes.join(', ')}
       SELECT x.rule_id, x.school_id, count(*) FILTER (WHERE ax.id IS NULL) AS failed,
              count(*) FILTER (WHERE ax.id IS NOT NULL) AS excluded,
              count(*) FILTER (WHERE ax.id IS NULL AND prev.fingerprint IS NULL) AS new,
              count(*) FILTER (WHERE ax.id IS NULL AND prev.fingerprint IS NOT NULL) AS persisting
       FROM rule_exceptions x ${students}
       LEFT JOIN ax ON ax.fingerprint = x.fingerprint
       LEFT JOIN prev ON prev.fingerprint = x.fingerprint
       WHERE x.evaluation_id = ${p.add(e.evaluationId)} AND ${scope.exceptionSql('x', 'st', p)}
       GROUP BY x.rule_id, x.school_id`,
      p.values,
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      schoolId: r.school_id,
      failed: Number(r.failed),
      excluded: Number(r.excluded),
      new: Number(r.new),
      persisting: Number(r.persisting),
    }));
  }

  /** Findings of the previous evaluation (in scope, not excluded now) that this evaluation no longer has, per rule. */
  async resolved(e: EvaluationRef, scope: ResultsScope): Promise<Map<string, number>> {
    if (!e.previousEvaluationId) return new Map();
    if (!scope.needsStudents) return this.capturedResolved(e, e.previousEvaluationId, scope);
    const p = new Params();
    const ax = this.activeExclusionsCte(p, e.districtId);
    const students = scope.needsStudents
      ? `LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id`
      : '';
    const rows = await this.rows<{ rule_id: string; n: string }>(
      `WITH ${ax}, cur AS (SELECT DISTINCT fingerprint FROM rule_exceptions WHERE evaluation_id = ${p.add(e.evaluationId)} AND district_id = ${p.add(e.districtId)})
       SELECT x.rule_id, count(DISTINCT x.fingerprint) AS n
       FROM rule_exceptions x ${students}
       LEFT JOIN cur ON cur.fingerprint = x.fingerprint
       LEFT JOIN ax ON ax.fingerprint = x.fingerprint
       WHERE x.evaluation_id = ${p.add(e.previousEvaluationId)} AND cur.fingerprint IS NULL AND ax.id IS NULL
         AND ${scope.exceptionSql('x', 'st', p)}
       GROUP BY x.rule_id`,
      p.values,
    );
    return new Map(rows.map((r) => [r.rule_id, Number(r.n)]));
  }

  private async capturedScopeCounts(e: EvaluationRef, scope: ResultsScope): Promise<RuleScopeCounts[]> {
    const p = new Params();
    const ax = this.activeExclusionsCte(p, e.districtId);
    const ev = p.add(e.evaluationId);
    const isNew = e.previousEvaluationId
      ? `NOT EXISTS (SELECT 1 FROM rule_exceptions o WHERE o.evaluation_id = ${p.add(e.previousEvaluationId)} AND o.fingerprint = x.fingerprint)`
      : 'TRUE';
    const rows = await this.rows<{
      rule_id: string;
      school_id: string;
      failed: string;
      excluded: string;
      new: string;
      persisting: string;
    }>(
      `WITH ${ax},
       ex AS (SELECT x.rule_id, coalesce(x.school_id, '') AS school_id, count(*) AS n,
                     count(*) FILTER (WHERE ${isNew}) AS n_new
                FROM ax JOIN rule_exceptions x ON x.evaluation_id = ${ev} AND x.fingerprint = ax.fingerprint
               WHERE ${scope.exceptionSql('x', 'st', p)}
               GROUP BY 1, 2)
       SELECT c.rule_id, c.school_id, c.failed - coalesce(ex.n, 0) AS failed, coalesce(ex.n, 0) AS excluded,
              c."new" - coalesce(ex.n_new, 0) AS new,
              (c.failed - c."new") - (coalesce(ex.n, 0) - coalesce(ex.n_new, 0)) AS persisting
       FROM scorecard_counts c LEFT JOIN ex ON ex.rule_id = c.rule_id AND ex.school_id = c.school_id
       WHERE c.evaluation_id = ${ev} AND c.failed > 0 AND ${scope.ruleSql('c.rule_id', p)} AND ${scope.schoolSql('c.school_id', p)}`,
      p.values,
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      schoolId: r.school_id === '' ? null : r.school_id,
      failed: Number(r.failed),
      excluded: Number(r.excluded),
      new: Number(r.new),
      persisting: Number(r.persisting),
    }));
  }

  private async capturedResolved(
    e: EvaluationRef,
    previousId: string,
    scope: ResultsScope,
  ): Promise<Map<string, number>> {
    const p = new Params();
    const ax = this.activeExclusionsCte(p, e.districtId);
    const ev = p.add(e.evaluationId);
    const prev = p.add(previousId);
    const rows = await this.rows<{ rule_id: string; n: string }>(
      `WITH ${ax},
       ex AS (SELECT x.rule_id, count(DISTINCT x.fingerprint) AS n
                FROM ax JOIN rule_exceptions x ON x.evaluation_id = ${prev} AND x.fingerprint = ax.fingerprint
               WHERE ${scope.exceptionSql('x', 'st', p)}
                 AND NOT EXISTS (SELECT 1 FROM rule_exceptions o WHERE o.evaluation_id = ${ev} AND o.fingerprint = x.fingerprint)
               GROUP BY 1),
       c AS (SELECT c.rule_id, sum(c.resolved) AS n FROM scorecard_counts c
              WHERE c.evaluation_id = ${ev} AND c.resolved > 0 AND ${scope.ruleSql('c.rule_id', p)}
                AND ${scope.schoolSql('c.school_id', p)}
              GROUP BY 1)
       SELECT c.rule_id, c.n - coalesce(ex.n, 0) AS n FROM c LEFT JOIN ex ON ex.rule_id = c.rule_id`,
      p.values,
    );
    return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.rule_id, Number(r.n)]));
  }

  /**
   * Open and excluded findings per (evaluation, rule) in scope. District and school scopes read the per-school
   * counts captured with each evaluation and subtract what active exclusions cover; program scope counts live.
   */
  async trendCounts(
    evaluationIds: string[],
    scope: ResultsScope,
  ): Promise<Array<{ evaluationId: string; ruleId: string; failed: number; excluded: number }>> {
    const p = new Params();
    const ids = p.add(evaluationIds);
    let sql: string;
    if (scope.needsStudents) {
      const ax = this.activeExclusionsCte(p, scope.districtId);
      sql = `WITH ${ax}
        SELECT x.evaluation_id, x.rule_id, count(*) FILTER (WHERE ax.id IS NULL) AS failed,
               count(*) FILTER (WHERE ax.id IS NOT NULL) AS excluded
        FROM rule_exceptions x
        LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id
        LEFT JOIN ax ON ax.fingerprint = x.fingerprint
        WHERE x.evaluation_id = ANY(${ids}::uuid[]) AND ${scope.exceptionSql('x', 'st', p)}
        GROUP BY x.evaluation_id, x.rule_id`;
    } else {
      const district = p.add(scope.districtId);
      const rules = scope.ruleSql('c.rule_id', p);
      const schools = scope.schoolSql('c.school_id', p);
      const xRules = scope.ruleSql('x.rule_id', p);
      const xSchools = scope.schoolSql('x.school_id', p);
      sql = `WITH c AS (
          SELECT c.evaluation_id, c.rule_id, sum(c.failed) AS n FROM scorecard_counts c
          JOIN scorecard_evaluations e ON e.evaluation_id = c.evaluation_id AND e.district_id = ${district}
          WHERE c.evaluation_id = ANY(${ids}::uuid[]) AND ${rules} AND ${schools}
          GROUP BY c.evaluation_id, c.rule_id),
        ex AS (
          SELECT x.evaluation_id, x.rule_id, count(*) AS n
          FROM (SELECT DISTINCT fingerprint FROM exclusions WHERE district_id = ${district} AND status = 'active'
                  AND (expires_at IS NULL OR expires_at > now())) a
          JOIN rule_exceptions x ON x.district_id = ${district} AND x.fingerprint = a.fingerprint
          WHERE x.evaluation_id = ANY(${ids}::uuid[]) AND ${xRules} AND ${xSchools}
          GROUP BY x.evaluation_id, x.rule_id)
        SELECT c.evaluation_id, c.rule_id, c.n - coalesce(ex.n, 0) AS failed, coalesce(ex.n, 0) AS excluded
        FROM c LEFT JOIN ex ON ex.evaluation_id = c.evaluation_id AND ex.rule_id = c.rule_id`;
    }
    const rows = await this.rows<{
      evaluation_id: string;
      rule_id: string;
      failed: string;
      excluded: string;
    }>(sql, p.values);
    return rows.map((r) => ({
      evaluationId: r.evaluation_id,
      ruleId: r.rule_id,
      failed: Number(r.failed),
      excluded: Number(r.excluded),
    }));
  }

  /**
   * The filtered findings of an exceptions list: FROM and WHERE over rule_exceptions `x`, joining only what the
   * filters and the sort read (rule_results `r`, scorecard_students `st`, the previous evaluation's fingerprints
   * `prev`). Shared by the page, its total and the CSV export.
   */
  private filteredSql(q: ExceptionQuery, p: Params): { ctes: string[]; from: string; where: string } {
    const { evaluation: e, scope, filter: f } = q;
    const ctes: string[] = [];
    const needsRule = !!f.severity || q.sort === 'severity';
    const needsStudent =
      scope.needsStudents || !!f.grade || !!f.q || q.sort === 'grade' || q.sort === 'student';
    const needsPrev = f.state === 'new' || f.state === 'persisting';
    if (needsPrev) ctes.push(this.previousCte(p, e));
    const where = [`x.evaluation_id = ${p.add(e.evaluationId)}`, scope.exceptionSql('x', 'st', p)];
    if (f.ruleId) where.push(`x.rule_id = ${p.add(f.ruleId)}`);
    if (f.schoolId) where.push(`x.school_id = ${p.add(f.schoolId)}`);
    if (f.grade) where.push(`st.grade = ${p.add(f.grade)}`);
    if (f.severity) where.push(`r.severity = ${p.add(f.severity)}`);
    if (f.state === 'new') where.push(`prev.fingerprint IS NULL`);
    if (f.state === 'persisting') where.push(`prev.fingerprint IS NOT NULL`);
    // EXISTS, not a join to the exclusions: the planner estimates an anti-join well and reads the list's index in
    // order, stopping after a page.
    if (f.excluded === 'exclude') where.push(`NOT EXISTS (${this.activeExclusionOf(p, e.districtId)})`);
    if (f.excluded === 'only') where.push(`EXISTS (${this.activeExclusionOf(p, e.districtId)})`);
    if (f.fingerprints) where.push(`x.fingerprint = ANY(${p.add(f.fingerprints)}::text[])`);
    if (f.q) {
      const like = p.add(likePattern(f.q));
      where.push(
        `(st.last_name ILIKE ${like} OR st.first_name ILIKE ${like} OR x.student_id ILIKE ${like}
          OR st.state_student_id ILIKE ${like} OR x.source_key ILIKE ${like})`,
      );
    }
    const from = [
      'rule_exceptions x',
      needsRule ? 'JOIN rule_results r ON r.evaluation_id = x.evaluation_id AND r.rule_id = x.rule_id' : '',
      needsStudent
        ? 'LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id'
        : '',
      needsPrev ? 'LEFT JOIN prev ON prev.fingerprint = x.fingerprint' : '',
    ]
      .filter(Boolean)
      .join('\n      ');
    return { ctes, from, where: where.join(' AND ') };
  }

  /**
   * The SELECT of an exceptions list, in list order: the filtered findings are sorted (and cut to a page) first,
   * and only those rows are joined to the student, school, severity and previous evaluation they show — the first
   * page of a large evaluation reads 50 entries of an index in list order, not every finding.
   */
  exceptionsSql(q: ExceptionQuery, p: Params, page?: { limit: number; offset: number }): string {
    const { evaluation: e } = q;
    const f = this.filteredSql(q, p);
    const order = SORTS[q.sort](q.order === 'desc' ? 'DESC' : 'ASC');
    const cut = page ? `LIMIT ${p.add(page.limit)} OFFSET ${p.add(page.offset)}` : '';
    const isNew = e.previousEvaluationId
      ? `NOT EXISTS (SELECT 1 FROM rule_exceptions o WHERE o.evaluation_id = ${p.add(e.previousEvaluationId)} AND o.fingerprint = x.fingerprint)`
      : 'TRUE';
    const exclusion = `LEFT JOIN LATERAL (${this.activeExclusionOf(p, e.districtId)} ORDER BY ex.created_at LIMIT 1) ax ON TRUE`;
    return `${f.ctes.length ? `WITH ${f.ctes.join(', ')}` : ''}
      SELECT x.id, x.fingerprint, x.rule_id, r.severity, x.entity, ${isNew} AS is_new,
             ax.id AS exclusion_id, ax.reason AS exclusion_reason, ax.expires_at AS exclusion_expires_at,
             ax.created_by_email AS exclusion_by, x.student_id, st.state_student_id, st.last_name, st.first_name, st.grade,
             x.school_id, sp.name AS school_name, x.program_code, x.source_key, x."values"
      FROM (SELECT x.id, x.evaluation_id, x.fingerprint, x.rule_id, x.entity, x.student_id,
                   x.school_id, x.program_code, x.source_key, x."values"
            FROM ${f.from}
            WHERE ${f.where}
            ORDER BY ${order} ${cut}) x
      JOIN rule_results r ON r.evaluation_id = x.evaluation_id AND r.rule_id = x.rule_id
      LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id
      LEFT JOIN scorecard_population sp ON sp.evaluation_id = x.evaluation_id AND sp.kind = 'school' AND sp.code = x.school_id
      ${exclusion}
      ORDER BY ${order}`;
  }

  async exceptions(
    q: ExceptionQuery,
    limit: number,
    offset: number,
  ): Promise<{ total: number; rows: ExceptionRow[] }> {
    const p = new Params();
    const select = this.exceptionsSql(q, p, { limit, offset });
    const c = new Params();
    const f = this.filteredSql(q, c);
    const [rows, count] = await Promise.all([
      this.rows<ExceptionDbRow>(select, p.values),
      this.rows<{ n: string }>(
        `${f.ctes.length ? `WITH ${f.ctes.join(', ')}` : ''} SELECT count(*) AS n FROM ${f.from} WHERE ${f.where}`,
        c.values,
      ),
    ]);
    return { total: Number(count[0].n), rows: rows.map(toExceptionRow) };
  }

  /** Every row of an exceptions list, read from a cursor `batch` rows at a time (flat memory for any size). */
  async *streamExceptions(q: ExceptionQuery, batch = 1000): AsyncGenerator<ExceptionRow> {
    const p = new Params();
    const sql = this.exceptionsSql(q, p);
    const client = await this.pool.connect();
    let failed: Error | undefined;
    const cursor = client.query(new Cursor<ExceptionDbRow>(sql, p.values));
    try {
      for (;;) {
        const rows = await cursor.read(batch);
        if (rows.length === 0) break;
        for (const r of rows) yield toExceptionRow(r);
      }
    } catch (err) {
      failed = asError(err);
      throw err;
    } finally {
      await cursor.close().catch((err: unknown) => {
        failed ??= asError(err);
      });
      client.release(failed);
    }
  }

  /** Open findings of one rule in scope, bucketed by school, grade or the offending values. */
  async distribution(
    e: EvaluationRef,
    scope: ResultsScope,
    ruleId: string,
    by: DistributionBy,
  ): Promise<Array<{ key: string | null; label: string | null; count: number }>> {
    const p = new Params();
    const ax = this.activeExclusionsCte(p, e.districtId);
    const key = {
      school: `x.school_id`,
      grade: `st.grade`,
      value: `(SELECT string_agg(k.key || '=' || coalesce(k.value #>> '{}', 'null'), ', ' ORDER BY k.key) FROM jsonb_each(x."values") k)`,
    }[by];
    const label = by === 'school' ? `max(sp.name)` : `NULL`;
    const rows = await this.rows<{ key: string | null; label: string | null; n: string }>(
      `WITH ${ax}
       SELECT ${key} AS key, ${label} AS label, count(*) AS n
       FROM rule_exceptions x
       LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id
       LEFT JOIN scorecard_population sp ON sp.evaluation_id = x.evaluation_id AND sp.kind = 'school' AND sp.code = x.school_id
       LEFT JOIN ax ON ax.fingerprint = x.fingerprint
       WHERE x.evaluation_id = ${p.add(e.evaluationId)} AND x.rule_id = ${p.add(ruleId)} AND ax.id IS NULL
         AND ${scope.exceptionSql('x', 'st', p)}
       GROUP BY 1 ORDER BY n DESC, key NULLS LAST LIMIT 200`,
      p.values,
    );
    return rows.map((r) => ({ key: r.key, label: r.label, count: Number(r.n) }));
  }

  /** Per district for the support view: the latest run and the links with their health. */
  async districtsOverview(): Promise<
    Array<{
      id: string;
      name: string;
      state: string;
      lastRunAt: Date | null;
      lastRunStatus: string | null;
      links: Array<{ linkId: string; name: string; role: string; state: string }>;
    }>
  > {
    const rows = await this.rows<{
      id: string;
      name: string;
      state: string;
      last_run_at: Date | null;
      last_run_status: string | null;
      links: Array<{ linkId: string; name: string; role: string; state: string }> | null;
    }>(
      `SELECT d.id, d.name, d.state, lr.at AS last_run_at, lr.status AS last_run_status,
              (SELECT jsonb_agg(jsonb_build_object('linkId', l.id, 'name', l.name, 'role', l.role,
                                                   'state', coalesce(h.state, 'PENDING')) ORDER BY l.role, l.name)
                 FROM sis_links l LEFT JOIN link_health h ON h.link_id = l.id WHERE l.district_id = d.id) AS links
       FROM districts d
       LEFT JOIN LATERAL (SELECT coalesce(r.finished_at, r.created_at) AS at, r.status FROM runs r
                           WHERE r.district_id = d.id ORDER BY r.created_at DESC LIMIT 1) lr ON true
       ORDER BY d.name`,
      [],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      state: r.state,
      lastRunAt: r.last_run_at,
      lastRunStatus: r.last_run_status,
      links: r.links ?? [],
    }));
  }
}
