import type { EntityExtractSpec, NativeRow } from 'connectors/sdk/connector.types';
import type { SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import type { Dialect, ExtractQuery } from 'connectors/sdk/connector.types';
import type { ExtractParams, RowSource } from 'src/extraction/extraction.types';

/** The query text for a dialect: its variant when the connector has one, else the portable text. */
export function querySqlFor(spec: EntityExtractSpec, dialect: Dialect): string {
  return sqlFor(spec.query, dialect);
}

/** Any connector query's text for a dialect. */
export function sqlFor(query: ExtractQuery, dialect: Dialect): string {
  return query.variants?.[dialect] ?? query.sql;
}

/** Rows of a direct link: the connector's query for the driver's dialect, streamed in batches. */
export class DriverRowSource implements RowSource {
  constructor(
    private readonly driver: SisDriver,
    private readonly opts: { batchSize?: number } = {},
  ) {}

  stream(spec: EntityExtractSpec, params: ExtractParams): AsyncIterable<NativeRow[]> {
    return this.driver.stream(querySqlFor(spec, this.driver.dialect), params, {
      batchSize: this.opts.batchSize,
    });
  }

  streamQuery(query: ExtractQuery, params: ExtractParams): AsyncIterable<NativeRow[]> {
    return this.driver.stream(sqlFor(query, this.driver.dialect), params, { batchSize: this.opts.batchSize });
  }
}
