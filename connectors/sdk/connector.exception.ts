import { DomainException } from 'connectors/sdk/domain.exception';

/** Why talking to a SIS database failed, independent of the driver that failed. */
export enum ConnectorErrorCode {
  UNREACHABLE = 'UNREACHABLE',
  AUTH_FAILED = 'AUTH_FAILED',
  TIMEOUT = 'TIMEOUT',
  QUERY_FAILED = 'QUERY_FAILED',
  UNKNOWN = 'UNKNOWN',
}

/**
 * A typed SIS connection/query failure. The message names the link and never carries credentials; the
 * driver's own error is reduced to its code and a scrubbed message (no `cause`, so loggers that walk
 * causes cannot leak a driver config object).
 */
export class ConnectorException extends DomainException<ConnectorErrorCode> {
  declare readonly code: ConnectorErrorCode;

  constructor(
    code: ConnectorErrorCode,
    readonly linkName: string,
    detail: string,
    readonly nativeCode?: string,
  ) {
    super(code, `link "${linkName}": ${detail}`);
  }

  toJSON(): { code: ConnectorErrorCode; message: string; nativeCode?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.nativeCode ? { nativeCode: this.nativeCode } : {}),
    };
  }
}
