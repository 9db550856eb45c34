/** Keys that would reach an object's prototype when a parsed body is copied onto a DTO instance. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse reviver for request bodies: a body that carries `__proto__`, `constructor` or `prototype` is
 * rejected as malformed (400) before any code sees it, instead of being merged into objects; so is a string
 * holding a NUL character, which PostgreSQL text cannot store.
 */
export function rejectPrototypeKeys(this: unknown, key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`request body: the key "${key}" is not allowed`);
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw new SyntaxError(`request body: ${key ? `"${key}"` : 'a value'} holds a NUL character`);
  }
  if (key.includes('\u0000')) throw new SyntaxError('request body: a key holds a NUL character');
  return value;
}
