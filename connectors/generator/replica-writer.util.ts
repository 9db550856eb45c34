import { readFileSync, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { REPLICA_DIRS } from 'connectors/index';
import { projectPath } from 'connectors/sdk/paths.util';
import type { SisKind } from 'connectors/sdk/sis-kinds';

export type Cell = string | number | null;

/** Where encoders put native rows: buffered per table, flushed in bulk by the generator per batch. */
export interface TableSink {
  add(table: string, row: Cell[]): void;
}

const MAX_PARAMS = 30_000;

function copyText(value: Cell): string {
  if (value === null) return '\\N';
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** Buffers rows per native table and bulk-loads them with COPY (or multi-row INSERT) on flush. */
export class ReplicaWriter implements TableSink {
  private readonly buffers = new Map<string, Cell[][]>();
  readonly nativeRows: Record<string, number> = {};

  constructor(
    private readonly client: PoolClient,
    private readonly tables: Record<string, readonly string[]>,
    private readonly method: 'copy' | 'insert' = 'copy',
  ) {}

  add(table: string, row: Cell[]): void {
    const columns = this.tables[table];
    if (!columns) throw new Error(`unknown replica table ${table}`);
    if (row.length !== columns.length)
      throw new Error(`${table}: ${row.length} values for ${columns.length} columns`);
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = []));
    buffer.push(row);
    this.nativeRows[table] = (this.nativeRows[table] ?? 0) + 1;
  }

  async flush(): Promise<void> {
    for (const [table, rows] of this.buffers) {
      if (rows.length === 0) continue;
      if (this.method === 'copy') await this.copy(table, rows);
      else await this.insert(table, rows);
      this.buffers.set(table, []);
    }
  }

  private async copy(table: string, rows: Cell[][]): Promise<void> {
    const columns = this.tables[table].join(', ');
    const stream = this.client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
    const text = rows.map((r) => `${r.map(copyText).join('\t')}\n`).join('');
    await pipeline(Readable.from([text]), stream);
  }

  private async insert(table: string, rows: Cell[][]): Promise<void> {
    const columns = this.tables[table];
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
    for (let at = 0; at < rows.length; at += perStatement) {
      const chunk = rows.slice(at, at + perStatement);
      const values = chunk.map(
        (_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
      );
      await this.client.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`,
        chunk.flat(),
      );
    }
  }
}

/** The replica DDL of a SIS, read from the project tree (the same files whether running from src/ or dist/). */
export function replicaDdl(sis: SisKind): string {
  if (sis === 'edfi')
    throw new Error('Ed-Fi has no replica database: the generator writes XML interchange files');
  const file = projectPath('connectors', REPLICA_DIRS[sis], 'replica.sql');
  if (!existsSync(file)) throw new Error(`replica.sql for ${sis} not found at ${file}`);
  return readFileSync(file, 'utf8');
}

/** Table names a DDL creates, in order. */
export function replicaTables(ddl: string): string[] {
  return [...ddl.matchAll(/^CREATE TABLE (\w+)/gim)].map((m) => m[1]);
}

/** Drops the SIS's replica tables if present and creates them again. */
export async function resetReplica(client: PoolClient, sis: SisKind): Promise<void> {
  const ddl = replicaDdl(sis);
  for (const table of replicaTables(ddl).reverse()) await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(ddl);
}
