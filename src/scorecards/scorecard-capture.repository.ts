import { Injectable } from '@nestjs/common';
import { SqlRunner } from 'src/database/sql-runner';

export interface CaptureInput {
  districtId: string;
  runId: string;
  side: 'current' | 'old' | 'new';
  linkId: string | null;
  snapshotId: string;
  evaluationId: string;
  asOf: string;
}

/** The student's school and grade: the primary (else open, else latest) enrollment, as the rule engine picks it. */
const ENROLLMENT_ORDER = `e.student_id, (e.enrollment_type = 'primary') DESC NULLS LAST, (e.exit_date IS NULL) DESC, e.entry_date DESC NULLS LAST, e.row_no`;

/**
 * Copies what the scorecards need from a snapshot when its evaluation finishes, before retention can prune the
 * snapshot: identities of the students with findings, students per school and program, findings per rule and
 * school (failed, new, resolved: docs/scorecards.md). One transaction of set-based statements; repeating it for the same evaluation replaces the capture.
 */
@Injectable()
export class ScorecardCaptureRepository {
  constructor(private readonly sql: SqlRunner) {}

  async capture(c: CaptureInput): Promise<void> {
    await this.sql.transaction(async (m) => {
      await m.query(`SET LOCAL jit = off`);
      await m.query(`DELETE FROM scorecard_evaluations WHERE evaluation_id = $1 AND district_id = $2`, [
        c.evaluationId,
        c.districtId,
      ]);
      const snapshotThere = await m.query<{ n: number }>(
        `SELECT 1 AS n FROM snapshots WHERE id = $1 AND district_id = $2`,
        [c.snapshotId, c.districtId],
      );
      await m.query(
        `INSERT INTO scorecard_evaluations (evaluation_id, district_id, run_id, side, link_id, snapshot_id, as_of,
                                            previous_evaluation_id, students, identity_captured)
         SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::uuid, $6::uuid, $7::date,
                (SELECT p.evaluation_id FROM scorecard_evaluations p JOIN runs r ON r.id = p.run_id
                  WHERE p.district_id = $2 AND p.side = $4 AND p.run_id <> $3
                    AND r.created_at < (SELECT created_at FROM runs WHERE id = $3)
                  ORDER BY r.created_at DESC LIMIT 1),
                (SELECT count(DISTINCT s.student_id) FROM snap_student s WHERE s.snapshot_id = $6),
                $8::boolean`,
        [
          c.evaluationId,
          c.districtId,
          c.runId,
          c.side,
          c.linkId,
          c.snapshotId,
          c.asOf,
          snapshotThere.length > 0,
        ],
      );
      await m.query(
        `INSERT INTO scorecard_students (evaluation_id, district_id, student_id, state_student_id, last_name, first_name,
                                         grade, school_id, program_codes)
         WITH x AS (SELECT DISTINCT student_id FROM rule_exceptions
                     WHERE evaluation_id = $1 AND district_id = $2 AND student_id IS NOT NULL),
              st AS (SELECT DISTINCT ON (s.student_id) s.student_id, s.state_student_id, s.last_name, s.first_name
                       FROM snap_student s JOIN x ON x.student_id = s.student_id
                      WHERE s.snapshot_id = $3 ORDER BY s.student_id, s.row_no),
              en AS (SELECT DISTINCT ON (e.student_id) e.student_id, e.grade_level, e.school_id
                       FROM snap_enrollment e JOIN x ON x.student_id = e.student_id
                      WHERE e.snapshot_id = $3 ORDER BY ${ENROLLMENT_ORDER}),
              pr AS (SELECT p.student_id, array_agg(DISTINCT p.program_code ORDER BY p.program_code) AS codes
                       FROM snap_program p JOIN x ON x.student_id = p.student_id
                      WHERE p.snapshot_id = $3 AND p.program_code IS NOT NULL GROUP BY p.student_id)
         SELECT $1::uuid, $2::uuid, x.student_id, st.state_student_id, st.last_name, st.first_name, en.grade_level, en.school_id,
                coalesce(pr.codes, '{}')
         FROM x LEFT JOIN st ON st.student_id = x.student_id LEFT JOIN en ON en.student_id = x.student_id
                LEFT JOIN pr ON pr.student_id = x.student_id`,
        [c.evaluationId, c.districtId, c.snapshotId],
      );
      await m.query(
        `INSERT INTO scorecard_population (evaluation_id, kind, code, name, students)
         WITH prim AS (SELECT DISTINCT ON (e.student_id) e.student_id, e.school_id FROM snap_enrollment e
                        WHERE e.snapshot_id = $2 AND e.student_id IS NOT NULL ORDER BY ${ENROLLMENT_ORDER}),
              per AS (SELECT school_id, count(*) AS n FROM prim WHERE school_id IS NOT NULL GROUP BY school_id),
              names AS (SELECT DISTINCT ON (school_id) school_id, name FROM snap_school
                         WHERE snapshot_id = $2 AND school_id IS NOT NULL ORDER BY school_id, row_no)
         SELECT $1::uuid, 'school', coalesce(per.school_id, names.school_id), names.name, coalesce(per.n, 0)
         FROM per FULL JOIN names ON names.school_id = per.school_id
         UNION ALL
         SELECT $1::uuid, 'program', p.program_code, NULL, count(DISTINCT p.student_id) FROM snap_program p
          WHERE p.snapshot_id = $2 AND p.program_code IS NOT NULL GROUP BY p.program_code`,
        [c.evaluationId, c.snapshotId],
      );
      // Findings per (rule, school): failed, new (not in the previous evaluation of the side) and resolved (the
      // previous evaluation's findings this one no longer has, counted under their own rule and school).
      await m.query(
        `INSERT INTO scorecard_counts (evaluation_id, rule_id, school_id, failed, "new", resolved)
         WITH pe AS (SELECT previous_evaluation_id AS id FROM scorecard_evaluations WHERE evaluation_id = $1),
              prev AS (SELECT DISTINCT fingerprint FROM rule_exceptions
                        WHERE evaluation_id = (SELECT id FROM pe) AND district_id = $2),
              cur AS (SELECT DISTINCT fingerprint FROM rule_exceptions WHERE evaluation_id = $1 AND district_id = $2),
              f AS (SELECT x.rule_id, coalesce(x.school_id, '') AS school_id, count(*) AS failed,
                           count(*) FILTER (WHERE prev.fingerprint IS NULL) AS new
                      FROM rule_exceptions x LEFT JOIN prev ON prev.fingerprint = x.fingerprint
                     WHERE x.evaluation_id = $1 AND x.district_id = $2 GROUP BY 1, 2),
              r AS (SELECT x.rule_id, coalesce(x.school_id, '') AS school_id, count(DISTINCT x.fingerprint) AS resolved
                      FROM rule_exceptions x LEFT JOIN cur ON cur.fingerprint = x.fingerprint
                     WHERE x.evaluation_id = (SELECT id FROM pe) AND x.district_id = $2 AND cur.fingerprint IS NULL
                     GROUP BY 1, 2)
         SELECT $1::uuid, coalesce(f.rule_id, r.rule_id), coalesce(f.school_id, r.school_id), coalesce(f.failed, 0),
                coalesce(f.new, 0), coalesce(r.resolved, 0)
         FROM f FULL JOIN r ON r.rule_id = f.rule_id AND r.school_id = f.school_id`,
        [c.evaluationId, c.districtId],
      );
    });
    // The read side's plans (an exceptions page read in index order, 50 entries) depend on the planner knowing
    // how many findings an evaluation has; a run adds them all at once, before autovacuum (if it runs at all)
    // samples them. ANALYZE samples a fixed number of rows, whatever the table's size.
    await this.sql.query(
      `ANALYZE rule_exceptions, rule_results, scorecard_evaluations, scorecard_students, scorecard_population, scorecard_counts`,
    );
  }
}
