import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class SecretBoxException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxException';
  }
}

/** What `reencrypt` did with one ciphertext. */
export type Reencryption = { state: 'current' } | { state: 'reencrypted'; ciphertext: string };

/**
 * AES-256-GCM for secrets at rest (SIS passwords). Ciphertext format: `v1:<iv>:<tag>:<data>`, base64 parts.
 * The key never leaves this class; plaintext is only produced for the driver that connects.
 *
 * Key rotation: the box encrypts with the current key and decrypts with the current key, then with the
 * previous one (GCM's tag tells which key a ciphertext belongs to); `reencrypt` moves a ciphertext of the
 * previous key to the current one.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previous: Buffer | null;

  constructor(base64Key: string, previousBase64Key?: string) {
    this.key = SecretBox.keyOf(base64Key, 'the secrets key');
    this.previous = previousBase64Key ? SecretBox.keyOf(previousBase64Key, 'the previous secrets key') : null;
  }

  private static keyOf(base64: string, what: string): Buffer {
    const key = Buffer.from(base64, 'base64');
    if (key.length !== 32) throw new SecretBoxException(`${what} must be 32 bytes (base64)`);
    return key;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      data.toString('base64'),
    ].join(':');
  }

  decrypt(ciphertext: string): string {
    return this.unlock(ciphertext).plaintext;
  }

  /** A ciphertext of the previous key, encrypted again under the current key; a current one is left alone. */
  reencrypt(ciphertext: string): Reencryption {
    const { plaintext, key } = this.unlock(ciphertext);
    return key === 'current'
      ? { state: 'current' }
      : { state: 'reencrypted', ciphertext: this.encrypt(plaintext) };
  }

  /** The plaintext and which key opened it: the current one first, then the previous one. */
  private unlock(ciphertext: string): { plaintext: string; key: 'current' | 'previous' } {
    const current = this.open(ciphertext, this.key);
    if (current !== null) return { plaintext: current, key: 'current' };
    const old = this.previous ? this.open(ciphertext, this.previous) : null;
    if (old !== null) return { plaintext: old, key: 'previous' };
    throw new SecretBoxException(
      this.previous
        ? 'the secret cannot be decrypted with the current or the previous key'
        : 'the secret cannot be decrypted with the configured key',
    );
  }

  /** The plaintext, or null when this key did not encrypt it. */
  private open(ciphertext: string, key: Buffer): string | null {
    const [version, iv, tag, data] = ciphertext.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined)
      throw new SecretBoxException('unknown ciphertext format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
