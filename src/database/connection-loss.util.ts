/**
 * Whether an error means the connection to a PostgreSQL server went away under the work (a backend
 * terminated, the server shutting down or restarting, a socket reset): nothing the work did wrong, so it may
 * be retried once the server answers again. Follows `cause` and TypeORM's `driverError`.
 */
const LOST_CODE = /^(57P0[123]|08[0-9A-Z]{3}|ECONNREFUSED|ECONNRESET|EPIPE)$/;
const LOST_MESSAGE =
  /terminating connection due to administrator command|Connection terminated|not queryable|the database system is (shutting down|starting up|in recovery mode)|ECONNREFUSED|ECONNRESET/i;

export function isConnectionLoss(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e !== null && typeof e === 'object'; depth++) {
    const { code, message, cause, driverError } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      driverError?: unknown;
    };
    if (typeof code === 'string' && LOST_CODE.test(code)) return true;
    if (typeof message === 'string' && LOST_MESSAGE.test(message)) return true;
    e = cause ?? driverError;
  }
  return false;
}
