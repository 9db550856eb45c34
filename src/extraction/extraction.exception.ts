import { DomainException } from 'src/common/domain.exception';

export enum ExtractionErrorCode {
  SNAPSHOT_NOT_FOUND = 'SNAPSHOT_NOT_FOUND',
  INVALID_CONNECTOR = 'INVALID_CONNECTOR',
  WRITE_FAILED = 'WRITE_FAILED',
  /** The SIS schema lacks columns the connector cannot do without; found before anything is extracted. */
  SCHEMA_MISMATCH = 'SCHEMA_MISMATCH',
}

/** Failures of the pipeline itself (not of the SIS, which raise ConnectorException); internal, never a 4xx. */
export class ExtractionException extends DomainException<ExtractionErrorCode> {
  declare readonly code: ExtractionErrorCode;

  constructor(code: ExtractionErrorCode, message: string) {
    super(code, message);
  }
}
