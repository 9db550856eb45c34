import { createHash, timingSafeEqual } from 'node:crypto';

/** The non-HttpOnly cookie the UI reads and echoes back in {@link CSRF_HEADER}. */
export const CSRF_COOKIE = 'sis_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The CSRF token is derived from the session secret, so a cookie planted by a sibling site (which could set
 * `sis_csrf` but never knows the HttpOnly session value) does not pass.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The header equals the cookie, and both equal the token derived from this session. */
export function csrfTokenValid(
  sessionToken: string,
  cookie: string | undefined,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string' || !cookie) return false;
  const expected = csrfTokenFor(sessionToken);
  return sameText(header, cookie) && sameText(header, expected);
}

/**
 * An `Origin` header, when present, names this service: the origin of PUBLIC_URL or the request's own host.
 * `Origin: null` (sandboxed frames, some redirects) is treated as foreign.
 */
export function originAllowed(
  origin: string | undefined,
  publicUrl: string,
  host: string | undefined,
): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === new URL(publicUrl).origin) return true;
  return host !== undefined && parsed.host.toLowerCase() === host.toLowerCase();
}
