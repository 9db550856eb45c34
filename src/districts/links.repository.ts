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

  /**
   * Binds the link to one of its own district's agents (transport becomes 'agent'), or unbinds it with null
   * (transport 'direct'). Answers what was missing: the link, or a live agent of the same district.
   */
  async bindAgent(
    scope: TenantScope,
    districtId: string,
    linkId: string,
    agentId: string | null,
  ): Promise<'bound' | 'no_link' | 'no_agent'> {
    scope.assertDistrict(districtId);
    return this.ds.transaction(async (m) => {
      const link: Array<{ id: string }> = await m.query(
        `SELECT id FROM sis_links WHERE id = $1 AND district_id = $2 FOR UPDATE`,
        [linkId, districtId],
      );
      if (!link[0]) return 'no_link';
      if (agentId !== null) {
        const agent: Array<{ id: string }> = await m.query(
          `SELECT id FROM agents WHERE id = $1 AND district_id = $2 AND revoked_at IS NULL`,
          [agentId, districtId],
        );
        if (!agent[0]) return 'no_agent';
      }
      await m.query(`UPDATE sis_links SET agent_id = $2, transport = $3, updated_at = now() WHERE id = $1`, [
        linkId,
        agentId,
        agentId === null ? 'direct' : 'agent',
      ]);
      return 'bound';
    });
  }

  async delete(scope: TenantScope, districtId: string, id: string): Promise<boolean> {
    scope.assertDistrict(districtId);
    const res = await this.ds.getRepository(SisLinkEntity).delete({ id, districtId });
    return (res.affected ?? 0) > 0;
  }
}
