import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import type { DistrictContactEntity } from 'src/districts/district-contact.entity';
import type { DistrictEntity } from 'src/districts/district.entity';
import type { CreateContactDto, CreateDistrictDto, UpdateDistrictDto } from 'src/districts/districts.dto';
import { DistrictsRepository } from 'src/districts/districts.repository';

export interface DistrictView {
  id: string;
  name: string;
  state: string;
  edition: string;
  timeZone: string;
  nightlyAt: string | null;
  offSeason: DistrictEntity['offSeason'];
  schoolYear: number | null;
  comparisonKeys: DistrictEntity['comparisonKeys'];
  comparisonYears: number | null;
  completenessMaxShrink: number | null;
  createdAt: Date;
}

export type ContactView = Pick<
  DistrictContactEntity,
  'id' | 'name' | 'email' | 'kind' | 'receivesAlerts' | 'receivesDigest'
>;

const toView = (d: DistrictEntity): DistrictView => ({
  id: d.id,
  name: d.name,
  state: d.state,
  edition: d.edition,
  timeZone: d.timeZone,
  nightlyAt: d.nightlyAt,
  offSeason: d.offSeason,
  schoolYear: d.schoolYear,
  comparisonKeys: d.comparisonKeys,
  comparisonYears: d.comparisonYears ?? null,
  completenessMaxShrink: d.completenessMaxShrink ?? null,
  createdAt: d.createdAt,
});

const toContactView = (c: DistrictContactEntity): ContactView => ({
  id: c.id,
  name: c.name,
  email: c.email,
  kind: c.kind,
  receivesAlerts: c.receivesAlerts,
  receivesDigest: c.receivesDigest,
});

@Injectable()
export class DistrictsService {
  constructor(private readonly repo: DistrictsRepository) {}

  async list(p: Principal): Promise<DistrictView[]> {
    return (await this.repo.list(TenantScope.of(p))).map(toView);
  }

  async get(p: Principal, id: string): Promise<DistrictView> {
    return toView(await this.require(TenantScope.of(p), id));
  }

  async create(dto: CreateDistrictDto): Promise<DistrictView> {
    const d = await this.repo.create({
      name: dto.name,
      state: dto.state,
      edition: dto.edition ?? 'full',
      timeZone: dto.timeZone ?? (dto.state === 'TX' ? 'America/Chicago' : 'America/Los_Angeles'),
      nightlyAt: dto.nightlyAt === undefined ? '02:00' : dto.nightlyAt,
      offSeason: dto.offSeason ?? [],
      schoolYear: dto.schoolYear ?? null,
      comparisonKeys: dto.comparisonKeys ? { ...dto.comparisonKeys } : null,
      comparisonYears: dto.comparisonYears ?? null,
      completenessMaxShrink: dto.completenessMaxShrink ?? null,
    });
    return toView(d);
  }

  async update(p: Principal, id: string, dto: UpdateDistrictDto): Promise<DistrictView> {
    const d = await this.require(TenantScope.of(p), id);
    if ((dto.name !== undefined || dto.edition !== undefined) && p.role !== 'support') {
      throw DomainException.forbidden('only support staff change a district name or edition');
    }
    if (dto.name !== undefined) d.name = dto.name;
    if (dto.edition !== undefined) d.edition = dto.edition;
    if (dto.timeZone !== undefined) d.timeZone = dto.timeZone;
    if (dto.nightlyAt !== undefined) d.nightlyAt = dto.nightlyAt;
    if (dto.offSeason !== undefined) d.offSeason = dto.offSeason;
    if (dto.schoolYear !== undefined) d.schoolYear = dto.schoolYear;
    if (dto.comparisonKeys !== undefined)
      d.comparisonKeys = dto.comparisonKeys ? { ...dto.comparisonKeys } : null;
    if (dto.comparisonYears !== undefined) d.comparisonYears = dto.comparisonYears;
    if (dto.completenessMaxShrink !== undefined) d.completenessMaxShrink = dto.completenessMaxShrink;
    return toView(await this.repo.save(d));
  }

  async listContacts(p: Principal, districtId: string): Promise<ContactView[]> {
    const scope = TenantScope.of(p);
    await this.require(scope, districtId);
    return (await this.repo.listContacts(scope, districtId)).map(toContactView);
  }

  async addContact(p: Principal, districtId: string, dto: CreateContactDto): Promise<ContactView> {
    const scope = TenantScope.of(p);
    await this.require(scope, districtId);
    const c = await this.repo.createContact(scope, {
      districtId,
      name: dto.name,
      email: dto.email.toLowerCase(),
      kind: dto.kind ?? 'administrative',
      receivesAlerts: dto.receivesAlerts ?? true,
      receivesDigest: dto.receivesDigest ?? true,
    });
    return toContactView(c);
  }

  async removeContact(p: Principal, districtId: string, id: string): Promise<void> {
    if (!(await this.repo.deleteContact(TenantScope.of(p), districtId, id)))
      throw DomainException.notFound('contact');
  }

  private async require(scope: TenantScope, id: string): Promise<DistrictEntity> {
    const d = await this.repo.find(scope, id);
    if (!d) throw DomainException.notFound('district');
    return d;
  }
}
