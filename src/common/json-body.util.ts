/** Keys that would reach an object's prototype when a parsed body is copied onto a DTO instance. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse reviver for request bodies: a body that carries `__proto__`, `constructor` or `prototype` is
 * rejected as malformed (400) before any code sees it, instead of being merged into objects.
 */
export function rejectPrototypeKeys(this: unknown, key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`request body: the key "${key}" is not allowed`);
  return value;
}
