import {
  databaseFor,
  linkDriverOptions,
  type LinkConnectionSettings,
} from 'connectors/sdk/drivers/link-driver';

describe('link driver options', () => {
  const aeries: LinkConnectionSettings = {
    driver: 'mssql',
    host: 'sis.example',
    database: 'DST25000ABC',
    databasePattern: 'DST{yy}000ABC_{year}',
    user: 'reader',
    connectTimeoutMs: 20_000,
  };

  it("opens Aeries' database of the extracted school year", () => {
    expect(databaseFor(aeries, 2026)).toBe('DST26000ABC_2026');
    expect(databaseFor(aeries, 2009)).toBe('DST09000ABC_2009');
    expect(linkDriverOptions('north', aeries, 'pw', { schoolYear: 2026 }).database).toBe('DST26000ABC_2026');
  });

  it('keeps the configured database without a school year (probes) or without a pattern', () => {
    expect(databaseFor(aeries, undefined)).toBe('DST25000ABC');
    expect(databaseFor({ driver: 'pg', database: 'ps' }, 2026)).toBe('ps');
  });

  it('caps both timeouts for a probe, and passes the password only as an option', () => {
    const o = linkDriverOptions('north', aeries, 'secret', { timeoutMs: 5_000 });
    expect(o).toMatchObject({ linkName: 'north', host: 'sis.example', user: 'reader', password: 'secret' });
    expect(o.connectTimeoutMs).toBe(5_000);
    expect(o.queryTimeoutMs).toBe(5_000);
    const unbounded = linkDriverOptions('north', aeries, undefined);
    expect(unbounded.connectTimeoutMs).toBe(20_000);
    expect(unbounded.queryTimeoutMs).toBeUndefined();
  });
});
