import { Injectable } from '@nestjs/common';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

/**
 * Throwaway data for rule examples: a scratch district and link (the snapshot per example and its rows are
 * SnapshotsRepository's), written inside a transaction the caller rolls back, so examples run through the real
 * snap_* tables and the real compiled SQL.
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
