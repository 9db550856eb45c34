import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { EdfiDriver } from 'connectors/sdk/drivers/edfi/edfi.driver';
import { MssqlDriver } from 'connectors/sdk/drivers/mssql.driver';
import { OracleDriver } from 'connectors/sdk/drivers/oracle.driver';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import type { DriverConnectionOptions, SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import type { DriverKind } from 'connectors/sdk/sis-kinds';

/** One driver per DriverKind; an unknown kind (bad settings JSON) is rejected, never defaulted. */
export function createDriver(kind: DriverKind, opts: DriverConnectionOptions): SisDriver {
  switch (kind) {
    case 'pg':
      return new PgDriver(opts);
    case 'mssql':
      return new MssqlDriver(opts);
    case 'oracle':
      return new OracleDriver(opts);
    case 'edfi_api':
    case 'edfi_xml':
      return new EdfiDriver(kind, opts);
    default:
      throw new ConnectorException(
        ConnectorErrorCode.UNKNOWN,
        opts.linkName,
        `unknown SIS driver kind '${String(kind as unknown)}'`,
      );
  }
}
