import { rm } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import type { SecretBox } from 'src/common/crypto/secret-box.service';
import { DomainException } from 'src/common/domain.exception';
import { SECRET_BOX } from 'src/common/tokens';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { uploadFolderOf } from 'src/districts/edfi-files.service';
import type { CreateLinkDto, UpdateLinkDto } from 'src/districts/districts.dto';
import { DistrictsRepository } from 'src/districts/districts.repository';
import { LinksRepository } from 'src/districts/links.repository';
import type { LinkConnectionSettings, SisLinkEntity } from 'src/districts/sis-link.entity';

/** What the API shows of a link: never the secret, only whether one is set. */
export interface LinkView {
  id: string;
  districtId: string;
  name: string;
  role: SisLinkEntity['role'];
  sisKind: SisLinkEntity['sisKind'];
  transport: SisLinkEntity['transport'];
  settings: LinkConnectionSettings;
  hasSecret: boolean;
  isTestCopy: boolean;
  enabled: boolean;
  probeIntervalSeconds: number;
  snapshotsToKeep: number;
  agentId: string | null;
}

export const toLinkView = (l: SisLinkEntity): LinkView => ({
  id: l.id,
  districtId: l.districtId,
  name: l.name,
  role: l.role,
  sisKind: l.sisKind,
  transport: l.transport,
  settings: l.settings,
  hasSecret: l.secretCiphertext !== null,
  isTestCopy: l.isTestCopy,
  enabled: l.enabled,
  probeIntervalSeconds: l.probeIntervalSeconds,
  snapshotsToKeep: l.snapshotsToKeep,
  agentId: l.agentId,
});

@Injectable()
export class LinksService {
  constructor(
    private readonly links: LinksRepository,
    private readonly districts: DistrictsRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(p: Principal, districtId: string): Promise<LinkView[]> {
    const scope = TenantScope.of(p);
    await this.requireDistrict(scope, districtId);
    return (await this.links.list(scope, districtId)).map(toLinkView);
  }

  async get(p: Principal, districtId: string, id: string): Promise<LinkView> {
    return toLinkView(await this.require(TenantScope.of(p), districtId, id));
  }

  async create(p: Principal, districtId: string, dto: CreateLinkDto): Promise<LinkView> {
    const scope = TenantScope.of(p);
    await this.requireDistrict(scope, districtId);
    const existing = await this.links.list(scope, districtId);
    if (existing.some((l) => l.role === dto.role)) {
      throw DomainException.conflict(`the district already has a '${dto.role}' link`);
    }
    const link = await this.links.create({
      districtId,
      name: dto.name,
      role: dto.role,
      sisKind: dto.sisKind,
      transport: dto.transport ?? 'direct',
      settings: { ...dto.settings },
      secretCiphertext: dto.password ? this.box.encrypt(dto.password) : null,
      isTestCopy: dto.isTestCopy ?? false,
      probeIntervalSeconds: dto.probeIntervalSeconds ?? 60,
      snapshotsToKeep: dto.snapshotsToKeep ?? 3,
    });
    return toLinkView(link);
  }

  async update(p: Principal, districtId: string, id: string, dto: UpdateLinkDto): Promise<LinkView> {
    const scope = TenantScope.of(p);
    const link = await this.require(scope, districtId, id);
    if (dto.role && dto.role !== link.role) {
      const others = await this.links.list(scope, districtId);
      if (others.some((l) => l.role === dto.role))
        throw DomainException.conflict(`the district already has a '${dto.role}' link`);
      link.role = dto.role;
    }
    if (dto.name !== undefined) link.name = dto.name;
    if (dto.transport !== undefined) link.transport = dto.transport;
    if (dto.settings !== undefined) link.settings = { ...dto.settings };
    if (dto.password !== undefined) link.secretCiphertext = this.box.encrypt(dto.password);
    if (dto.isTestCopy !== undefined) link.isTestCopy = dto.isTestCopy;
    if (dto.enabled !== undefined) link.enabled = dto.enabled;
    if (dto.probeIntervalSeconds !== undefined) link.probeIntervalSeconds = dto.probeIntervalSeconds;
    if (dto.snapshotsToKeep !== undefined) link.snapshotsToKeep = dto.snapshotsToKeep;
    return toLinkView(await this.links.save(link));
  }

  /** A link by its id alone, in whichever district of the caller's scope it is (the CLI names links so). */
  async locate(p: Principal, id: string): Promise<LinkView> {
    const link = await this.links.findById(id);
    if (!link) throw DomainException.notFound('link');
    return this.get(p, link.districtId, id);
  }

  /** Binds the link to an agent of its district (or unbinds it with null): its extractions go through it. */
  async bindAgent(p: Principal, districtId: string, id: string, agentId: string | null): Promise<LinkView> {
    const scope = TenantScope.of(p);
    await this.requireDistrict(scope, districtId);
    const outcome = await this.links.bindAgent(scope, districtId, id, agentId);
    if (outcome === 'no_link') throw DomainException.notFound('link');
    if (outcome === 'no_agent') throw DomainException.notFound('agent');
    return this.get(p, districtId, id);
  }

  async remove(p: Principal, districtId: string, id: string): Promise<void> {
    if (!(await this.links.delete(TenantScope.of(p), districtId, id))) throw DomainException.notFound('link');
    // Ed-Fi XML files uploaded to the link go with it.
    await rm(uploadFolderOf(this.config, id), { recursive: true, force: true });
  }

  private async require(scope: TenantScope, districtId: string, id: string): Promise<SisLinkEntity> {
    await this.requireDistrict(scope, districtId);
    const link = await this.links.find(scope, districtId, id);
    if (!link) throw DomainException.notFound('link');
    return link;
  }

  private async requireDistrict(scope: TenantScope, districtId: string): Promise<void> {
    if (!(await this.districts.find(scope, districtId))) throw DomainException.notFound('district');
  }
}
