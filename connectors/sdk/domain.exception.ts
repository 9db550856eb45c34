/**
 * The one error vocabulary of the project (src/ and connectors/ alike, which is why it lives in the SDK that
 * both import): a `DomainException` carries a code. Area subclasses (connector, extraction, rule engine,
 * run) add codes of their own but never re-declare these; the API's global filter maps codes to HTTP once.
 */
export enum DomainErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  FORBIDDEN = 'FORBIDDEN',
  CONFLICT = 'CONFLICT',
  INVALID = 'INVALID',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** An impossible state: a bug, never the caller's fault (500). */
  INVARIANT = 'INVARIANT',
}

const HTTP_STATUS: Partial<Record<string, number>> = {
  [DomainErrorCode.NOT_FOUND]: 404,
  [DomainErrorCode.FORBIDDEN]: 403,
  [DomainErrorCode.CONFLICT]: 409,
  [DomainErrorCode.INVALID]: 400,
  [DomainErrorCode.UNAUTHENTICATED]: 401,
};

export class DomainException<Code extends string = DomainErrorCode> extends Error {
  constructor(
    readonly code: Code | DomainErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * The HTTP status a request failing with this error answers; undefined for internal failures (the filter
   * answers 500 and hides the message behind a correlation id). Subclasses add the statuses of their codes.
   */
  httpStatus(): number | undefined {
    return HTTP_STATUS[this.code];
  }

  static notFound(what: string): DomainException {
    return new DomainException(DomainErrorCode.NOT_FOUND, `${what} not found`);
  }

  static forbidden(message = 'you are not allowed to do this'): DomainException {
    return new DomainException(DomainErrorCode.FORBIDDEN, message);
  }

  static invalid(message: string, details?: string[]): DomainException {
    return new DomainException(DomainErrorCode.INVALID, message, details);
  }

  static conflict(message: string): DomainException {
    return new DomainException(DomainErrorCode.CONFLICT, message);
  }

  /** A state the code rules out happened anyway: fail loudly instead of carrying on with a made-up value. */
  static invariant(message: string): DomainException {
    return new DomainException(DomainErrorCode.INVARIANT, `invariant violated: ${message}`);
  }
}
