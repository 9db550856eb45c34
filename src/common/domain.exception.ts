/** Domain errors carry a code; the global filter maps codes to HTTP statuses once. */
export enum DomainErrorCode {
  NOT_FOUND = 'NOT_FOUND',
  FORBIDDEN = 'FORBIDDEN',
  CONFLICT = 'CONFLICT',
  INVALID = 'INVALID',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
}

export class DomainException extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'DomainException';
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
}
