export enum ExtractionErrorCode {
  SNAPSHOT_NOT_FOUND = 'SNAPSHOT_NOT_FOUND',
  INVALID_CONNECTOR = 'INVALID_CONNECTOR',
  WRITE_FAILED = 'WRITE_FAILED',
}

/** Failures of the pipeline itself (not of the SIS, which raise ConnectorException). */
export class ExtractionException extends Error {
  constructor(
    readonly code: ExtractionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExtractionException';
  }
}
