import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantScope } from 'src/auth/tenant-scope';
import { SisLinkEntity } from 'src/districts/sis-link.entity';

/** A link's encrypted secret, as key rotation reads it. */
export interface LinkSecretRow {
  id: string;
  districtId: string;
  name: string;
  ciphertext: string;
}

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

  /** Points a link's `settings.path` (Ed-Fi XML folder) at a directory, keeping its other settings. */
  async setSettingsPath(scope: TenantScope, districtId: string, id: string, path: string): Promise<void> {
    scope.assertDistrict(districtId);
    await this.ds.query(
      `UPDATE sis_links SET settings = jsonb_set(settings, '{path}', to_jsonb($3::text)), updated_at = now()
       WHERE id = $1 AND district_id = $2`,
      [id, districtId, path],
    );
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

  /** Key rotation (system access, never on behalf of a user): links with a secret, in id order after `afterId`. */
  async secretsAfter(afterId: string | null, limit: number): Promise<LinkSecretRow[]> {
    const rows: Array<{ id: string; district_id: string; name: string; secret_ciphertext: string }> =
      await this.ds.query(
        `SELECT id, district_id, name, secret_ciphertext FROM sis_links
          WHERE secret_ciphertext IS NOT NULL AND ($1::uuid IS NULL OR id > $1::uuid)
          ORDER BY id LIMIT $2`,
        [afterId, limit],
      );
    return rows.map((r) => ({
      id: r.id,
      districtId: r.district_id,
      name: r.name,
      ciphertext: r.secret_ciphertext,
    }));
  }

  /**
   * Replaces secrets in one transaction, each only if it is still the ciphertext that was read (a password
   * changed meanwhile through the API is already under the current key and wins). Answers how many changed.
   */
  replaceSecrets(changes: Array<{ id: string; from: string; to: string }>): Promise<number> {
    if (changes.length === 0) return Promise.resolve(0);
    return this.ds.transaction(async (m) => {
      const res: [unknown, number] = await m.query(
        `UPDATE sis_links l SET secret_ciphertext = c.to_ct, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS c(id, from_ct, to_ct)
          WHERE l.id = c.id AND l.secret_ciphertext = c.from_ct`,
        [changes.map((c) => c.id), changes.map((c) => c.from), changes.map((c) => c.to)],
      );
      return res[1];
    });
  }
}
