import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiTokenEntity } from 'src/auth/api-token.entity';
import { SessionEntity } from 'src/auth/session.entity';
import type { TenantScope } from 'src/auth/tenant-scope';
import { UserEntity } from 'src/auth/user.entity';

@Injectable()
export class UsersRepository {
  constructor(private readonly ds: DataSource) {}

  private repo() {
    return this.ds.getRepository(UserEntity);
  }

  /** Users of one district, within the caller's scope. */
  listForDistrict(scope: TenantScope, districtId: string): Promise<UserEntity[]> {
    scope.assertDistrict(districtId);
    return this.repo().find({ where: { districtId }, order: { email: 'ASC' } });
  }

  listSupport(): Promise<UserEntity[]> {
    return this.repo().find({ where: { role: 'support' }, order: { email: 'ASC' } });
  }

  async findInDistrict(scope: TenantScope, districtId: string, id: string): Promise<UserEntity | null> {
    scope.assertDistrict(districtId);
    return this.repo().findOne({ where: { id, districtId } });
  }

  emailExists(email: string): Promise<boolean> {
    return this.repo().exists({ where: { email: email.toLowerCase() } });
  }

  create(u: Partial<UserEntity>): Promise<UserEntity> {
    return this.repo().save(this.repo().create({ ...u, email: u.email?.toLowerCase() }));
  }

  save(u: UserEntity): Promise<UserEntity> {
    return this.repo().save(u);
  }

  /**
   * Saves the user and ends every way in that the old credentials gave: all their sessions are deleted and all
   * their API tokens revoked, in one transaction (a password change, a deactivation).
   */
  saveRevokingAccess(u: UserEntity, at: Date): Promise<UserEntity> {
    return this.ds.transaction(async (m) => {
      const saved = await m.getRepository(UserEntity).save(u);
      await m.getRepository(SessionEntity).delete({ userId: u.id });
      await m.getRepository(ApiTokenEntity).update({ userId: u.id, revokedAt: IsNull() }, { revokedAt: at });
      return saved;
    });
  }

  /** The district of the user holding the e-mail (null for support staff); undefined when nobody does. */
  async emailOwnerDistrict(email: string): Promise<string | null | undefined> {
    const found = await this.repo().findOne({
      where: { email: email.toLowerCase() },
      select: ['id', 'districtId'],
    });
    return found ? found.districtId : undefined;
  }
}
