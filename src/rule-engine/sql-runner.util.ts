import type { Pool, PoolClient } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';

/** One connection's worth of SQL: a pooled query or the statements of an open transaction. */
export interface SqlSession {
  query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface TransactionOptions {
  /** Roll back instead of committing once `fn` resolves (rule examples run against throwaway data). */
  rollback?: boolean;
}

/** How the rule engine reaches PostgreSQL; built over a pg Pool (CLI, tests) or the service's TypeORM DataSource. */
export interface SqlRunner extends SqlSession {
  transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts?: TransactionOptions): Promise<T>;
}

async function inTransaction<T>(
  run: (sql: string) => Promise<unknown>,
  fn: () => Promise<T>,
  opts: TransactionOptions,
): Promise<T> {
  await run('BEGIN');
  try {
    const result = await fn();
    await run(opts.rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (err) {
    await run('ROLLBACK');
    throw err;
  }
}

export function poolSqlRunner(pool: Pool): SqlRunner {
  const session = (c: Pool | PoolClient): SqlSession => ({
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const res = await c.query<T>(sql, [...params]);
      return res.rows;
    },
  });
  return {
    ...session(pool),
    async transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      const client = await pool.connect();
      try {
        const tx = session(client);
        return await inTransaction(
          (sql) => client.query(sql),
          () => fn(tx),
          opts,
        );
      } finally {
        client.release();
      }
    },
  };
}

function queryRunnerSession(qr: QueryRunner): SqlSession {
  return {
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const res = await qr.query(sql, [...params], true);
      return (res.records ?? []) as T[];
    },
  };
}

export function dataSourceSqlRunner(ds: DataSource): SqlRunner {
  return {
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const qr = ds.createQueryRunner();
      try {
        return await queryRunnerSession(qr).query<T>(sql, params);
      } finally {
        await qr.release();
      }
    },
    async transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      const qr = ds.createQueryRunner();
      await qr.connect();
      try {
        return await inTransaction(
          (sql) => qr.query(sql),
          () => fn(queryRunnerSession(qr)),
          opts,
        );
      } finally {
        await qr.release();
      }
    },
  };
}
