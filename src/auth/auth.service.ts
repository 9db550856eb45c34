import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuthRepository } from 'src/auth/auth.repository';
import type { Principal } from 'src/auth/auth.types';
import type { UserEntity } from 'src/auth/user.entity';
import { DUMMY_HASH, verifyPassword } from 'src/auth/password.util';
import { DomainErrorCode, DomainException } from 'src/common/domain.exception';
import { CLOCK, type Clock } from 'src/common/tokens';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';

export const SESSION_COOKIE = 'sisc_session';
const TOKEN_PREFIX = 'sisc_';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function toPrincipal(u: UserEntity, via: Principal['via']): Principal {
  return {
    userId: u.id,
    email: u.email,
    role: u.role,
    districtId: u.districtId,
    schoolIds: u.schoolIds,
    programCodes: u.programCodes,
    via,
  };
}

export interface IssuedToken {
  id: string;
  name: string;
  token: string;
  prefix: string;
  expiresAt: Date | null;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly repo: AuthRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Verifies the password and opens a session; returns the cookie value (shown once, stored hashed). */
  async login(
    email: string,
    password: string,
  ): Promise<{ sessionToken: string; principal: Principal; expiresAt: Date }> {
    const user = await this.repo.findActiveUserByEmail(email);
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
    if (!user || !user.passwordHash || !ok) {
      throw new DomainException(DomainErrorCode.UNAUTHENTICATED, 'e-mail or password is wrong');
    }
    const sessionToken = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.security.SESSION_TTL_HOURS * 3600_000);
    await this.repo.createSession(user.id, sha256(sessionToken), expiresAt);
    await this.repo.touchLogin(user.id, now);
    return { sessionToken, principal: toPrincipal(user, 'session'), expiresAt };
  }

  async logout(sessionToken: string): Promise<void> {
    await this.repo.deleteSession(sha256(sessionToken));
  }

  async principalFromSession(sessionToken: string): Promise<Principal | null> {
    const user = await this.repo.findSessionUser(sha256(sessionToken), this.clock.now());
    return user ? toPrincipal(user, 'session') : null;
  }

  async principalFromBearer(token: string): Promise<Principal | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const user = await this.repo.findTokenUser(sha256(token), this.clock.now());
    return user ? toPrincipal(user, 'token') : null;
  }

  async issueToken(principal: Principal, name: string, expiresInDays?: number): Promise<IssuedToken> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = expiresInDays ? new Date(this.clock.now().getTime() + expiresInDays * 86400_000) : null;
    const saved = await this.repo.createToken({
      userId: principal.userId,
      name,
      prefix: token.slice(0, 12),
      tokenHash: sha256(token),
      expiresAt,
    });
    return { id: saved.id, name, token, prefix: saved.prefix, expiresAt };
  }

  async listTokens(
    principal: Principal,
  ): Promise<Array<Omit<IssuedToken, 'token'> & { lastUsedAt: Date | null; revokedAt: Date | null }>> {
    const tokens = await this.repo.listTokens(principal.userId);
    return tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      expiresAt: t.expiresAt,
      lastUsedAt: t.lastUsedAt,
      revokedAt: t.revokedAt,
    }));
  }

  async revokeToken(principal: Principal, id: string): Promise<void> {
    const ok = await this.repo.revokeToken(principal.userId, id, this.clock.now());
    if (!ok) throw DomainException.notFound('API token');
  }
}
