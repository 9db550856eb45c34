/** A plain pg pool for COPY and crosswalks (TypeORM has no COPY); small, since each extraction holds one connection. */
export const EXTRACTION_POOL = Symbol('EXTRACTION_POOL');
