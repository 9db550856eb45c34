import { ConfigException, loadConfig } from 'src/config/config.service';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.http.PORT).toBe(3000);
    expect(sut.database.DATABASE_URL).toBeUndefined();
    expect(sut.app.SIS_CERTIFY_ROLE).toBe('all');
  });

  it('derives PUBLIC_URL from PORT when it is unset, and keeps an explicit one', () => {
    expect(loadConfig({}).http.PUBLIC_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '4123' }).http.PUBLIC_URL).toBe('http://localhost:4123');
    expect(loadConfig({ PORT: '4123', PUBLIC_URL: 'https://certify.example.org' }).http.PUBLIC_URL).toBe(
      'https://certify.example.org',
    );
  });

  it('names every bad variable in one error and hides secret values', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', SECRETS_KEY: 'short', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigException);
    const problems = (error as ConfigException).problems.join('\n');
    expect(problems).toContain('PORT="abc"');
    expect(problems).toContain('DATABASE_URL=(value hidden): DATABASE_URL must be a postgres://');
    expect(problems).toContain('SECRETS_KEY=(value hidden)');
    expect(problems).not.toContain('mysql://x');
    expect(problems).toContain('LOG_LEVEL="loud"');
  });

  it('refuses production without an encryption key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SECRETS_KEY: required when NODE_ENV=production/,
    );
  });

  it('accepts a 32-byte base64 key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY: key }).security.SECRETS_KEY).toBe(key);
  });
});
