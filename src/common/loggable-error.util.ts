import { QueryFailedError } from 'typeorm';

/**
 * What of an error may reach the logs. A failed query keeps its SQL text (placeholders only) and SQLSTATE but
 * loses its bound parameters and the driver's `detail`, which quote row values: password hashes, credential
 * ciphertext, student names.
 */
export function loggableError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const source: Record<string, unknown> =
    e instanceof QueryFailedError
      ? (e.driverError as Record<string, unknown>)
      : (e as Error & Record<string, unknown>);
  const fields = e as Error & Record<string, unknown>;
  if (!(e instanceof QueryFailedError) && !('detail' in e) && !('parameters' in e)) return e;
  return {
    type: e.name,
    message: e.message,
    code: source.code,
    table: source.table,
    constraint: source.constraint,
    query: fields.query,
    parameters: '[redacted]',
    stack: e.stack,
  };
}
