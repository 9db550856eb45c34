import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { NativeRow } from 'connectors/sdk/connector.types';
import { PgDriver } from 'connectors/sdk/drivers/pg.driver';
import type { DriverConnectionOptions } from 'connectors/sdk/drivers/sis-driver.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';

function optionsFor(url: string, o: Partial<DriverConnectionOptions> = {}): DriverConnectionOptions {
  const u = new URL(url);
  return {
    linkName: 'replica link',
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    database: u.pathname.slice(1),
    connectTimeoutMs: 2000,
    ...o,
  };
}

async function drain(it: AsyncIterable<NativeRow[]>): Promise<NativeRow[][]> {
  const out: NativeRow[][] = [];
  for await (const b of it) out.push(b);
  return out;
}

async function failure(work: () => Promise<unknown>): Promise<ConnectorException> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ConnectorException) return err;
    throw err;
  }
  throw new Error('expected a ConnectorException');
}

describe('PgDriver', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ scratch: true });
    await db.pool.query(
      `CREATE SCHEMA sis; CREATE TABLE sis.stu (sn int, nm text, bd date); INSERT INTO sis.stu VALUES (1, 'Ana', '2015-03-04'), (2, ':asOf', NULL)`,
    );
  });

  afterAll(async () => {
    await db.drop();
  });

  it('streams 200k rows in bounded batches with lower-case columns and bound parameters', async () => {
    const sut = new PgDriver(optionsFor(db.url));
    let rows = 0;
    let batches = 0;
    let maxBatch = 0;
    let sum = 0;
    let first: NativeRow | undefined;
    try {
      const stream = sut.stream(
        `SELECT g AS "ID", 'x' || g AS "Label" FROM generate_series(1, :n) g WHERE g > :floor`,
        { n: 200_000, floor: 0 },
        { batchSize: 4000 },
      );
      for await (const batch of stream) {
        first ??= batch[0];
        batches += 1;
        rows += batch.length;
        maxBatch = Math.max(maxBatch, batch.length);
        for (const r of batch) sum += Number(r.id);
      }
    } finally {
      await sut.close();
    }
    expect(rows).toBe(200_000);
    expect(batches).toBe(50);
    expect(maxBatch).toBe(4000);
    expect(sum).toBe((200_000 * 200_001) / 2);
    expect(first).toEqual({ id: 1, label: 'x1' });
  });

  it('uses the schema as search_path, keeps dates as text and leaves :names inside literals alone', async () => {
    const sut = new PgDriver(optionsFor(db.url, { schema: 'sis' }));
    try {
      const batches = await drain(
        sut.stream(`SELECT SN, NM, BD, ':asOf' AS lit FROM stu WHERE bd IS NULL OR bd <= :asOf ORDER BY sn`, {
          asOf: '2026-11-01',
        }),
      );
      expect(batches.flat()).toEqual([
        { sn: 1, nm: 'Ana', bd: '2015-03-04', lit: ':asOf' },
        { sn: 2, nm: ':asOf', bd: null, lit: ':asOf' },
      ]);
    } finally {
      await sut.close();
    }
  });

  it('rejects a parameter without a value as QUERY_FAILED', async () => {
    const sut = new PgDriver(optionsFor(db.url));
    const err = await failure(() => drain(sut.stream('SELECT :missing AS x', {})));
    expect(err.code).toBe(ConnectorErrorCode.QUERY_FAILED);
    expect(err.message).toContain(':missing');
    await sut.close();
  });

  it('maps a query error to QUERY_FAILED and can query again afterwards', async () => {
    const sut = new PgDriver(optionsFor(db.url));
    const err = await failure(() => drain(sut.stream('SELECT * FROM no_such_table', {})));
    expect(err.code).toBe(ConnectorErrorCode.QUERY_FAILED);
    expect(err.nativeCode).toBe('42P01');
    const again = await drain(sut.stream('SELECT 1 AS one', {}));
    expect(again.flat()).toEqual([{ one: 1 }]);
    await sut.close();
  });

  it('reports an unknown role as AUTH_FAILED without the password', async () => {
    const sut = new PgDriver(optionsFor(db.url, { user: 'no_such_sis_user', password: 'hunter2-secret' }));
    const err = await failure(() => sut.connect());
    expect(err.code).toBe(ConnectorErrorCode.AUTH_FAILED);
    expect(err.message).toContain('link "replica link"');
    expect(err.message).not.toContain('hunter2-secret');
    await sut.close();
  });

  it('reports a statement timeout as TIMEOUT', async () => {
    const sut = new PgDriver(optionsFor(db.url, { queryTimeoutMs: 300 }));
    const err = await failure(() => drain(sut.stream('SELECT pg_sleep(3)', {})));
    expect(err.code).toBe(ConnectorErrorCode.TIMEOUT);
    expect(err.nativeCode).toBe('57014');
    await sut.close();
  });

  it('reports a closed port as UNREACHABLE, and probe reports instead of throwing', async () => {
    const sut = new PgDriver(optionsFor(db.url, { port: 1, password: 'pw-never-shown' }));
    const err = await failure(() => sut.connect());
    expect(err.code).toBe(ConnectorErrorCode.UNREACHABLE);
    const probe = await sut.probe();
    expect(probe.ok).toBe(false);
    expect(probe.error?.code).toBe(ConnectorErrorCode.UNREACHABLE);
    expect(JSON.stringify(probe)).not.toContain('pw-never-shown');
  });

  it('probes a live database', async () => {
    const sut = new PgDriver(optionsFor(db.url));
    const probe = await sut.probe();
    await sut.close();
    expect(probe.ok).toBe(true);
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
