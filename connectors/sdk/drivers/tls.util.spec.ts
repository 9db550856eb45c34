import { Logger } from '@nestjs/common';
import { ConnectorException } from 'connectors/sdk/connector.exception';
import { mssqlConfig } from 'connectors/sdk/drivers/mssql.driver';
import { descriptor, oracleTls, oracleTlsAttributes } from 'connectors/sdk/drivers/oracle.driver';
import { pgSsl } from 'connectors/sdk/drivers/pg.driver';
import { tlsPolicy } from 'connectors/sdk/drivers/tls.util';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const base = { host: 'sis.example.org', database: 'DST26000ABC', user: 'reader' };

describe('TLS options per driver', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('pg: plain unless ssl, verified when ssl, CA bundle passed on, opt-out explicit', () => {
    expect(pgSsl({ linkName: 'a', ...base })).toBe(false);
    expect(pgSsl({ linkName: 'b', ...base, ssl: true })).toEqual({ rejectUnauthorized: true });
    expect(pgSsl({ linkName: 'c', ...base, ssl: true, sslCa: CA })).toEqual({
      rejectUnauthorized: true,
      ca: CA,
    });
    expect(pgSsl({ linkName: 'd', ...base, ssl: true, sslVerify: false })).toEqual({
      rejectUnauthorized: false,
    });
  });

  it('mssql: encrypted and verified by default; trustServerCertificate only with the opt-out', () => {
    const d = mssqlConfig({ linkName: 'm1', ...base }).options;
    expect(d).toMatchObject({ encrypt: true, trustServerCertificate: false });
    expect(d).not.toHaveProperty('cryptoCredentialsDetails');
    expect(mssqlConfig({ linkName: 'm2', ...base, sslCa: CA }).options).toMatchObject({
      encrypt: true,
      trustServerCertificate: false,
      cryptoCredentialsDetails: { ca: CA },
    });
    expect(mssqlConfig({ linkName: 'm3', ...base, sslVerify: false }).options).toMatchObject({
      encrypt: true,
      trustServerCertificate: true,
    });
    expect(mssqlConfig({ linkName: 'm4', ...base, ssl: false }).options).toMatchObject({ encrypt: false });
  });

  it('oracle: TCPS with DN matching and the CA as wallet content; the opt-out is refused by name', () => {
    expect(descriptor({ linkName: 'o1', ...base, service: 'PSPROD' })).toContain('(PROTOCOL=TCP)');
    const tls = oracleTls({ linkName: 'o2', ...base, service: 'PSPROD', ssl: true, sslCa: CA });
    expect(descriptor({ linkName: 'o2', ...base, service: 'PSPROD' }, tls)).toContain('(PROTOCOL=TCPS)');
    expect(oracleTlsAttributes(tls)).toEqual({ sslServerDNMatch: true, walletContent: CA });
    expect(() => oracleTls({ linkName: 'o3', ...base, ssl: true, sslVerify: false })).toThrow(
      /always verifies/,
    );
  });

  it('warns once per link when verification is off, never when it is on', () => {
    tlsPolicy({ linkName: 'w1', ssl: true }, false);
    expect(warn).not.toHaveBeenCalled();
    tlsPolicy({ linkName: 'w2', ssl: true, sslVerify: false }, false);
    tlsPolicy({ linkName: 'w2', ssl: true, sslVerify: false }, false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain("link 'w2'");
  });

  it('refuses a CA setting that is not PEM', () => {
    expect(() => tlsPolicy({ linkName: 'x', ssl: true, sslCa: 'junk' }, false)).toThrow(ConnectorException);
  });
});
