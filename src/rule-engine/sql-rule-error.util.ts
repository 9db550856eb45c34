/**
 * What an `sql` rule's failure may say. PostgreSQL quotes the offending value in data errors (`invalid input
 * syntax for type integer: "…"`), so a rule could smuggle any readable value out through its own error message;
 * errors of those classes keep only their SQLSTATE and the text before the value. Planning errors (unknown column,
 * syntax, permission, timeout) name identifiers only and stay as they are: rule authors need them.
 */
const VALUE_ECHOING_CLASSES = ['22', '23', '2F', '38', '39', 'P0', 'XX'];

export function sqlRuleErrorMessage(err: unknown): string {
  if (!(err instanceof Error)) return 'the rule failed';
  const code = (err as Error & { code?: unknown }).code;
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  if (sqlstate === null) return err.message;
  if (!VALUE_ECHOING_CLASSES.includes(sqlstate.slice(0, 2))) return err.message;
  const head = err.message.split(/[:"]/)[0].trim();
  return `${head || 'data error'} (SQLSTATE ${sqlstate}; values are not shown)`;
}
