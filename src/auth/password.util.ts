import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1 — OWASP's minimum recommendation). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of nothing, verified when the e-mail is unknown so timing does not reveal which accounts exist. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$4YOCRtkY+4CvSFHe5ffobw$pCgzLMZXkL5ypyOpd+4RSDJAcoKzRJVGRVI4uaD+y8U';
