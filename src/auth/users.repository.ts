import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
}
