/**
 * The one error-text helper. Defined in the connector SDK so that connectors/ can use it without importing
 * src/; src/common/error-text.util.ts re-exports it for the service.
 */

/** The text of anything thrown: an Error's message (or its stack, for logs of unexpected failures), else String(). */
export function errorText(err: unknown, o: { stack?: boolean } = {}): string {
  if (err instanceof Error) return o.stack ? (err.stack ?? err.message) : err.message;
  return String(err);
}

/** Anything thrown, as an Error (for APIs that take one). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
