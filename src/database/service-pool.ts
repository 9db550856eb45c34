import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { loggableError } from 'src/common/loggable-error.util';

/**
 * A plain pg pool on the service's own database (COPY, cursors). An idle connection that the server drops —
 * a restart, a terminated backend — makes the pool emit 'error'; unhandled, that ends the process for every
 * district. Logged instead: the pool discards the connection and the next query opens a new one.
 */
export function createServicePool(url: string, name: string, max: number): Pool {
  const pool = new Pool({ connectionString: url, max, application_name: name });
  const logger = new Logger(name);
  pool.on('error', (err) => logger.warn({ err: loggableError(err) }, 'idle database connection lost'));
  return pool;
}
