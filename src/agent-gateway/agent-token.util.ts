import { createHash, randomBytes } from 'node:crypto';

export const AGENT_TOKEN_PREFIX = 'sisa_';

export interface IssuedAgentToken {
  token: string;
  hash: string;
  prefix: string;
}

export const hashAgentToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** A random agent token; only its sha256 and a short prefix (to recognise it in lists) are stored. */
export function issueAgentToken(): IssuedAgentToken {
  const token = `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashAgentToken(token), prefix: token.slice(0, 12) };
}
