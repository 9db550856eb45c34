import { Logger } from '@nestjs/common';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { DriverConnectionOptions } from 'connectors/sdk/drivers/sis-driver.types';

/** How one connection uses TLS: whether it encrypts, whether it verifies the server, which CAs it trusts. */
export interface TlsPolicy {
  enabled: boolean;
  /** Verify the certificate chain and the host name. Only an explicit `sslVerify: false` turns it off. */
  verify: boolean;
  /** PEM bundle trusted instead of the system store; undefined = the system store. */
  ca?: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const logger = new Logger('SisDriverTls');
const warned = new Set<string>();

/**
 * The TLS policy of a link. `ssl` switches encryption on (`encryptByDefault` when unset: SQL Server always
 * offers TLS, PostgreSQL and Oracle listeners often do not); verification is always on unless the link says
 * `sslVerify: false`, which is logged as a warning (once per link and process).
 */
export function tlsPolicy(opts: DriverConnectionOptions, encryptByDefault: boolean): TlsPolicy {
  const enabled = opts.ssl ?? encryptByDefault;
  if (!enabled) return { enabled: false, verify: true };
  if (opts.sslCa !== undefined && !PEM_CERT.test(opts.sslCa)) {
    throw new ConnectorException(
      ConnectorErrorCode.UNKNOWN,
      opts.linkName,
      'sslCa must be a PEM bundle (-----BEGIN CERTIFICATE----- …)',
    );
  }
  const verify = opts.sslVerify !== false;
  if (!verify && !warned.has(opts.linkName)) {
    warned.add(opts.linkName);
    logger.warn(
      `link '${opts.linkName}': TLS certificate verification is switched off (sslVerify: false); the connection is encrypted but the server is not authenticated`,
    );
  }
  return { enabled, verify, ca: opts.sslCa };
}
