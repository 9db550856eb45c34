/**
 * The data-movement floor of one run: each entity's extract query read once with `COPY (…) TO STDOUT`
 * (output discarded) plus the same snapshot rows written once with `COPY … FROM` into a copy of the snap_*
 * table (same columns, defaults and indexes, logged like the real one). One statement at a time, and the
 * floor is the sum of the timed statements (staging the rows in a file is not timed). No mapping, no
 * crosswalks, no rules: what no implementation can avoid.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { Client, type Pool } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { inlineNamedParams } from 'bench/bench.util';
import { getConnector } from 'connectors/index';
import { DEFAULT_WINDOW_YEARS, windowParams } from 'connectors/sdk/window.util';
import { snapshotTable } from 'connectors/sdk/canonical';
import { querySqlFor } from 'src/extraction/driver-row-source.adapter';
import type { SisKind } from 'src/districts/district.types';

export interface FloorSide {
  side: string;
  sis: SisKind;
  replicaUrl: string;
  snapshotId: string;
}

export interface FloorEntity {
  side: string;
  entity: string;
  readMs: number;
  readBytes: number;
  writeMs: number;
  rows: number;
}

export interface FloorResult {
  /** Sum of every entity's read and write. */
  totalMs: number;
  entities: FloorEntity[];
}

class Discard extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.bytes += chunk.length;
    done();
  }
}

async function floorSide(
  pool: Pool,
  s: FloorSide,
  params: { schoolYear: number; asOf: string },
  dir: string,
): Promise<FloorEntity[]> {
  const out: FloorEntity[] = [];
  const replica = new Client({ connectionString: s.replicaUrl });
  await replica.connect();
  try {
    for (const spec of getConnector(s.sis).entities) {
      // The parameters the extraction binds (the district's default comparison window).
      const bound = { ...windowParams(params.schoolYear, DEFAULT_WINDOW_YEARS), asOf: params.asOf };
      const sql = inlineNamedParams(querySqlFor(spec, 'postgres'), bound);
      const sink = new Discard();
      const t0 = performance.now();
      await pipeline(replica.query(copyTo(`COPY (${sql}) TO STDOUT`)), sink);
      const readMs = performance.now() - t0;

      // The snapshot rows this run wrote, staged in a file (untimed), then written once (timed).
      const table = snapshotTable(spec.entity);
      const file = join(dir, `${s.side}_${spec.entity}.copy`);
      const client = await pool.connect();
      try {
        const id = s.snapshotId.replace(/[^0-9a-f-]/g, '');
        await pipeline(
          client.query(copyTo(`COPY (SELECT * FROM ${table} WHERE snapshot_id = '${id}') TO STDOUT`)),
          createWriteStream(file),
        );
        const scratch = `bench_floor_${s.side}_${spec.entity}`;
        await client.query(`DROP TABLE IF EXISTS ${scratch}`);
        await client.query(`CREATE TABLE ${scratch} (LIKE ${table} INCLUDING DEFAULTS INCLUDING INDEXES)`);
        const t1 = performance.now();
        const copy = client.query(copyFrom(`COPY ${scratch} FROM STDIN`));
        await pipeline(createReadStream(file), copy);
        const writeMs = performance.now() - t1;
        await client.query(`DROP TABLE ${scratch}`);
        out.push({
          side: s.side,
          entity: spec.entity,
          readMs,
          readBytes: sink.bytes,
          writeMs,
          rows: copy.rowCount,
        });
      } finally {
        client.release();
        rmSync(file, { force: true });
      }
    }
  } finally {
    await replica.end();
  }
  return out;
}

export async function measureFloor(
  pool: Pool,
  sides: FloorSide[],
  params: { schoolYear: number; asOf: string },
): Promise<FloorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sisc-bench-floor-'));
  try {
    const entities: FloorEntity[] = [];
    for (const s of sides) entities.push(...(await floorSide(pool, s, params, dir)));
    return { totalMs: entities.reduce((n, e) => n + e.readMs + e.writeMs, 0), entities };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
