import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { snapshotTable, type CanonicalEntity } from 'connectors/sdk/canonical';
import {
  COPY_NULL,
  encodeCopyValue,
  escapeCopyText,
  parseCopyLine,
  type CopyColumn,
  type CopyColumnType,
} from 'src/extraction/copy-text.util';
import type { BulkWriteMode, ExtractionIssue } from 'src/extraction/extraction.types';
import { asError } from 'src/common/error-text.util';

export interface CheckpointRow {
  entity: string;
  status: 'extracting' | 'complete' | 'failed';
  rowCount: number;
  durationMs: number;
  warnings: string[];
}

const SYSTEM_COLUMNS = new Set(['snapshot_id', 'row_no', 'source_key']);

/** The two columns a delta row carries after the snapshot columns (incremental extraction). */
export const DELTA_COLUMNS: readonly CopyColumn[] = [
  { name: 'in_window', type: 'bool' },
  { name: 'identity', type: 'text' },
];

/** What an incremental snapshot starts from: the link's last complete snapshot with the same fingerprint. */
export interface IncrementalBase {
  snapshotId: string;
  since: string;
  depth: number;
}

function columnType(dataType: string, udt: string): CopyColumnType {
  if (dataType === 'ARRAY') return udt === '_text' ? 'text[]' : 'text';
  if (dataType === 'integer' || dataType === 'bigint' || dataType === 'smallint') return 'int';
  if (dataType === 'date') return 'date';
  if (dataType === 'boolean') return 'bool';
  return 'text';
}

/**
 * One entity's write: a transaction that deletes what an earlier attempt left, COPYs rows and issues, and
 * marks the checkpoint complete, so a crash leaves either the whole entity or nothing.
 */
export class EntityWrite {
  constructor(
    private readonly client: PoolClient,
    private readonly snapshotId: string,
    private readonly entity: CanonicalEntity,
    private readonly columns: readonly CopyColumn[],
    private readonly mode: BulkWriteMode = 'copy',
  ) {}

  /** Streams COPY text lines (`snapshot_id, row_no, source_key, …columns`) into snap_<entity>; resolves with the row count. */
  async copyRows(lines: AsyncIterable<string>): Promise<number> {
    return this.copyInto(snapshotTable(this.entity), this.columns, lines);
  }

  /**
   * Incremental extraction, step 1: a temporary table shaped like snap_<entity> plus `in_window` and
   * `identity`, for the rows the SIS reports changed since the base snapshot. Dropped at commit.
   */
  async stageDelta(): Promise<void> {
    await this.client.query(
      `CREATE TEMP TABLE snap_delta (LIKE ${snapshotTable(this.entity)} INCLUDING DEFAULTS) ON COMMIT DROP`,
    );
    await this.client.query(
      `ALTER TABLE snap_delta ADD COLUMN in_window boolean NOT NULL, ADD COLUMN identity text NOT NULL`,
    );
  }

  /** Step 2: the changed rows, as copyRows lines with `in_window` and `identity` as the last two columns. */
  async copyDelta(lines: AsyncIterable<string>): Promise<number> {
    return this.copyInto('snap_delta', [...this.columns, ...DELTA_COLUMNS], lines);
  }

  /**
   * Step 3, inside PostgreSQL (no row crosses the service): the base snapshot's rows and issues whose identity
   * the delta does not hold, carried forward under this snapshot with their row numbers; then the delta's
   * rows still in the window, numbered after the base's. `identity` (the key columns that never change, as
   * `col=value;…`) is read out of source_key for the base rows. Resolves with the snapshot's row count.
   */
  async mergeDelta(baseSnapshotId: string, identityColumns: readonly string[]): Promise<number> {
    const table = snapshotTable(this.entity);
    const cols = this.columns.map((c) => c.name);
    const identity = (key: string): string =>
      `concat_ws(';', ${identityColumns
        .map((c) => `'${c}=' || coalesce(substring(${key} from '(?:^|[:;])${c}=([^;]*)'), '')`)
        .join(', ')})`;
    await this.client.query(`ANALYZE snap_delta`);
    const carried = await this.client.query(
      `INSERT INTO ${table} (snapshot_id, row_no, source_key${cols.map((c) => `, ${c}`).join('')})
       SELECT $1, b.row_no, b.source_key${cols.map((c) => `, b.${c}`).join('')}
         FROM ${table} b
        WHERE b.snapshot_id = $2
          AND NOT EXISTS (SELECT 1 FROM snap_delta d WHERE d.identity = ${identity('b.source_key')})`,
      [this.snapshotId, baseSnapshotId],
    );
    const fresh = await this.client.query(
      `INSERT INTO ${table} (snapshot_id, row_no, source_key${cols.map((c) => `, ${c}`).join('')})
       SELECT $1, m.last + d.row_no, d.source_key${cols.map((c) => `, d.${c}`).join('')}
         FROM snap_delta d
        CROSS JOIN (SELECT coalesce(max(row_no), 0) AS last FROM ${table} WHERE snapshot_id = $2) m
        WHERE d.in_window`,
      [this.snapshotId, baseSnapshotId],
    );
    await this.client.query(
      `INSERT INTO extraction_issues (snapshot_id, entity, source_key, field, raw_value, kind, message)
       SELECT $1, i.entity, i.source_key, i.field, i.raw_value, i.kind, i.message
         FROM extraction_issues i
        WHERE i.snapshot_id = $2 AND i.entity = $3
          AND NOT EXISTS (SELECT 1 FROM snap_delta d WHERE d.identity = ${identity('i.source_key')})`,
      [this.snapshotId, baseSnapshotId, this.entity],
    );
    return (carried.rowCount ?? 0) + (fresh.rowCount ?? 0);
  }

  private async copyInto(
    table: string,
    columns: readonly CopyColumn[],
    lines: AsyncIterable<string>,
  ): Promise<number> {
    const cols = ['snapshot_id', 'row_no', 'source_key', ...columns.map((c) => c.name)].join(', ');
    if (this.mode === 'insert') return this.insertLines(`${table} (${cols})`, lines);
    const copy = this.client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN`));
    await pipeline(Readable.from(lines), copy);
    return copy.rowCount;
  }

  async copyIssues(issues: readonly ExtractionIssue[]): Promise<void> {
    if (issues.length === 0) return;
    const target = 'extraction_issues (snapshot_id, entity, source_key, field, raw_value, kind, message)';
    const prefix = `${this.snapshotId}\t${this.entity}`;
    async function* lines(): AsyncIterable<string> {
      let chunk = '';
      for (const i of issues) {
        chunk += `${prefix}\t${escapeCopyText(i.sourceKey)}\t${escapeCopyText(i.field)}\t${i.rawValue === null ? COPY_NULL : escapeCopyText(i.rawValue)}\t${encodeCopyValue(i.kind, 'text')}\t${escapeCopyText(i.message)}\n`;
        if (chunk.length > 64_000) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    if (this.mode === 'insert') {
      await this.insertLines(target, lines());
      return;
    }
    await pipeline(Readable.from(lines()), this.client.query(copyFrom(`COPY ${target} FROM STDIN`)));
  }

  /** The INSERT path: the same COPY text, parsed back and written in multi-row batches (bound values). */
  private async insertLines(target: string, chunks: AsyncIterable<string>): Promise<number> {
    let batch: Array<Array<string | null>> = [];
    let count = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const width = batch[0].length;
      const tuples = batch.map(
        (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`,
      );
      await this.client.query(`INSERT INTO ${target} VALUES ${tuples.join(', ')}`, batch.flat());
      count += batch.length;
      batch = [];
    };
    for await (const chunk of chunks) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        batch.push(parseCopyLine(line));
        if (batch.length >= 500) await flush();
      }
    }
    await flush();
    return count;
  }

  async complete(rowCount: number, durationMs: number, warnings: string[]): Promise<void> {
    await this.client.query(
      `INSERT INTO snapshot_checkpoints (snapshot_id, entity, status, row_count, warnings, completed_at, duration_ms)
       VALUES ($1, $2, 'complete', $3, $4, now(), $5)
       ON CONFLICT (snapshot_id, entity) DO UPDATE SET status = 'complete', row_count = EXCLUDED.row_count,
         warnings = EXCLUDED.warnings, completed_at = now(), duration_ms = EXCLUDED.duration_ms`,
      [this.snapshotId, this.entity, rowCount, JSON.stringify(warnings), durationMs],
    );
    await this.client.query('COMMIT');
    this.release();
  }

  /** Rolls back; a connection that cannot even roll back is destroyed rather than returned to the pool. */
  async abort(): Promise<void> {
    try {
      await this.client.query('ROLLBACK');
      this.release();
    } catch (err) {
      this.release(asError(err));
    }
  }

  private released = false;

  private release(err?: Error): void {
    if (this.released) return;
    this.released = true;
    this.client.release(err);
  }
}

/**
 * Every statement the extraction pipeline runs against the service database: the snap_* rows (COPY, or
 * batched INSERTs on the embedded database), the incremental carry-forward, issues and checkpoints. It lives
 * in the snapshots room, the one place that writes snapshot tables; ExtractionService drives it.
 */
export class SnapshotWriterRepository {
  constructor(
    private readonly pool: Pool,
    private readonly mode: BulkWriteMode = 'copy',
  ) {}

  /** The canonical and `*_raw` columns of snap_<entity>, in table order. */
  async columns(entity: CanonicalEntity): Promise<CopyColumn[]> {
    const { rows } = await this.pool.query<{ column_name: string; data_type: string; udt_name: string }>(
      `SELECT column_name, data_type, udt_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [snapshotTable(entity)],
    );
    return rows
      .filter((r) => !SYSTEM_COLUMNS.has(r.column_name))
      .map((r) => ({ name: r.column_name, type: columnType(r.data_type, r.udt_name) }));
  }

  /**
   * The base of an incremental extraction of `snapshotId`: the one an earlier attempt of this snapshot chose,
   * else the newest other complete snapshot of the same link and school year with a watermark, the same
   * fingerprint and fewer than `fullEvery - 1` incremental snapshots before it. Null: extract in full.
   */
  async incrementalBase(
    snapshotId: string,
    fingerprint: string,
    fullEvery: number,
  ): Promise<IncrementalBase | null> {
    const { rows } = await this.pool.query<{ id: string; since: string; depth: number }>(
      `WITH cur AS (SELECT id, link_id, school_year, base_snapshot_id FROM snapshots WHERE id = $1)
       SELECT b.id::text, b.change_watermark AS since, b.incremental_depth AS depth
         FROM cur JOIN snapshots b ON b.link_id = cur.link_id AND b.school_year = cur.school_year
        WHERE b.id <> cur.id AND b.status = 'complete' AND b.change_watermark IS NOT NULL
          AND b.extract_fingerprint = $2 AND b.incremental_depth < $3 - 1
          AND (cur.base_snapshot_id IS NULL OR b.id = cur.base_snapshot_id)
        ORDER BY b.completed_at DESC
        LIMIT 1`,
      [snapshotId, fingerprint, fullEvery],
    );
    const r = rows[0];
    return r ? { snapshotId: r.id, since: r.since, depth: r.depth } : null;
  }

  /**
   * Records how this snapshot is extracted: its fingerprint, the SIS clock read before the first entity (kept
   * from an earlier attempt, which read it earlier), and its base (null: full). Returns the watermark in force.
   */
  async recordExtractionBasis(
    snapshotId: string,
    basis: { fingerprint: string; watermark: string | null; base: IncrementalBase | null },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE snapshots SET extract_fingerprint = $2, change_watermark = COALESCE(change_watermark, $3),
              base_snapshot_id = $4, incremental_depth = $5
        WHERE id = $1`,
      [
        snapshotId,
        basis.fingerprint,
        basis.watermark,
        basis.base?.snapshotId ?? null,
        basis.base ? basis.base.depth + 1 : 0,
      ],
    );
  }

  /** The base snapshot's checkpoint of an entity (its warnings are carried forward with its rows). */
  async checkpointOf(snapshotId: string, entity: CanonicalEntity): Promise<CheckpointRow | null> {
    return (await this.checkpoints(snapshotId)).get(entity) ?? null;
  }

  async analyze(entity: CanonicalEntity): Promise<void> {
    await this.pool.query(`ANALYZE ${snapshotTable(entity)}`);
  }

  async checkpoints(snapshotId: string): Promise<Map<string, CheckpointRow>> {
    const { rows } = await this.pool.query<{
      entity: string;
      status: CheckpointRow['status'];
      row_count: string;
      duration_ms: number | null;
      warnings: string[];
    }>(
      `SELECT entity, status, row_count, duration_ms, warnings FROM snapshot_checkpoints WHERE snapshot_id = $1`,
      [snapshotId],
    );
    return new Map(
      rows.map((r) => [
        r.entity,
        {
          entity: r.entity,
          status: r.status,
          rowCount: Number(r.row_count),
          durationMs: r.duration_ms ?? 0,
          warnings: r.warnings,
        },
      ]),
    );
  }

  async issueCount(snapshotId: string, entity: CanonicalEntity): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM extraction_issues WHERE snapshot_id = $1 AND entity = $2`,
      [snapshotId, entity],
    );
    return Number(rows[0].n);
  }

  /** Outside the entity's transaction, so monitoring sees which entity is running or failed. */
  async markEntity(
    snapshotId: string,
    entity: CanonicalEntity,
    status: 'extracting' | 'failed',
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO snapshot_checkpoints (snapshot_id, entity, status, started_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (snapshot_id, entity) DO UPDATE SET status = EXCLUDED.status,
         started_at = CASE WHEN EXCLUDED.status = 'extracting' THEN now() ELSE snapshot_checkpoints.started_at END,
         completed_at = NULL`,
      [snapshotId, entity, status],
    );
  }

  /** Opens the entity's transaction and clears what an earlier attempt of this entity wrote. */
  async beginEntity(
    snapshotId: string,
    entity: CanonicalEntity,
    columns: readonly CopyColumn[],
  ): Promise<EntityWrite> {
    const client = await this.pool.connect();
    const write = new EntityWrite(client, snapshotId, entity, columns, this.mode);
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${snapshotTable(entity)} WHERE snapshot_id = $1`, [snapshotId]);
      await client.query(`DELETE FROM extraction_issues WHERE snapshot_id = $1 AND entity = $2`, [
        snapshotId,
        entity,
      ]);
    } catch (err) {
      await write.abort();
      throw err;
    }
    return write;
  }
}
