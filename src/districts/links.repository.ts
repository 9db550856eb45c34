import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantScope } from 'src/auth/tenant-scope';
import { SisLinkEntity } from 'src/districts/sis-link.entity';

@Injectable()
export class LinksRepository {
  constructor(private readonly ds: DataSource) {}

  list(scope: TenantScope, districtId: string): Promise<SisLinkEntity[]> {
    scope.assertDistrict(districtId);
    return this.ds.getRepository(SisLinkEntity).find({ where: { districtId }, order: { role: 'ASC' } });
  }

  find(scope: TenantScope, districtId: string, id: string): Promise<SisLinkEntity | null> {
    scope.assertDistrict(districtId);
    return this.ds.getRepository(SisLinkEntity).findOne({ where: { id, districtId } });
  }

  /** System access by id (workers, probes); never used on behalf of a user. */
  findById(id: string): Promise<SisLinkEntity | null> {
    return this.ds.getRepository(SisLinkEntity).findOne({ where: { id } });
  }

  listEnabled(): Promise<SisLinkEntity[]> {
    return this.ds.getRepository(SisLinkEntity).find({ where: { enabled: true } });
  }

  create(l: Partial<SisLinkEntity>): Promise<SisLinkEntity> {
    const repo = this.ds.getRepository(SisLinkEntity);
    return repo.save(repo.create(l));
  }

  save(l: SisLinkEntity): Promise<SisLinkEntity> {
    return this.ds.getRepository(SisLinkEntity).save(l);
  }

  async delete(scope: TenantScope, districtId: string, id: string): Promise<boolean> {
    scope.assertDistrict(districtId);
    const res = await this.ds.getRepository(SisLinkEntity).delete({ id, districtId });
    return (res.affected ?? 0) > 0;
  }
}
