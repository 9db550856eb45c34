import type { EntityManager } from 'typeorm';

/** A DataSource or a transaction's EntityManager: repositories take one so callers can share a transaction. */
export type SqlRunner = Pick<EntityManager, 'query'>;

/**
 * Rows of any statement. TypeORM's postgres driver answers UPDATE/DELETE … RETURNING with `[rows, count]`
 * and everything else with `rows`; callers should not care.
 */
export async function queryRows<T>(q: SqlRunner, sql: string, params: unknown[] = []): Promise<T[]> {
  const res: unknown = await q.query(sql, params);
  if (!Array.isArray(res)) return [];
  if (res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}
