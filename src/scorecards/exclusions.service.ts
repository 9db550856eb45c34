import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { DomainException } from 'src/common/domain.exception';
import { CLOCK, type Clock } from 'src/common/tokens';
import type {
  AuditListDto,
  CreateExclusionDto,
  DecisionDto,
  ExclusionDto,
  ExclusionListDto,
  ExclusionListQueryDto,
} from 'src/scorecards/exclusions.dto';
import { ExclusionsRepository, type ExclusionRecord } from 'src/scorecards/exclusions.repository';
import type { ExceptionItemDto } from 'src/scorecards/scorecards.dto';
import { ScorecardsService, type ResultsContext } from 'src/scorecards/scorecards.service';

/**
 * Exclusions of findings by fingerprint. District admins and support create them active; school and program users
 * propose them (an admin approves or rejects); anyone may see them in their scope. Every change is audited. An
 * active exclusion stops applying at its expiry, and the finding counts again.
 */
@Injectable()
export class ExclusionsService {
  constructor(
    private readonly repo: ExclusionsRepository,
    private readonly scorecards: ScorecardsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async withRecords(ctx: ResultsContext, list: ExclusionRecord[]): Promise<ExclusionDto[]> {
    const records = await this.scorecards.recordsOf(
      ctx,
      list.map((e) => e.fingerprint),
    );
    return list.map((e) => this.toDto(e, records.get(e.fingerprint) ?? null));
  }

  private toDto(e: ExclusionRecord, record: ExceptionItemDto | null): ExclusionDto {
    const { createdBy: _createdBy, ...rest } = e;
    return { ...rest, record };
  }

  async list(p: Principal, districtId: string, q: ExclusionListQueryDto): Promise<ExclusionListDto> {
    const ctx = await this.scorecards.context(p, districtId, {});
    return { items: await this.withRecords(ctx, await this.repo.list(ctx.scope, q.status ?? 'all')) };
  }

  private async one(ctx: ResultsContext, id: string): Promise<ExclusionDto> {
    const e = await this.repo.find(ctx.scope, id);
    if (!e) throw DomainException.notFound('exclusion');
    return (await this.withRecords(ctx, [e]))[0];
  }

  async create(p: Principal, districtId: string, dto: CreateExclusionDto): Promise<ExclusionDto> {
    const ctx = await this.scorecards.context(p, districtId, {});
    const scope = ctx.scope;
    if (!scope.ruleVisible(dto.ruleId)) throw DomainException.notFound('finding');
    if (dto.expiresAt && dto.expiresAt.getTime() <= this.clock.now().getTime())
      throw DomainException.invalid('expiresAt must be in the future', ['expiresAt: must be in the future']);
    const finding = await this.repo.findingOf(scope, dto.fingerprint, dto.ruleId);
    if (!finding) throw DomainException.notFound('finding');
    const status = scope.isAdmin ? 'active' : 'proposed';
    const id = await this.repo.transaction(async (tx) => {
      const open = await this.repo.openFor(tx, districtId, dto.fingerprint);
      if (open)
        throw DomainException.conflict(`this finding already has a ${open.status} exclusion (${open.id})`);
      const newId = await this.repo.insert(tx, {
        districtId,
        ruleId: dto.ruleId,
        fingerprint: dto.fingerprint,
        reason: dto.reason,
        status,
        expiresAt: dto.expiresAt ?? null,
        ...finding,
        actorId: p.userId,
        actorEmail: p.email,
      });
      await this.repo.audit(
        tx,
        { id: newId, districtId },
        { id: p.userId, email: p.email },
        status === 'active' ? 'created' : 'proposed',
        dto.reason,
      );
      return newId;
    });
    return this.one(ctx, id);
  }

  async decide(
    p: Principal,
    districtId: string,
    id: string,
    decision: 'approve' | 'reject',
    dto: DecisionDto,
  ): Promise<ExclusionDto> {
    const ctx = await this.scorecards.context(p, districtId, {});
    if (!ctx.scope.isAdmin)
      throw DomainException.forbidden('only a district admin can decide on an exclusion');
    const to = decision === 'approve' ? 'active' : 'rejected';
    await this.repo.transaction(async (tx) => {
      const e = await this.repo.find(ctx.scope, id, tx);
      if (!e) throw DomainException.notFound('exclusion');
      if (!(await this.repo.setStatus(tx, districtId, id, ['proposed'], to, p.email, dto.note ?? null)))
        throw DomainException.conflict(`the exclusion is ${e.status}, not proposed`);
      await this.repo.audit(
        tx,
        e,
        { id: p.userId, email: p.email },
        decision === 'approve' ? 'approved' : 'rejected',
        dto.note ?? null,
      );
    });
    return this.one(ctx, id);
  }

  /** Revokes an exclusion (admins), or withdraws one's own proposal. */
  async revoke(p: Principal, districtId: string, id: string): Promise<void> {
    const ctx = await this.scorecards.context(p, districtId, {});
    await this.repo.transaction(async (tx) => {
      const e = await this.repo.find(ctx.scope, id, tx);
      if (!e) throw DomainException.notFound('exclusion');
      const own = e.createdBy === p.userId && e.status === 'proposed';
      if (!ctx.scope.isAdmin && !own)
        throw DomainException.forbidden('only a district admin can revoke an exclusion');
      if (!(await this.repo.setStatus(tx, districtId, id, ['active', 'proposed'], 'revoked', p.email, null)))
        throw DomainException.conflict(`the exclusion is ${e.status}`);
      await this.repo.audit(tx, e, { id: p.userId, email: p.email }, 'revoked', null);
    });
  }

  async audit(p: Principal, districtId: string, id: string): Promise<AuditListDto> {
    const ctx = await this.scorecards.context(p, districtId, {});
    const e = await this.repo.find(ctx.scope, id);
    if (!e) throw DomainException.notFound('exclusion');
    return { items: await this.repo.auditTrail(districtId, id) };
  }
}
