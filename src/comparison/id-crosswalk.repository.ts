import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IdEntity } from 'src/comparison/comparison.types';

export interface IdMapping {
  oldId: string;
  newId: string;
}

/** The district's identifier crosswalks (id_crosswalks). Every statement filters on the district. */
@Injectable()
export class IdCrosswalkRepository {
  constructor(private readonly ds: DataSource) {}

  async list(
    districtId: string,
    entity: IdEntity,
    limit: number,
    offset: number,
  ): Promise<{ items: IdMapping[]; total: number }> {
    const [{ n }]: Array<{ n: string }> = await this.ds.query(
      `SELECT count(*) AS n FROM id_crosswalks WHERE district_id = $1 AND entity = $2`,
      [districtId, entity],
    );
    const rows: Array<{ old_id: string; new_id: string }> = await this.ds.query(
      `SELECT old_id, new_id FROM id_crosswalks WHERE district_id = $1 AND entity = $2
       ORDER BY old_id LIMIT $3 OFFSET $4`,
      [districtId, entity, limit, offset],
    );
    return { total: Number(n), items: rows.map((r) => ({ oldId: r.old_id, newId: r.new_id })) };
  }

  /** Inserts or replaces the mappings (one statement); `replace` first removes the entity's other mappings. */
  async save(
    districtId: string,
    entity: IdEntity,
    entries: IdMapping[],
    replace: boolean,
  ): Promise<{ inserted: number; updated: number; removed: number }> {
    return this.ds.transaction(async (m) => {
      const removed: unknown[] = replace
        ? await m.query(
            `DELETE FROM id_crosswalks WHERE district_id = $1 AND entity = $2 AND NOT (old_id = ANY($3::text[])) RETURNING 1`,
            [districtId, entity, entries.map((e) => e.oldId)],
          )
        : [];
      const rows: Array<{ inserted: boolean }> = await m.query(
        `INSERT INTO id_crosswalks (district_id, entity, old_id, new_id)
         SELECT $1, $2, o, n FROM unnest($3::text[], $4::text[]) AS x(o, n)
         ON CONFLICT (district_id, entity, old_id) DO UPDATE SET new_id = EXCLUDED.new_id
         RETURNING (xmax = 0) AS inserted`,
        [districtId, entity, entries.map((e) => e.oldId), entries.map((e) => e.newId)],
      );
      // Statistics for the comparison's joins on the crosswalk.
      await m.query('ANALYZE id_crosswalks');
      const inserted = rows.filter((r) => r.inserted).length;
      return { inserted, updated: rows.length - inserted, removed: countOf(removed) };
    });
  }

  async remove(districtId: string, entity: IdEntity): Promise<number> {
    const rows: unknown = await this.ds.query(
      `DELETE FROM id_crosswalks WHERE district_id = $1 AND entity = $2 RETURNING 1`,
      [districtId, entity],
    );
    return countOf(rows);
  }

  /**
   * What the crosswalk matched in a run's snapshots: old ids found in the old snapshot, new ids found in the
   * new one, with samples of those not found (unknown ids).
   */
  async coverage(
    districtId: string,
    entity: IdEntity,
    table: string,
    column: string,
    oldSnapshotId: string,
    newSnapshotId: string,
  ): Promise<{
    mappings: number;
    oldFound: number;
    newFound: number;
    unknownOld: string[];
    unknownNew: string[];
  }> {
    const rows: Array<{
      mappings: string;
      old_found: string;
      new_found: string;
      unknown_old: string[] | null;
      unknown_new: string[] | null;
    }> = await this.ds.query(
      `WITH x AS (SELECT old_id, new_id FROM id_crosswalks WHERE district_id = $1 AND entity = $2),
            o AS (SELECT DISTINCT ${column} AS id FROM ${table} WHERE snapshot_id = $3 AND ${column} IS NOT NULL),
            n AS (SELECT DISTINCT ${column} AS id FROM ${table} WHERE snapshot_id = $4 AND ${column} IS NOT NULL),
            f AS (SELECT x.old_id, x.new_id, o.id IS NOT NULL AS old_ok, n.id IS NOT NULL AS new_ok
                  FROM x LEFT JOIN o ON o.id = x.old_id LEFT JOIN n ON n.id = x.new_id)
       SELECT count(*) AS mappings, count(*) FILTER (WHERE old_ok) AS old_found, count(*) FILTER (WHERE new_ok) AS new_found,
              (array_agg(old_id ORDER BY old_id) FILTER (WHERE NOT old_ok))[1:10] AS unknown_old,
              (array_agg(new_id ORDER BY new_id) FILTER (WHERE NOT new_ok))[1:10] AS unknown_new
       FROM f`,
      [districtId, entity, oldSnapshotId, newSnapshotId],
    );
    const r = rows[0];
    return {
      mappings: Number(r.mappings),
      oldFound: Number(r.old_found),
      newFound: Number(r.new_found),
      unknownOld: r.unknown_old ?? [],
      unknownNew: r.unknown_new ?? [],
    };
  }

  /** The snapshots a run compared (old, new), if it has a comparison. */
  async runSnapshots(districtId: string, runId: string): Promise<{ old: string; new: string } | null> {
    const rows: Array<{ old_snapshot_id: string; new_snapshot_id: string }> = await this.ds.query(
      `SELECT old_snapshot_id, new_snapshot_id FROM comparisons WHERE district_id = $1 AND run_id = $2`,
      [districtId, runId],
    );
    return rows[0] ? { old: rows[0].old_snapshot_id, new: rows[0].new_snapshot_id } : null;
  }
}

/** Rows of a DELETE … RETURNING, whatever shape the driver answers with ([rows, n] or rows). */
function countOf(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
