import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CANONICAL_ENTITIES, type CanonicalEntity } from 'connectors/sdk/canonical';
import {
  bindUsed,
  comparisonStatements,
  READINESS_ENTITIES,
  type SnapColumn,
  type SnapColumns,
} from 'src/comparison/comparison-sql.util';
import type {
  ComparisonDifference,
  ComparisonOptions,
  ComparisonRecord,
  CompareSnapshotsInput,
  DifferenceKind,
  EntitySummary,
  ReferenceWarning,
  RuleDelta,
  SchoolReadiness,
  WarningGroup,
} from 'src/comparison/comparison.types';

/** Missing ids shown per group of reference warnings. */
const WARNING_SAMPLES = 10;

interface ComparisonRow {
  id: string;
  district_id: string;
  run_id: string | null;
  old_snapshot_id: string;
  new_snapshot_id: string;
  old_evaluation_id: string | null;
  new_evaluation_id: string | null;
  is_trial: boolean;
  differences_total: string;
  differences_stored: string;
  warnings_total: string;
  warning_summary?: WarningGroup[];
  created_at: Date;
  duration_ms: number | null;
}

const toRecord = (r: ComparisonRow): ComparisonRecord => ({
  id: r.id,
  districtId: r.district_id,
  runId: r.run_id,
  oldSnapshotId: r.old_snapshot_id,
  newSnapshotId: r.new_snapshot_id,
  oldEvaluationId: r.old_evaluation_id,
  newEvaluationId: r.new_evaluation_id,
  isTrial: r.is_trial,
  differencesTotal: Number(r.differences_total),
  differencesStored: Number(r.differences_stored),
  warningsTotal: Number(r.warnings_total),
  warningSummary: r.warning_summary ?? [],
  createdAt: r.created_at,
  durationMs: r.duration_ms,
});

export interface DifferencePage {
  items: ComparisonDifference[];
  total: number;
}

export interface DifferenceFilter {
  entity?: CanonicalEntity;
  field?: string;
  kind?: DifferenceKind;
  limit: number;
  offset: number;
}

/** Every statement of the comparison: set-based SQL inside PostgreSQL, one transaction per comparison. */
@Injectable()
export class ComparisonRepository {
  private readonly logger = new Logger(ComparisonRepository.name);

  constructor(private readonly ds: DataSource) {}

  async snapColumns(): Promise<SnapColumns> {
    const rows: Array<{ table_name: string; column_name: string; data_type: string }> = await this.ds.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
      [CANONICAL_ENTITIES.map((e) => `snap_${e}`)],
    );
    const out: SnapColumns = new Map();
    for (const r of rows) {
      const kind: SnapColumn['kind'] =
        r.data_type === 'ARRAY' ? 'array' : r.data_type === 'date' ? 'date' : 'scalar';
      out.set(r.table_name, [...(out.get(r.table_name) ?? []), { name: r.column_name, kind }]);
    }
    return out;
  }

  findByRun(runId: string): Promise<ComparisonRecord | null> {
    return this.one(`SELECT * FROM comparisons WHERE run_id = $1`, [runId]);
  }

  find(districtId: string, id: string): Promise<ComparisonRecord | null> {
    return this.one(`SELECT * FROM comparisons WHERE district_id = $1 AND id = $2`, [districtId, id]);
  }

  private async one(sql: string, params: unknown[]): Promise<ComparisonRecord | null> {
    const rows: ComparisonRow[] = await this.ds.query(sql, params);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Runs the whole comparison in one transaction: either every result row of the comparison is written, or
   * none is, so a worker killed half-way simply compares again. A comparison already stored for the run is
   * replaced.
   */
  async compare(
    input: CompareSnapshotsInput,
    options: ComparisonOptions,
    columns: SnapColumns,
  ): Promise<string> {
    const started = performance.now();
    return this.ds.transaction(async (m) => {
      // As for rule statements: JIT compile time exceeds what it saves on one district's records.
      await m.query('SET LOCAL jit = off');
      await m.query(`SET LOCAL work_mem = '64MB'`);
      const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
      const params = [input.oldSnapshotId, input.newSnapshotId, input.districtId, asOf];
      for (const statement of comparisonStatements(columns, options)) {
        const bound = bindUsed(statement, params);
        const t0 = performance.now();
        await m.query(bound.sql, bound.params);
        this.logger.debug(
          `comparison statement took ${Math.round(performance.now() - t0)} ms: ${bound.sql.replace(/\s+/g, ' ').slice(0, 160)}`,
        );
      }
      if (input.runId) await m.query(`DELETE FROM comparisons WHERE run_id = $1`, [input.runId]);
      const [{ id }]: Array<{ id: string }> = await m.query(
        `INSERT INTO comparisons (district_id, run_id, old_snapshot_id, new_snapshot_id, old_evaluation_id, new_evaluation_id, is_trial, options)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          input.districtId,
          input.runId ?? null,
          input.oldSnapshotId,
          input.newSnapshotId,
          input.oldEvaluationId ?? null,
          input.newEvaluationId ?? null,
          input.isTrial ?? false,
          JSON.stringify(options),
        ],
      );
      await this.storeSummaries(m, id, input.districtId);
      const stored = await this.storeDifferences(m, id, input.districtId, options.maxDifferences);
      const warnings = await this.storeWarnings(m, id, input.districtId, options.maxWarnings);
      await this.storeRuleDelta(m, id, input);
      await this.storeReadiness(m, id, input);
      await m.query(
        `UPDATE comparisons SET differences_total = (SELECT count(*) FROM cmp_diff), differences_stored = $2,
                warnings_total = $3, duration_ms = $4 WHERE id = $1`,
        [id, stored, warnings, Math.round(performance.now() - started)],
      );
      return id;
    });
  }

  /** One pass over each work table, grouped by entity (the work tables have no indexes to probe). */
  private async storeSummaries(m: EntityManager, id: string, districtId: string): Promise<void> {
    await m.query(
      `WITH r AS (SELECT entity, count(*) FILTER (WHERE side = 'o') AS o, count(*) FILTER (WHERE side = 'n') AS n FROM cmp_rows GROUP BY entity),
            p AS (SELECT entity, count(*) AS n FROM cmp_pairs GROUP BY entity),
            d AS (SELECT entity, count(*) FILTER (WHERE kind = 'missing_in_new') AS mo, count(*) FILTER (WHERE kind = 'missing_in_old') AS mn,
                         count(DISTINCT old_row) FILTER (WHERE kind = 'field') AS rd, count(*) FILTER (WHERE kind = 'field') AS fd
                  FROM cmp_diff GROUP BY entity),
            f AS (SELECT entity, jsonb_object_agg(field, n) AS by_field
                  FROM (SELECT entity, field, count(*) AS n FROM cmp_diff WHERE kind = 'field' GROUP BY entity, field) x GROUP BY entity)
       INSERT INTO comparison_summaries (comparison_id, district_id, entity, old_count, new_count, matched, only_in_old,
         only_in_new, records_with_differences, field_differences, by_field)
       SELECT $1, $2, e.entity, COALESCE(r.o, 0), COALESCE(r.n, 0), COALESCE(p.n, 0), COALESCE(d.mo, 0), COALESCE(d.mn, 0),
              COALESCE(d.rd, 0), COALESCE(d.fd, 0), COALESCE(f.by_field, '{}'::jsonb)
       FROM unnest($3::text[]) AS e(entity)
       LEFT JOIN r ON r.entity = e.entity LEFT JOIN p ON p.entity = e.entity
       LEFT JOIN d ON d.entity = e.entity LEFT JOIN f ON f.entity = e.entity`,
      [id, districtId, [...CANONICAL_ENTITIES]],
    );
  }

  /** Stores at most `max` differences (counts always cover all of them); returns how many were stored. */
  private async storeDifferences(
    m: EntityManager,
    id: string,
    districtId: string,
    max: number,
  ): Promise<number> {
    const rows: Array<{ n: string }> = await m.query(
      `WITH ins AS (
         INSERT INTO comparison_differences (comparison_id, district_id, entity, kind, match_key, school_id, field,
           old_source_key, new_source_key, old_raw, old_value, new_raw, new_value)
         SELECT $1, $2, entity, kind, k, school_id, field, old_source_key, new_source_key, old_raw, old_value, new_raw, new_value
         FROM cmp_diff ORDER BY entity, kind, k, field LIMIT $3 RETURNING 1)
       SELECT count(*) AS n FROM ins`,
      [id, districtId, max],
    );
    return Number(rows[0].n);
  }

  private async storeWarnings(
    m: EntityManager,
    id: string,
    districtId: string,
    max: number,
  ): Promise<number> {
    await m.query(
      `INSERT INTO comparison_warnings (comparison_id, district_id, entity, ref_entity, ref_id, old_source_key, message)
       SELECT $1, $2, entity, ref_entity, ref_id, old_source_key, message FROM cmp_warn
       ORDER BY entity, ref_entity, ref_id, old_source_key LIMIT $3`,
      [id, districtId, max],
    );
    const rows: Array<{ n: string }> = await m.query(`SELECT count(*) AS n FROM cmp_warn`);
    // Every warning counted per (entity, referenced entity), with the most frequent missing ids as samples:
    // the stored list may be bounded, the summary never is.
    await m.query(
      `UPDATE comparisons SET warning_summary = COALESCE((
         SELECT jsonb_agg(jsonb_build_object('entity', g.entity, 'refEntity', g.ref_entity, 'count', g.n,
                  'distinctRefs', g.refs, 'samples', g.samples) ORDER BY g.n DESC, g.entity, g.ref_entity)
         FROM (SELECT w.entity, w.ref_entity, sum(w.n) AS n, count(*) AS refs,
                      (array_agg(w.ref_id ORDER BY w.n DESC, w.ref_id))[1:$2] AS samples
               FROM (SELECT entity, ref_entity, ref_id, count(*) AS n FROM cmp_warn GROUP BY entity, ref_entity, ref_id) w
               GROUP BY w.entity, w.ref_entity) g), '[]'::jsonb)
       WHERE id = $1`,
      [id, WARNING_SAMPLES],
    );
    return Number(rows[0].n);
  }

  /**
   * Rule delta by exception fingerprint, when both snapshots were evaluated. Exceptions only in the new
   * evaluation are attributed to schools in cmp_introduced when the exceptions carry a school.
   */
  private async storeRuleDelta(m: EntityManager, id: string, input: CompareSnapshotsInput): Promise<void> {
    await m.query(`CREATE TEMP TABLE cmp_introduced (school_id text, n bigint) ON COMMIT DROP`);
    if (!input.oldEvaluationId || !input.newEvaluationId) return;
    const cols: Array<{ column_name: string }> = await m.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'rule_exceptions'`,
    );
    const names = new Set(cols.map((c) => c.column_name));
    if (!names.has('fingerprint') || !names.has('evaluation_id') || !names.has('rule_id')) return;
    const params = [input.oldEvaluationId, input.newEvaluationId];
    await m.query(
      `CREATE TEMP TABLE cmp_fp ON COMMIT DROP AS
       SELECT rule_id, fingerprint, bool_or(evaluation_id = $1) AS in_old, bool_or(evaluation_id = $2) AS in_new
              ${names.has('school_id') ? ', max(school_id) FILTER (WHERE evaluation_id = $2) AS school_id' : ''}
       FROM rule_exceptions WHERE evaluation_id IN ($1, $2) GROUP BY rule_id, fingerprint`,
      params,
    );
    await m.query(
      `INSERT INTO comparison_rule_delta (comparison_id, district_id, rule_id, only_in_old, only_in_new, in_both)
       SELECT $1, $2, rule_id, count(*) FILTER (WHERE in_old AND NOT in_new), count(*) FILTER (WHERE in_new AND NOT in_old),
              count(*) FILTER (WHERE in_old AND in_new)
       FROM cmp_fp GROUP BY rule_id`,
      [id, input.districtId],
    );
    if (!names.has('school_id')) return;
    await m.query(
      `INSERT INTO cmp_introduced (school_id, n) SELECT school_id, count(*) FROM cmp_fp
       WHERE in_new AND NOT in_old AND school_id IS NOT NULL GROUP BY school_id`,
    );
  }

  /** Per school (new ids): matched share of its records, differences and errors the migration introduced. */
  private async storeReadiness(m: EntityManager, id: string, input: CompareSnapshotsInput): Promise<void> {
    await m.query(
      `WITH r AS (SELECT school_id, count(*) FILTER (WHERE side = 'o') AS o, count(*) FILTER (WHERE side = 'n') AS n
                  FROM cmp_rows WHERE school_id IS NOT NULL AND entity = ANY($3) GROUP BY school_id),
            p AS (SELECT school_id, count(*) AS n FROM cmp_pairs WHERE school_id IS NOT NULL AND entity = ANY($3) GROUP BY school_id),
            d AS (SELECT school_id, count(*) FILTER (WHERE kind = 'missing_in_new') AS mo,
                         count(*) FILTER (WHERE kind = 'missing_in_old') AS mn,
                         count(DISTINCT (entity, new_row)) FILTER (WHERE kind = 'field') AS rd
                  FROM cmp_diff WHERE school_id IS NOT NULL AND entity = ANY($3) GROUP BY school_id),
            names AS (SELECT DISTINCT ON (school_id) school_id, name FROM (
                        SELECT school_id, name, 0 AS pref FROM snap_school WHERE snapshot_id = $4
                        UNION ALL SELECT school_id, name, 1 FROM snap_school WHERE snapshot_id = $5) s
                      WHERE school_id IS NOT NULL ORDER BY school_id, pref)
       INSERT INTO comparison_school_readiness (comparison_id, district_id, school_id, school_name, old_records, new_records,
         matched, only_in_old, only_in_new, records_with_differences, introduced_errors, matched_percent)
       SELECT $1, $2, r.school_id, nm.name, r.o, r.n, COALESCE(p.n, 0), COALESCE(d.mo, 0), COALESCE(d.mn, 0), COALESCE(d.rd, 0),
              COALESCE((SELECT sum(i.n) FROM cmp_introduced i WHERE i.school_id = r.school_id), 0),
              CASE WHEN COALESCE(p.n, 0) + COALESCE(d.mo, 0) + COALESCE(d.mn, 0) = 0 THEN 100
                   ELSE round(100.0 * COALESCE(p.n, 0) / (COALESCE(p.n, 0) + COALESCE(d.mo, 0) + COALESCE(d.mn, 0)), 2) END
       FROM r LEFT JOIN p ON p.school_id = r.school_id LEFT JOIN d ON d.school_id = r.school_id
       LEFT JOIN names nm ON nm.school_id = r.school_id`,
      [id, input.districtId, READINESS_ENTITIES, input.newSnapshotId, input.oldSnapshotId],
    );
  }

  async summaries(comparisonId: string): Promise<EntitySummary[]> {
    const rows: Array<Record<string, string> & { by_field: Record<string, number> }> = await this.ds.query(
      `SELECT * FROM comparison_summaries WHERE comparison_id = $1`,
      [comparisonId],
    );
    const order = (e: string): number => (CANONICAL_ENTITIES as readonly string[]).indexOf(e);
    return rows
      .map((r) => ({
        entity: r.entity as CanonicalEntity,
        oldCount: Number(r.old_count),
        newCount: Number(r.new_count),
        matched: Number(r.matched),
        onlyInOld: Number(r.only_in_old),
        onlyInNew: Number(r.only_in_new),
        recordsWithDifferences: Number(r.records_with_differences),
        fieldDifferences: Number(r.field_differences),
        byField: r.by_field,
      }))
      .sort((a, b) => order(a.entity) - order(b.entity));
  }

  async readiness(comparisonId: string): Promise<SchoolReadiness[]> {
    const rows: Array<Record<string, string | null>> = await this.ds.query(
      `SELECT * FROM comparison_school_readiness WHERE comparison_id = $1 ORDER BY matched_percent, school_id`,
      [comparisonId],
    );
    return rows.map((r) => ({
      schoolId: String(r.school_id),
      schoolName: r.school_name,
      oldRecords: Number(r.old_records),
      newRecords: Number(r.new_records),
      matched: Number(r.matched),
      onlyInOld: Number(r.only_in_old),
      onlyInNew: Number(r.only_in_new),
      recordsWithDifferences: Number(r.records_with_differences),
      introducedErrors: Number(r.introduced_errors),
      matchedPercent: Number(r.matched_percent),
    }));
  }

  async differences(comparisonId: string, f: DifferenceFilter): Promise<DifferencePage> {
    const where = ['comparison_id = $1'];
    const params: unknown[] = [comparisonId];
    for (const [col, value] of [
      ['entity', f.entity],
      ['field', f.field],
      ['kind', f.kind],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${col} = $${params.length}`);
    }
    const clause = where.join(' AND ');
    const [{ n }]: Array<{ n: string }> = await this.ds.query(
      `SELECT count(*) AS n FROM comparison_differences WHERE ${clause}`,
      params,
    );
    const rows: Array<Record<string, string | null>> = await this.ds.query(
      `SELECT * FROM comparison_differences WHERE ${clause} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return {
      total: Number(n),
      items: rows.map((r) => ({
        id: String(r.id),
        entity: r.entity as CanonicalEntity,
        kind: r.kind as DifferenceKind,
        key: JSON.parse(String(r.match_key)) as Record<string, string | null>,
        schoolId: r.school_id,
        field: r.field,
        oldSourceKey: r.old_source_key,
        newSourceKey: r.new_source_key,
        oldRaw: r.old_raw,
        oldValue: r.old_value,
        newRaw: r.new_raw,
        newValue: r.new_value,
      })),
    };
  }

  async ruleDelta(comparisonId: string): Promise<RuleDelta[]> {
    const rows: Array<Record<string, string>> = await this.ds.query(
      `SELECT * FROM comparison_rule_delta WHERE comparison_id = $1 ORDER BY only_in_new DESC, rule_id`,
      [comparisonId],
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      onlyInOld: Number(r.only_in_old),
      onlyInNew: Number(r.only_in_new),
      inBoth: Number(r.in_both),
    }));
  }

  async warnings(
    comparisonId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: ReferenceWarning[]; total: number }> {
    const [{ n }]: Array<{ n: string }> = await this.ds.query(
      `SELECT count(*) AS n FROM comparison_warnings WHERE comparison_id = $1`,
      [comparisonId],
    );
    const rows: Array<Record<string, string | null>> = await this.ds.query(
      `SELECT * FROM comparison_warnings WHERE comparison_id = $1 ORDER BY id LIMIT $2 OFFSET $3`,
      [comparisonId, limit, offset],
    );
    return {
      total: Number(n),
      items: rows.map((r) => ({
        entity: r.entity as CanonicalEntity,
        refEntity: r.ref_entity as ReferenceWarning['refEntity'],
        refId: String(r.ref_id),
        oldSourceKey: r.old_source_key,
        message: String(r.message),
      })),
    };
  }
}
