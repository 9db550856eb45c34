import { csrfTokenFor, csrfTokenValid, isStateChanging, originAllowed } from 'src/auth/csrf.util';

describe('csrf.util', () => {
  it('accepts only a header equal to the cookie and to the session-derived token', () => {
    const token = csrfTokenFor('session-a');
    expect(csrfTokenValid('session-a', token, token)).toBe(true);
    expect(csrfTokenValid('session-a', token, undefined)).toBe(false);
    expect(csrfTokenValid('session-a', undefined, token)).toBe(false);
    expect(csrfTokenValid('session-a', 'planted', 'planted')).toBe(false);
    expect(csrfTokenValid('session-b', token, token)).toBe(false);
    expect(csrfTokenValid('session-a', token, [token, token])).toBe(false);
  });

  it('allows a missing Origin, the public origin and the own host; refuses others and "null"', () => {
    const pub = 'https://certify.example.org';
    expect(originAllowed(undefined, pub, 'x')).toBe(true);
    expect(originAllowed('https://certify.example.org', pub, 'internal:3000')).toBe(true);
    expect(originAllowed('http://127.0.0.1:3000', pub, '127.0.0.1:3000')).toBe(true);
    expect(originAllowed('https://evil.example', pub, '127.0.0.1:3000')).toBe(false);
    expect(originAllowed('null', pub, '127.0.0.1:3000')).toBe(false);
  });

  it('treats every method but GET, HEAD and OPTIONS as state-changing', () => {
    expect(['GET', 'head', 'OPTIONS'].map(isStateChanging)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isStateChanging)).toEqual([true, true, true, true]);
  });
});
