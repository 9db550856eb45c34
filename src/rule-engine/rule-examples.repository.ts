import { Injectable } from '@nestjs/common';
import { snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';
import type { ExampleRecord } from 'src/rule-engine/rule.types';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

/**
 * Throwaway data for rule examples: a scratch district, link and one snapshot per example, written inside a
 * transaction the caller rolls back, so examples run through the real snap_* tables and the real compiled SQL.
 */
@Injectable()
export class RuleExamplesRepository {
  constructor(readonly sql: SqlRunner) {}

  async scratchLink(tx: SqlSession): Promise<{ districtId: string; linkId: string }> {
    const [d] = await tx.query<{ id: string }>(
      `INSERT INTO districts (name, state) VALUES ('rule examples (scratch)', 'CA') RETURNING id`,
    );
    const [l] = await tx.query<{ id: string }>(
      `INSERT INTO sis_links (district_id, name, role, sis_kind, settings) VALUES ($1, 'rule examples', 'current', 'aeries', '{}') RETURNING id`,
      [d.id],
    );
    return { districtId: d.id, linkId: l.id };
  }

  async snapshot(tx: SqlSession, districtId: string, linkId: string, asOf: string): Promise<string> {
    const [s] = await tx.query<{ id: string }>(
      `INSERT INTO snapshots (district_id, link_id, sis_kind, school_year, as_of, status)
       VALUES ($1, $2, 'aeries', extract(year from $3::date - interval '6 months')::int, $3::date, 'complete') RETURNING id`,
      [districtId, linkId, asOf],
    );
    return s.id;
  }

  /** Rows get row_no 1..n in list order, so findings map back to the example's records. */
  async insertRows(
    tx: SqlSession,
    snapshotId: string,
    entity: CanonicalEntity,
    records: ExampleRecord[],
  ): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((r, i) => ({
      ...r,
      snapshot_id: snapshotId,
      row_no: i + 1,
      source_key: `example:${i + 1}`,
    }));
    const table = snapshotTable(entity);
    await tx.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [
      JSON.stringify(rows),
    ]);
  }

  async failing(
    tx: SqlSession,
    evaluationId: string,
    ruleId: string,
  ): Promise<{ rowNo: number | null; recordKey: string }[]> {
    const rows = await tx.query<{ row_no: string | null; record_key: string }>(
      `SELECT row_no, record_key FROM rule_exceptions WHERE evaluation_id = $1 AND rule_id = $2 ORDER BY row_no NULLS LAST, record_key`,
      [evaluationId, ruleId],
    );
    return rows.map((r) => ({ rowNo: r.row_no === null ? null : Number(r.row_no), recordKey: r.record_key }));
  }

  async savepoint<T>(tx: SqlSession, fn: () => Promise<T>): Promise<T> {
    await tx.query('SAVEPOINT rule_example');
    try {
      return await fn();
    } finally {
      await tx.query('ROLLBACK TO SAVEPOINT rule_example');
      await tx.query('RELEASE SAVEPOINT rule_example');
    }
  }
}
