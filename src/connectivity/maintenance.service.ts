import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import { CLOCK, type Clock } from 'src/common/tokens';
import type { CreateMaintenanceWindowDto, CreateSilenceDto } from 'src/connectivity/connectivity.dto';
import {
  MaintenanceRepository,
  type MaintenanceWindowRow,
  type SilenceRow,
} from 'src/connectivity/maintenance.repository';

export interface MaintenanceWindowView {
  id: string;
  districtId: string;
  linkId: string | null;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  active: boolean;
}

export interface SilenceView {
  id: string;
  districtId: string;
  linkId: string | null;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  active: boolean;
}

/** Maintenance windows (state MAINTENANCE, no alerts) and silences (alerts muted, incidents still recorded). */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly repo: MaintenanceRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async listWindows(p: Principal, districtId: string, all: boolean): Promise<MaintenanceWindowView[]> {
    TenantScope.of(p).assertDistrict(districtId);
    const now = this.clock.now();
    return (await this.repo.listWindows(districtId, all, now)).map((w) => this.windowView(w, now));
  }

  async createWindow(
    p: Principal,
    districtId: string,
    dto: CreateMaintenanceWindowDto,
  ): Promise<MaintenanceWindowView> {
    TenantScope.of(p).assertDistrict(districtId);
    const { startsAt, endsAt } = this.span(dto.startsAt, dto.endsAt);
    await this.requireLink(districtId, dto.linkId);
    const w = await this.repo.createWindow({
      districtId,
      linkId: dto.linkId ?? null,
      startsAt,
      endsAt,
      reason: dto.reason,
      createdBy: p.userId,
    });
    return this.windowView(w, this.clock.now());
  }

  async deleteWindow(p: Principal, districtId: string, id: string): Promise<void> {
    TenantScope.of(p).assertDistrict(districtId);
    if (!(await this.repo.deleteWindow(districtId, id))) throw DomainException.notFound('maintenance window');
  }

  async listSilences(p: Principal, districtId: string, all: boolean): Promise<SilenceView[]> {
    TenantScope.of(p).assertDistrict(districtId);
    const now = this.clock.now();
    return (await this.repo.listSilences(districtId, all, now)).map((s) => this.silenceView(s, now));
  }

  async createSilence(p: Principal, districtId: string, dto: CreateSilenceDto): Promise<SilenceView> {
    TenantScope.of(p).assertDistrict(districtId);
    const now = this.clock.now();
    const { startsAt, endsAt } = this.span(dto.startsAt ?? now.toISOString(), dto.endsAt);
    if (endsAt <= now) throw DomainException.invalid('endsAt must be in the future');
    await this.requireLink(districtId, dto.linkId);
    const s = await this.repo.createSilence({
      districtId,
      linkId: dto.linkId ?? null,
      startsAt,
      endsAt,
      comment: dto.comment,
      createdBy: p.userId,
    });
    return this.silenceView(s, now);
  }

  async expireSilence(p: Principal, districtId: string, id: string): Promise<void> {
    TenantScope.of(p).assertDistrict(districtId);
    if (!(await this.repo.expireSilence(districtId, id, this.clock.now())))
      throw DomainException.notFound('silence');
  }

  private span(from: string, to: string): { startsAt: Date; endsAt: Date } {
    const startsAt = new Date(from);
    const endsAt = new Date(to);
    if (!(endsAt > startsAt)) throw DomainException.invalid('endsAt must be after startsAt');
    return { startsAt, endsAt };
  }

  private async requireLink(districtId: string, linkId: string | undefined): Promise<void> {
    if (linkId && !(await this.repo.linkBelongs(districtId, linkId))) throw DomainException.notFound('link');
  }

  private windowView(w: MaintenanceWindowRow, now: Date): MaintenanceWindowView {
    return {
      id: w.id,
      districtId: w.district_id,
      linkId: w.link_id,
      startsAt: w.starts_at,
      endsAt: w.ends_at,
      reason: w.reason,
      active: w.starts_at <= now && w.ends_at > now,
    };
  }

  private silenceView(s: SilenceRow, now: Date): SilenceView {
    return {
      id: s.id,
      districtId: s.district_id,
      linkId: s.link_id,
      startsAt: s.starts_at,
      endsAt: s.ends_at,
      comment: s.comment,
      active: s.starts_at <= now && s.ends_at > now,
    };
  }
}
