import { loadConfig } from 'src/config/config.service';
import { trustProxySetting } from 'src/config/trust-proxy.util';

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(loadConfig({}).http.TRUST_PROXY).toBe('false');
    expect(trustProxySetting('false')).toBe(false);
  });

  it('maps hop counts and address lists to Express settings', () => {
    expect(trustProxySetting('1')).toBe(1);
    expect(trustProxySetting('loopback, 10.0.0.0/8,fd00::/8')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
    ]);
  });

  it('refuses "true" and junk at start-up', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone; rm -rf' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '10.1.2.3,loopback' }).http.TRUST_PROXY).toBe('10.1.2.3,loopback');
  });
});
