// Project paths are found by the connector SDK (connectors may not import src/); the service uses the same helpers.
export { packageVersion, projectPath, projectRoot } from 'connectors/sdk/paths.util';
