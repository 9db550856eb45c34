import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxException } from 'src/common/crypto/secret-box.service';

describe('SecretBox', () => {
  const key = randomBytes(32).toString('base64');

  it('round-trips and never returns the plaintext in the ciphertext', () => {
    const sut = new SecretBox(key);
    const c = sut.encrypt('s3cret-Passw0rd');
    expect(c).toMatch(/^v1:/);
    expect(c).not.toContain('s3cret');
    expect(sut.decrypt(c)).toBe('s3cret-Passw0rd');
    expect(sut.encrypt('same')).not.toBe(sut.encrypt('same'));
  });

  it('rejects a tampered ciphertext and a wrong key', () => {
    const sut = new SecretBox(key);
    const c = sut.encrypt('x');
    const parts = c.split(':');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => sut.decrypt(parts.join(':'))).toThrow(SecretBoxException);
    expect(() => new SecretBox(randomBytes(32).toString('base64')).decrypt(c)).toThrow(/cannot be decrypted/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe('SecretBox key rotation', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  it('reads secrets of the previous key and re-encrypts them under the current one', () => {
    const before = new SecretBox(oldKey).encrypt('district-db-password');
    const during = new SecretBox(newKey, oldKey);
    expect(during.decrypt(before)).toBe('district-db-password');

    const moved = during.reencrypt(before);
    if (moved.state !== 'reencrypted') throw new Error(`expected a re-encryption, got ${moved.state}`);
    expect(moved.ciphertext).not.toBe(before);
    expect(new SecretBox(newKey).decrypt(moved.ciphertext)).toBe('district-db-password');
    expect(() => new SecretBox(oldKey).decrypt(moved.ciphertext)).toThrow(SecretBoxException);

    // Idempotent: what is already under the current key stays as it is.
    expect(during.reencrypt(moved.ciphertext)).toEqual({ state: 'current' });
  });

  it('refuses a secret of neither key, naming both', () => {
    const stranger = new SecretBox(randomBytes(32).toString('base64')).encrypt('x');
    expect(() => new SecretBox(newKey, oldKey).decrypt(stranger)).toThrow(/current or the previous key/);
    expect(() => new SecretBox(newKey, oldKey).reencrypt(stranger)).toThrow(SecretBoxException);
  });

  it('refuses a previous key that is not 32 bytes', () => {
    expect(() => new SecretBox(newKey, randomBytes(8).toString('base64'))).toThrow(/previous secrets key/);
  });
});
