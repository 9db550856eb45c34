import { Injectable } from '@nestjs/common';
import { CANONICAL_ENTITIES, snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';
import type { SisKind } from 'connectors/sdk/sis-kinds';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';
import type { SnapshotStatus } from 'src/extraction/snapshot.entity';
import type { CompletenessBaseline } from 'src/runs/completeness.util';

/** What a snapshot is taken of. */
export interface SnapshotLink {
  id: string;
  districtId: string;
  sisKind: SisKind;
}

/**
 * The one owner of the `snapshots` table: creation, status (extracting → complete | failed → purged) and
 * purging of the canonical rows. The snap_* rows of an extraction are written by SnapshotWriterRepository
 * (COPY, and the incremental carry-forward) beside this file, those of a rule example by scratchSnapshot /
 * insertScratchRows here; rules and comparisons only read them. Deleting them happens only here.
 */
@Injectable()
export class SnapshotsRepository {
  constructor(private readonly sql: SqlRunner) {}

  /** The snapshot a run extracts a link into: created once, found again by a resumed attempt. */
  forRun(runId: string, link: SnapshotLink, schoolYear: number, asOf: string): Promise<string> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`run-snapshot:${runId}:${link.id}`]);
      const [found] = await tx.query<{ id: string }>(
        `SELECT id FROM snapshots WHERE run_id = $1 AND link_id = $2`,
        [runId, link.id],
      );
      if (found) return found.id;
      const [created] = await tx.query<{ id: string }>(
        `INSERT INTO snapshots (district_id, link_id, run_id, sis_kind, school_year, as_of, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'extracting') RETURNING id`,
        [link.districtId, link.id, runId, link.sisKind, schoolYear, asOf],
      );
      return created.id;
    });
  }

  async exists(id: string): Promise<boolean> {
    const rows = await this.sql.query(`SELECT 1 AS found FROM snapshots WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  /** The district's snapshots among `ids` with their status; ids of other districts are absent. */
  async statuses(districtId: string, ids: readonly string[]): Promise<Map<string, SnapshotStatus>> {
    const rows = await this.sql.query<{ id: string; status: SnapshotStatus }>(
      `SELECT id, status FROM snapshots WHERE district_id = $1 AND id = ANY($2::uuid[])`,
      [districtId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async markExtracting(id: string): Promise<void> {
    await this.sql.query(`UPDATE snapshots SET status = 'extracting', completed_at = NULL WHERE id = $1`, [
      id,
    ]);
  }

  async complete(id: string, report: object): Promise<void> {
    await this.sql.query(
      `UPDATE snapshots SET status = 'complete', report = $2, completed_at = now() WHERE id = $1`,
      [id, JSON.stringify(report)],
    );
  }

  async fail(id: string, report: object): Promise<void> {
    await this.sql.query(
      `UPDATE snapshots SET status = 'failed', report = $2, completed_at = NULL WHERE id = $1`,
      [id, JSON.stringify(report)],
    );
  }

  /**
   * The completeness guard's baseline: rows per entity of the link's newest snapshot of the school year, other
   * than `snapshotId`, whose run ended done (a run the guard failed never becomes the baseline). The counts
   * come from the extraction checkpoints, which outlive the purge of the rows.
   */
  async completenessBaseline(
    linkId: string,
    schoolYear: number,
    snapshotId: string,
  ): Promise<CompletenessBaseline | null> {
    const found = await this.sql.query<{ id: string; run_id: string }>(
      `SELECT s.id, s.run_id FROM snapshots s JOIN runs r ON r.id = s.run_id
        WHERE s.link_id = $1 AND s.school_year = $2 AND s.id <> $3
          AND s.status IN ('complete', 'purged') AND r.status = 'done'
        ORDER BY s.created_at DESC, s.id LIMIT 1`,
      [linkId, schoolYear, snapshotId],
    );
    if (!found[0]) return null;
    const counts = await this.sql.query<{ entity: string; row_count: string }>(
      `SELECT entity, row_count FROM snapshot_checkpoints WHERE snapshot_id = $1 AND status = 'complete'`,
      [found[0].id],
    );
    return {
      snapshotId: found[0].id,
      runId: found[0].run_id,
      entities: Object.fromEntries(counts.map((c) => [c.entity, Number(c.row_count)])),
    };
  }

  /** Snapshots of a link beyond the newest `keep` complete ones: their snap_* rows go, results stay. */
  purgeOld(linkId: string, keep: number): Promise<string[]> {
    return this.sql.transaction(async (tx) => {
      const old = await tx.query<{ id: string }>(
        `SELECT id FROM snapshots WHERE link_id = $1 AND status = 'complete'
         ORDER BY created_at DESC, id OFFSET $2 FOR UPDATE`,
        [linkId, keep],
      );
      const ids = old.map((o) => o.id);
      if (ids.length === 0) return [];
      for (const entity of CANONICAL_ENTITIES) {
        await tx.query(`DELETE FROM ${snapshotTable(entity)} WHERE snapshot_id = ANY($1::uuid[])`, [ids]);
      }
      await tx.query(`UPDATE snapshots SET status = 'purged' WHERE id = ANY($1::uuid[])`, [ids]);
      return ids;
    });
  }

  /**
   * A complete snapshot of a scratch link inside the caller's transaction (rule examples, rolled back by the
   * caller): the school year is the one `asOf` falls in.
   */
  async scratchSnapshot(tx: SqlSession, districtId: string, linkId: string, asOf: string): Promise<string> {
    const [s] = await tx.query<{ id: string }>(
      `INSERT INTO snapshots (district_id, link_id, sis_kind, school_year, as_of, status)
       VALUES ($1, $2, 'aeries', extract(year from $3::date - interval '6 months')::int, $3::date, 'complete') RETURNING id`,
      [districtId, linkId, asOf],
    );
    return s.id;
  }

  /** Rows of a scratch snapshot, numbered 1..n in list order (so findings map back to the records). */
  async insertScratchRows(
    tx: SqlSession,
    snapshotId: string,
    entity: CanonicalEntity,
    records: ReadonlyArray<Record<string, unknown>>,
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
}
