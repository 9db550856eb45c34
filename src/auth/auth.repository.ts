import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiTokenEntity } from 'src/auth/api-token.entity';
import { SessionEntity } from 'src/auth/session.entity';
import { UserEntity } from 'src/auth/user.entity';

/** Sessions and API tokens. Only SHA-256 hashes of the secrets are stored. */
@Injectable()
export class AuthRepository {
  constructor(private readonly ds: DataSource) {}

  findActiveUserByEmail(email: string): Promise<UserEntity | null> {
    return this.ds.getRepository(UserEntity).findOne({ where: { email: email.toLowerCase(), active: true } });
  }

  findUser(id: string): Promise<UserEntity | null> {
    return this.ds.getRepository(UserEntity).findOne({ where: { id, active: true } });
  }

  async touchLogin(userId: string, at: Date): Promise<void> {
    await this.ds.getRepository(UserEntity).update({ id: userId }, { lastLoginAt: at });
  }

  async createSession(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.ds.getRepository(SessionEntity).insert({ userId, tokenHash, expiresAt });
  }

  async findSessionUser(tokenHash: string, now: Date): Promise<UserEntity | null> {
    const session = await this.ds.getRepository(SessionEntity).findOne({ where: { tokenHash } });
    if (!session || session.expiresAt <= now) return null;
    return this.findUser(session.userId);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.ds.getRepository(SessionEntity).delete({ tokenHash });
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const res = await this.ds
      .createQueryBuilder()
      .delete()
      .from(SessionEntity)
      .where('expires_at <= :now', { now })
      .execute();
    return res.affected ?? 0;
  }

  async createToken(
    t: Pick<ApiTokenEntity, 'userId' | 'name' | 'prefix' | 'tokenHash' | 'expiresAt'>,
  ): Promise<ApiTokenEntity> {
    return this.ds.getRepository(ApiTokenEntity).save(t);
  }

  async findTokenUser(tokenHash: string, now: Date): Promise<UserEntity | null> {
    const token = await this.ds
      .getRepository(ApiTokenEntity)
      .findOne({ where: { tokenHash, revokedAt: IsNull() } });
    if (!token || (token.expiresAt && token.expiresAt <= now)) return null;
    await this.ds.getRepository(ApiTokenEntity).update({ id: token.id }, { lastUsedAt: now });
    return this.findUser(token.userId);
  }

  listTokens(userId: string): Promise<ApiTokenEntity[]> {
    return this.ds.getRepository(ApiTokenEntity).find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  async revokeToken(userId: string, id: string, at: Date): Promise<boolean> {
    const res = await this.ds
      .getRepository(ApiTokenEntity)
      .update({ id, userId, revokedAt: IsNull() }, { revokedAt: at });
    return (res.affected ?? 0) > 0;
  }
}
