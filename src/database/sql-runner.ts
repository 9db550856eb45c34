import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { asError } from 'src/common/error-text.util';

/**
 * One connection's worth of SQL: a pooled statement or a statement of an open transaction. Every statement
 * answers its rows — also UPDATE/DELETE … RETURNING, for which TypeORM's raw `query()` answers
 * `[rows, count]` — so no caller unwraps results.
 */
export interface SqlSession {
  query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface TransactionOptions {
  /** Roll back instead of committing once `fn` resolves (rule examples run against throwaway data). */
  rollback?: boolean;
}

/**
 * How every repository reaches PostgreSQL: statements, and transactions whose session the repositories
 * take as an argument so callers can share one transaction. The service injects the one built over its
 * TypeORM DataSource (DatabaseModule); scripts and specs build one over a pg Pool.
 */
export abstract class SqlRunner implements SqlSession {
  /** Nominal: a DataSource has `query` and `transaction` too, but its `query` answers raw driver results. */
  protected readonly sqlRunner = true;
  abstract query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  abstract transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts?: TransactionOptions): Promise<T>;
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

function clientSession(c: Pool | PoolClient): SqlSession {
  return {
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const res = await c.query<T>(sql, [...params]);
      return res.rows;
    },
  };
}

/** Over a pg Pool (CLI scripts, specs). */
export class PoolSqlRunner extends SqlRunner {
  constructor(private readonly pool: Pool) {
    super();
  }

  query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return clientSession(this.pool).query<T>(sql, params);
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    // A failed transaction may have lost its connection: released with the error, the pool destroys it.
    let failed: Error | undefined;
    try {
      return await inTransaction(
        (sql) => client.query(sql),
        () => fn(clientSession(client)),
        opts,
      );
    } catch (err) {
      failed = asError(err);
      throw err;
    } finally {
      client.release(failed);
    }
  }
}

function queryRunnerSession(qr: QueryRunner): SqlSession {
  return {
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const res = await qr.query(sql, [...params], true);
      return (res.records ?? []) as T[];
    },
  };
}

/** Over the service's TypeORM DataSource (what Nest injects as `SqlRunner`). */
@Injectable()
export class DataSourceSqlRunner extends SqlRunner {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const qr = this.ds.createQueryRunner();
    try {
      return await queryRunnerSession(qr).query<T>(sql, params);
    } finally {
      await qr.release();
    }
  }

  async transaction<T>(fn: (tx: SqlSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const qr = this.ds.createQueryRunner();
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
  }
}

/** The first row, or null. */
export async function firstRow<T extends object>(rows: Promise<T[]>): Promise<T | null> {
  return (await rows)[0] ?? null;
}
