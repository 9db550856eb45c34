import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export class SecretBoxException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxException';
  }
}

/**
 * AES-256-GCM for secrets at rest (SIS passwords). Ciphertext format: `v1:<iv>:<tag>:<data>`, base64 parts.
 * The key never leaves this class; plaintext is only produced for the driver that connects.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new SecretBoxException('the secrets key must be 32 bytes (base64)');
    this.key = key;
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
    const [version, iv, tag, data] = ciphertext.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined)
      throw new SecretBoxException('unknown ciphertext format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxException('the secret cannot be decrypted with the configured key');
    }
  }
}
