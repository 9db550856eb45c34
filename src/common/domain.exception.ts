/** The project's error vocabulary; defined in the connector SDK so that connectors/ can use it without importing src/. */
export { DomainErrorCode, DomainException } from 'connectors/sdk/domain.exception';
