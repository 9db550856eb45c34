import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantScope } from 'src/auth/tenant-scope';
import { DistrictContactEntity } from 'src/districts/district-contact.entity';
import { DistrictEntity } from 'src/districts/district.entity';

/** Districts and their contacts; every read and write goes through the caller's tenant scope. */
@Injectable()
export class DistrictsRepository {
  constructor(private readonly ds: DataSource) {}

  list(scope: TenantScope): Promise<DistrictEntity[]> {
    const where = scope.districtId === null ? {} : { id: scope.districtId };
    return this.ds.getRepository(DistrictEntity).find({ where, order: { name: 'ASC' } });
  }

  find(scope: TenantScope, id: string): Promise<DistrictEntity | null> {
    if (scope.districtId !== null && scope.districtId !== id) return Promise.resolve(null);
    return this.ds.getRepository(DistrictEntity).findOne({ where: { id } });
  }

  create(d: Partial<DistrictEntity>): Promise<DistrictEntity> {
    const repo = this.ds.getRepository(DistrictEntity);
    return repo.save(repo.create(d));
  }

  save(d: DistrictEntity): Promise<DistrictEntity> {
    return this.ds.getRepository(DistrictEntity).save(d);
  }

  listContacts(scope: TenantScope, districtId: string): Promise<DistrictContactEntity[]> {
    scope.assertDistrict(districtId);
    return this.ds
      .getRepository(DistrictContactEntity)
      .find({ where: { districtId }, order: { name: 'ASC' } });
  }

  createContact(
    scope: TenantScope,
    c: Partial<DistrictContactEntity> & { districtId: string },
  ): Promise<DistrictContactEntity> {
    scope.assertDistrict(c.districtId);
    const repo = this.ds.getRepository(DistrictContactEntity);
    return repo.save(repo.create(c));
  }

  async deleteContact(scope: TenantScope, districtId: string, id: string): Promise<boolean> {
    scope.assertDistrict(districtId);
    const res = await this.ds.getRepository(DistrictContactEntity).delete({ id, districtId });
    return (res.affected ?? 0) > 0;
  }
}
