import type {
  ConnectorDefinition,
  Dialect,
  EntityExtractSpec,
  ExtractQuery,
  NativeRow,
} from 'connectors/sdk/connector.types';
import type { SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import {
  nativeSchemaSql,
  nativeTablesOf,
  queryFor,
  toNativeColumns,
  type NativeColumn,
} from 'connectors/sdk/native-schema';
import type { ExtractParams, RowSource } from 'src/extraction/extraction.types';

/** Any connector query's text for a dialect: its variant when the connector has one, else the portable text. */
export function sqlFor(query: ExtractQuery, dialect: Dialect): string {
  return query.variants?.[dialect] ?? query.sql;
}

/** An entity's query text for a dialect, without the optional native names the schema lacks. */
export function querySqlFor(
  spec: EntityExtractSpec,
  dialect: Dialect,
  absent: readonly string[] = [],
): string {
  return sqlFor(queryFor(spec, absent), dialect);
}

/** The native schema's columns of the connector's tables, read through one driver; null without a catalogue. */
export async function describeThrough(
  driver: SisDriver,
  connector: ConnectorDefinition,
): Promise<NativeColumn[] | null> {
  const sql = nativeSchemaSql(driver.dialect, nativeTablesOf(connector));
  if (sql === null) return null;
  const out: NativeColumn[] = [];
  for await (const batch of driver.stream(sql, {})) out.push(...toNativeColumns(batch));
  return out;
}

/** Rows of a direct link: the connector's query for the driver's dialect, streamed in batches. */
export class DriverRowSource implements RowSource {
  constructor(
    private readonly driver: SisDriver,
    private readonly opts: { batchSize?: number } = {},
  ) {}

  stream(
    spec: EntityExtractSpec,
    params: ExtractParams,
    absent: readonly string[] = [],
  ): AsyncIterable<NativeRow[]> {
    return this.driver.stream(querySqlFor(spec, this.driver.dialect, absent), params, {
      batchSize: this.opts.batchSize,
    });
  }

  describe(connector: ConnectorDefinition): Promise<NativeColumn[] | null> {
    return describeThrough(this.driver, connector);
  }

  streamQuery(query: ExtractQuery, params: ExtractParams): AsyncIterable<NativeRow[]> {
    return this.driver.stream(sqlFor(query, this.driver.dialect), params, { batchSize: this.opts.batchSize });
  }
}
