import type { Pool } from 'pg';
import type { CodeSet } from 'src/districts/district.types';
import type { CodeMaps } from 'src/extraction/extraction.types';

export interface CrosswalkRow {
  id: string;
  districtId: string;
  linkId: string;
  codeSet: CodeSet;
  sourceValue: string;
  canonicalValue: string;
  updatedAt: Date;
}

interface DbRow {
  id: string;
  district_id: string;
  link_id: string;
  code_set: CodeSet;
  source_value: string;
  canonical_value: string;
  updated_at: Date;
}

const COLUMNS = 'id, district_id, link_id, code_set, source_value, canonical_value, updated_at';

const toRow = (r: DbRow): CrosswalkRow => ({
  id: r.id,
  districtId: r.district_id,
  linkId: r.link_id,
  codeSet: r.code_set,
  sourceValue: r.source_value,
  canonicalValue: r.canonical_value,
  updatedAt: r.updated_at,
});

/** District code-map overrides (code_crosswalks). Every statement filters on the district: tenant isolation. */
export class CrosswalkRepository {
  constructor(private readonly pool: Pool) {}

  async list(districtId: string, linkId?: string): Promise<CrosswalkRow[]> {
    const { rows } = await this.pool.query<DbRow>(
      `SELECT ${COLUMNS} FROM code_crosswalks WHERE district_id = $1 AND ($2::uuid IS NULL OR link_id = $2)
       ORDER BY link_id, code_set, source_value`,
      [districtId, linkId ?? null],
    );
    return rows.map(toRow);
  }

  async linkExists(districtId: string, linkId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM sis_links WHERE id = $1 AND district_id = $2`, [
      linkId,
      districtId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /** Inserts or replaces the entry for (link, code set, source value); never touches another district's row. */
  async upsert(e: Omit<CrosswalkRow, 'id' | 'updatedAt'>): Promise<CrosswalkRow | null> {
    const { rows } = await this.pool.query<DbRow>(
      `INSERT INTO code_crosswalks (district_id, link_id, code_set, source_value, canonical_value)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (link_id, code_set, source_value) DO UPDATE
         SET canonical_value = EXCLUDED.canonical_value, updated_at = now()
         WHERE code_crosswalks.district_id = EXCLUDED.district_id
       RETURNING ${COLUMNS}`,
      [e.districtId, e.linkId, e.codeSet, e.sourceValue, e.canonicalValue],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async delete(districtId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM code_crosswalks WHERE id = $1 AND district_id = $2`,
      [id, districtId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** A link's overrides as code maps (to lay over the connector's defaults). */
  async overrides(districtId: string, linkId: string): Promise<CodeMaps> {
    const maps: CodeMaps = {};
    for (const r of await this.list(districtId, linkId)) {
      (maps[r.codeSet] ??= {})[r.sourceValue] = r.canonicalValue;
    }
    return maps;
  }
}
