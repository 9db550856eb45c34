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
