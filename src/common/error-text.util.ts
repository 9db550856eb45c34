/** The project's error-text helper; defined in the connector SDK so that connectors/ can use it without importing src/. */
export { asError, errorText } from 'connectors/sdk/error-text.util';
