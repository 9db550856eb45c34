import { createServer, type Server, type Socket } from 'node:net';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import { createDriver } from 'connectors/sdk/drivers/driver.factory';
import type { SisDriver } from 'connectors/sdk/drivers/sis-driver.types';
import type { DriverKind } from 'src/districts/district.types';

const PASSWORD = 'S3cret-Pa55word!';

interface Listener {
  port: number;
  close(): Promise<void>;
}

/** A TCP listener that either never answers or hangs up at once. */
async function listen(mode: 'silent' | 'hangup'): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    if (mode === 'hangup') s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port that was just free: bound then released. */
async function closedPort(): Promise<number> {
  const l = await listen('silent');
  await l.close();
  return l.port;
}

async function failure(driver: SisDriver): Promise<ConnectorException> {
  try {
    await driver.connect();
  } catch (err) {
    if (err instanceof ConnectorException) return err;
    throw err;
  } finally {
    await driver.close();
  }
  throw new Error('connect unexpectedly succeeded');
}

function driverFor(kind: DriverKind, port: number, connectTimeoutMs = 1500): SisDriver {
  return createDriver(kind, {
    linkName: `${kind} link`,
    host: '127.0.0.1',
    port,
    user: 'sisreader',
    password: PASSWORD,
    database: 'DST26000',
    service: 'PSPRODDB',
    connectTimeoutMs,
  });
}

describe.each<DriverKind>(['mssql', 'oracle'])('%s driver without a server', (kind) => {
  it('reports a closed port as UNREACHABLE, naming the link and hiding the password', async () => {
    const sut = driverFor(kind, await closedPort());
    const err = await failure(sut);
    expect(err.code).toBe(ConnectorErrorCode.UNREACHABLE);
    expect(err.message).toContain(`link "${kind} link"`);
    expect(err.message).not.toContain(PASSWORD);
    expect(JSON.stringify(err)).not.toContain(PASSWORD);
  });

  it('reports a listener that never answers as TIMEOUT within the connect timeout', async () => {
    const l = await listen('silent');
    try {
      const started = Date.now();
      const err = await failure(driverFor(kind, l.port, 1500));
      const elapsed = Date.now() - started;
      expect(err.code).toBe(ConnectorErrorCode.TIMEOUT);
      expect(elapsed).toBeLessThan(1500 + 3000);
      expect(err.message).not.toContain(PASSWORD);
    } finally {
      await l.close();
    }
  });

  it('reports a listener that hangs up at once as a typed connectivity failure', async () => {
    const l = await listen('hangup');
    try {
      const err = await failure(driverFor(kind, l.port));
      expect([ConnectorErrorCode.UNREACHABLE, ConnectorErrorCode.TIMEOUT]).toContain(err.code);
      expect(err.message).toContain(`link "${kind} link"`);
      expect(err.message).not.toContain(PASSWORD);
    } finally {
      await l.close();
    }
  });

  it('probe reports the failure instead of throwing', async () => {
    const sut = driverFor(kind, await closedPort());
    const result = await sut.probe();
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe(ConnectorErrorCode.UNREACHABLE);
    expect(result.error?.message).not.toContain(PASSWORD);
    await sut.close();
  });
});

describe('createDriver', () => {
  it('throws on an unknown driver kind', () => {
    expect(() => createDriver('db2' as DriverKind, { linkName: 'x' })).toThrow(ConnectorException);
    expect(() => createDriver('db2' as DriverKind, { linkName: 'x' })).toThrow(
      /unknown SIS driver kind 'db2'/,
    );
  });
});
