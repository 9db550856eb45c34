import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConnectorException } from 'connectors/sdk/connector.exception';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import type { DriverConnectionOptions } from 'connectors/sdk/drivers/sis-driver.types';
import {
  selfSignedCertificate,
  startPrivatePostgres,
  type PrivatePostgres,
} from 'test/helpers/private-postgres';

/** Collects what the drivers log, through Nest's logger (the service routes it to pino). */
class CapturingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

/**
 * A PostgreSQL of its own that serves TLS only, with a self-signed certificate made for the test: the pg
 * driver refuses the untrusted certificate by default, accepts it with the link's CA bundle, and accepts
 * it with the explicit per-link opt-out, which is logged as a warning.
 */
describe('pg driver TLS', () => {
  let pg: PrivatePostgres;
  let cert: { cert: string; key: string };
  const logger = new CapturingLogger();

  beforeAll(async () => {
    cert = selfSignedCertificate();
    pg = await startPrivatePostgres({ tls: cert });
    Logger.overrideLogger(logger);
  });

  afterAll(async () => {
    Logger.overrideLogger(false);
    await pg?.remove();
  });

  const options = (o: Partial<DriverConnectionOptions>): DriverConnectionOptions => ({
    linkName: `tls-${randomUUID().slice(0, 8)}`,
    host: '127.0.0.1',
    port: pg.port,
    database: 'postgres',
    user: 'postgres',
    connectTimeoutMs: 10_000,
    ...o,
  });

  async function serverSeesTls(o: DriverConnectionOptions): Promise<boolean> {
    const driver = new PgDriver(o);
    try {
      const rows: unknown[] = [];
      for await (const batch of driver.stream('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', {}))
        rows.push(...batch);
      return (rows[0] as { ssl: boolean }).ssl;
    } finally {
      await driver.close();
    }
  }

  it('refuses a certificate no trusted CA signed (verification is the default)', async () => {
    const driver = new PgDriver(options({ ssl: true }));
    const err = await driver.connect().then(
      () => null,
      (e: unknown) => e,
    );
    await driver.close();
    expect(err).toBeInstanceOf(ConnectorException);
    expect((err as Error).message).toMatch(/self[- ]signed|certificate/i);
    const probe = await new PgDriver(options({ ssl: true })).probe();
    expect(probe.ok).toBe(false);
  });

  it('accepts the certificate with the link’s CA bundle, over TLS', async () => {
    expect(await serverSeesTls(options({ ssl: true, sslCa: cert.cert }))).toBe(true);
  });

  it('accepts any certificate with the explicit opt-out, and logs a warning naming the link', async () => {
    const o = options({ ssl: true, sslVerify: false });
    expect(await serverSeesTls(o)).toBe(true);
    expect(logger.warnings.filter((w) => w.includes(`'${o.linkName}'`))).toEqual([
      expect.stringMatching(/verification is switched off/),
    ]);
  });

  it('refuses a CA setting that is not a PEM bundle', async () => {
    const driver = new PgDriver(options({ ssl: true, sslCa: 'not a certificate' }));
    await expect(driver.connect()).rejects.toThrow(/PEM bundle/);
  });

  it('does not fall back to plain TCP when TLS is off: this server refuses it', async () => {
    const driver = new PgDriver(options({}));
    await expect(driver.connect()).rejects.toThrow(ConnectorException);
    await driver.close();
  });
});
