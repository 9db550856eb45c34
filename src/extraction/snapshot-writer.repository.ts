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
    const cols = ['snapshot_id', 'row_no', 'source_key', ...this.columns.map((c) => c.name)].join(', ');
    if (this.mode === 'insert') return this.insertLines(`${snapshotTable(this.entity)} (${cols})`, lines);
    const copy = this.client.query(copyFrom(`COPY ${snapshotTable(this.entity)} (${cols}) FROM STDIN`));
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

/** Every statement the extraction pipeline runs against the service database. */
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
