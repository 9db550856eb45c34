/** Why the rule engine refused or failed; mapped to HTTP once by the global filter (via `DomainException`). */
export enum RuleEngineErrorCode {
  INVALID_EXPRESSION = 'INVALID_EXPRESSION',
  INVALID_RULE = 'INVALID_RULE',
  UNSAFE_SQL = 'UNSAFE_SQL',
  UNKNOWN_RULE = 'UNKNOWN_RULE',
  SNAPSHOT_NOT_FOUND = 'SNAPSHOT_NOT_FOUND',
  FORBIDDEN = 'FORBIDDEN',
  CONFLICT = 'CONFLICT',
  NOT_FOUND = 'NOT_FOUND',
  EXECUTION_FAILED = 'EXECUTION_FAILED',
}

export class RuleEngineException extends Error {
  constructor(
    readonly code: RuleEngineErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}: ${details.join('; ')}` : message);
    this.name = 'RuleEngineException';
  }
}

/**
 * A located error in an expression or in a rule's SQL: `position` is the 0-based character offset in `source`.
 * The loader prefixes it with the file, the rule id and the field holding the expression.
 */
export class ExpressionError extends Error {
  constructor(
    readonly detail: string,
    readonly source: string,
    readonly position: number,
  ) {
    super(`at column ${position + 1}: ${detail}`);
    this.name = 'ExpressionError';
  }
}
