import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { loggableError } from 'src/common/loggable-error.util';

/**
 * A plain pg pool on the service's own database (COPY, cursors). A connection that the server drops — a
 * restart, a terminated backend — makes its client emit 'error'; unhandled, that ends the process for every
 * district. pg-pool listens on idle clients only (the pool's 'error' event; logged here, the pool discards the
 * connection and the next query opens a new one) and removes that listener while a client is checked out, so
 * every client also gets a listener of its own: a client lost in the middle of a COPY or a transaction is
 * logged, the work in progress rejects (the statement, the COPY stream, every later query: "not queryable")
 * and its holder releases it with the error, which makes the pool destroy it.
 */
export function createServicePool(url: string, name: string, max: number): Pool {
  const pool = new Pool({ connectionString: url, max, application_name: name });
  const logger = new Logger(name);
  pool.on('error', (err) => logger.warn({ err: loggableError(err) }, 'idle database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err: loggableError(err) }, 'database connection lost'));
  });
  return pool;
}
