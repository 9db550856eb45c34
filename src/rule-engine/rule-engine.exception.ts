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

const HTTP_STATUS: Record<RuleEngineErrorCode, number> = {
  [RuleEngineErrorCode.INVALID_EXPRESSION]: 400,
  [RuleEngineErrorCode.INVALID_RULE]: 400,
  [RuleEngineErrorCode.UNSAFE_SQL]: 400,
  [RuleEngineErrorCode.UNKNOWN_RULE]: 404,
  [RuleEngineErrorCode.SNAPSHOT_NOT_FOUND]: 404,
  [RuleEngineErrorCode.FORBIDDEN]: 403,
  [RuleEngineErrorCode.CONFLICT]: 409,
  [RuleEngineErrorCode.NOT_FOUND]: 404,
  [RuleEngineErrorCode.EXECUTION_FAILED]: 500,
};

/** Implements the global filter's `HttpMappable`: status from the code, `issues` as the response's details. */
export class RuleEngineException extends Error {
  constructor(
    readonly code: RuleEngineErrorCode,
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = 'RuleEngineException';
  }

  httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  details(): string[] {
    return this.issues;
  }

  /** Message and issues on one line (CLI, logs). */
  describe(): string {
    return this.issues.length ? `${this.message}: ${this.issues.join('; ')}` : this.message;
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
