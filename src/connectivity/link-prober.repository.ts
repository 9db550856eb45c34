import { Inject, Injectable } from '@nestjs/common';
import { ConnectorException } from 'connectors/sdk/connector.exception';
import { createDriver } from 'connectors/sdk/drivers/driver.factory';
import type { DriverConnectionOptions, ProbeResult } from 'connectors/sdk/drivers/sis-driver.types';
import type { SecretBox } from 'src/common/crypto/secret-box.service';
import { SECRET_BOX } from 'src/common/tokens';
import type { LinkConnectionSettings } from 'src/districts/sis-link.entity';
import { errorText } from 'src/common/error-text.util';

export interface ProbeTarget {
  name: string;
  settings: LinkConnectionSettings;
  secretCiphertext: string | null;
}

/** Connection options for a driver from a link's settings and its decrypted password. */
export function driverOptions(
  name: string,
  settings: LinkConnectionSettings,
  password: string | undefined,
  timeoutMs?: number,
): DriverConnectionOptions {
  const bound = (v: number | undefined): number | undefined =>
    timeoutMs === undefined ? v : Math.min(v ?? timeoutMs, timeoutMs);
  return {
    linkName: name,
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password,
    service: settings.service,
    schema: settings.schema,
    ssl: settings.ssl,
    sslCa: settings.sslCa,
    sslVerify: settings.sslVerify,
    url: settings.url,
    path: settings.path,
    connectTimeoutMs: bound(settings.connectTimeoutMs),
    queryTimeoutMs: bound(settings.queryTimeoutMs),
  };
}

/** The side effect of probing: a fresh connection + trivial query through the SIS driver, bounded in time. */
@Injectable()
export class LinkProberRepository {
  constructor(@Inject(SECRET_BOX) private readonly box: SecretBox) {}

  async probe(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let password: string | undefined;
    try {
      password = t.secretCiphertext ? this.box.decrypt(t.secretCiphertext) : undefined;
    } catch (err) {
      return {
        ok: false,
        latencyMs: 0,
        error: { code: 'CONFIG', message: errorText(err) },
      };
    }
    let driver;
    try {
      driver = createDriver(t.settings.driver, driverOptions(t.name, t.settings, password, timeoutMs));
    } catch (err) {
      const code = err instanceof ConnectorException ? err.code : 'CONFIG';
      return {
        ok: false,
        latencyMs: 0,
        error: { code, message: errorText(err) },
      };
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            latencyMs: elapsed(),
            error: { code: 'TIMEOUT', message: `probe of "${t.name}" timed out after ${timeoutMs} ms` },
          }),
        timeoutMs + 500,
      );
    });
    try {
      return await Promise.race([driver.probe(), deadline]);
    } finally {
      clearTimeout(timer);
      void driver.close().catch(() => undefined);
    }
  }
}
