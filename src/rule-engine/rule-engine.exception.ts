import { DomainException } from 'src/common/domain.exception';

/**
 * Why the rule engine refused or failed, beyond the shared codes (NOT_FOUND, FORBIDDEN, CONFLICT … of
 * `DomainErrorCode`, which rule-engine errors use as they are).
 */
export enum RuleEngineErrorCode {
  INVALID_EXPRESSION = 'INVALID_EXPRESSION',
  INVALID_RULE = 'INVALID_RULE',
  UNSAFE_SQL = 'UNSAFE_SQL',
  UNKNOWN_RULE = 'UNKNOWN_RULE',
  EXECUTION_FAILED = 'EXECUTION_FAILED',
}

const HTTP_STATUS: Record<RuleEngineErrorCode, number> = {
  [RuleEngineErrorCode.INVALID_EXPRESSION]: 400,
  [RuleEngineErrorCode.INVALID_RULE]: 400,
  [RuleEngineErrorCode.UNSAFE_SQL]: 400,
  [RuleEngineErrorCode.UNKNOWN_RULE]: 404,
  [RuleEngineErrorCode.EXECUTION_FAILED]: 500,
};

/** A rule-engine error; `issues` (the response's details) name what is wrong, one line each. */
export class RuleEngineException extends DomainException<RuleEngineErrorCode> {
  constructor(
    code: RuleEngineException['code'],
    message: string,
    readonly issues: string[] = [],
  ) {
    super(code, message, issues);
  }

  override httpStatus(): number | undefined {
    return (HTTP_STATUS as Partial<Record<string, number>>)[this.code] ?? super.httpStatus();
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
