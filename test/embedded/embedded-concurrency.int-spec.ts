import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from 'src/database/embedded/embedded-postgres';

/** Several pools (TypeORM, extraction, job queue, probes) share the embedded database at once. */
describe('embedded PostgreSQL under concurrent connections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sis-certify-concurrency-'));
  let db: EmbeddedPostgres;
  const pools: Pool[] = [];

  beforeAll(async () => {
    db = await startEmbeddedPostgres(join(dir, 'pgdata'));
    for (let i = 0; i < 3; i++) {
      const pool = new Pool({ connectionString: db.url, max: 4 });
      pool.on('error', () => undefined); // the embedded server stops at the end while clients close
      pools.push(pool);
    }
    await pools[0].query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  });

  afterAll(async () => {
    for (const p of pools) await p.end();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps interleaved parameterised queries of different shapes apart', async () => {
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const pool = pools[i % pools.length];
      if (i % 3 === 0) work.push(pool.query('INSERT INTO t (id, v) VALUES ($1, $2)', [i, `v${i}`]));
      else if (i % 3 === 1)
        work.push(pool.query('SELECT $1::int + $2::int + $3::int + $4::int + $5::int AS s', [1, 2, 3, 4, i]));
      else work.push(pool.query('SELECT $1::text AS a', [`x${i}`]));
    }
    const results = await Promise.all(work);
    expect(results).toHaveLength(200);
    const sums = await Promise.all(
      [10, 11, 12].map((i) => pools[i % 3].query<{ s: number }>('SELECT $1::int * 2 AS s', [i])),
    );
    expect(sums.map((r) => r.rows[0].s)).toEqual([20, 22, 24]);
    const { rows } = await pools[1].query<{ n: string }>('SELECT count(*) AS n FROM t');
    expect(Number(rows[0].n)).toBe(67);
  });

  it('isolates a transaction from queries on other connections until it ends', async () => {
    const a = await pools[0].connect();
    try {
      await a.query('BEGIN');
      await a.query('INSERT INTO t (id, v) VALUES ($1, $2)', [1001, 'in tx']);
      const other = pools[1].query<{ n: string }>('SELECT count(*) AS n FROM t WHERE id = $1', [1001]);
      await new Promise((r) => setTimeout(r, 50));
      await a.query('ROLLBACK');
      expect(Number((await other).rows[0].n)).toBe(0);
    } finally {
      a.release();
    }
  });
});
