import { Injectable } from '@nestjs/common';
import { ConnectorException } from 'connectors/sdk/connector.exception';
import type { ProbeResult } from 'connectors/sdk/drivers/sis-driver.types';
import { errorText } from 'src/common/error-text.util';
import { LinkDriverFactory, type DriverLink } from 'src/districts/link-driver.factory';

export type ProbeTarget = DriverLink;

/** The side effect of probing: a fresh connection + trivial query through the SIS driver, bounded in time. */
@Injectable()
export class LinkProberRepository {
  constructor(private readonly drivers: LinkDriverFactory) {}

  async probe(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let driver;
    try {
      driver = this.drivers.open(t, { timeoutMs });
    } catch (err) {
      // An undecryptable secret or an unknown driver kind: the link's configuration is wrong.
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
