import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import { DomainException } from 'src/common/domain.exception';
import type { StartRunDto } from 'src/runs/runs.dto';
import { RunsRepository } from 'src/runs/runs.repository';
import { StartRunUseCase } from 'src/runs/start-run.use-case';
import type { RunDetailDto, RunListDto, RunSideDto, RunStepDto, RunViewDto } from 'src/runs/runs.responses';
import type { CheckpointRecord, RunRecord, RunSideRecord } from 'src/runs/runs.types';

export const RUNS_PAGE_SIZE = 50;

const toSideView = (s: RunSideRecord): RunSideDto => ({
  side: s.side,
  linkId: s.linkId,
  linkName: s.linkName,
  status: s.status,
  reason: s.reason,
});

/** Why a step ended without doing its work (a side not extracted, a comparison without both sides). */
const stepReason = (c: CheckpointRecord): string | null => {
  const why = c.detail.skipped ?? c.detail.failed;
  return typeof why === 'string' ? why : null;
};

/**
 * What a step left out and why: the fields the SIS schema does not supply (extraction) and the rules that
 * dropped out for them (evaluation).
 */
const stepLeftOut = (c: CheckpointRecord): string[] => {
  const notes = c.detail.leftOut;
  return Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [];
};

/** The one mapping of the run domain type (RunRecord) to its response DTO. */
export const toRunView = (r: RunRecord, sides: RunSideRecord[] = []): RunViewDto => ({
  id: r.id,
  districtId: r.districtId,
  kind: r.kind,
  status: r.status,
  phase: r.phase,
  percent: r.percent,
  message: r.message,
  asOf: r.asOf,
  schoolYear: r.schoolYear,
  comparisonYears: r.comparisonYears,
  links: { current: r.currentLinkId, old: r.oldLinkId, new: r.newLinkId },
  trigger: { kind: r.triggerKind, userId: r.triggeredBy },
  skipReason: r.skipReason,
  error: r.error,
  scheduledFor: r.scheduledFor,
  catchUpOf: r.catchUpOf,
  attempts: r.attempts,
  cancelRequested: r.cancelRequested,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  sides: sides.filter((s) => s.runId === r.id).map(toSideView),
});

/** Runs as the API sees them; every call is scoped to the caller's tenant. */
@Injectable()
export class RunsService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly startRun: StartRunUseCase,
  ) {}

  async start(p: Principal, districtId: string, dto: StartRunDto): Promise<RunViewDto> {
    TenantScope.of(p).assertDistrict(districtId);
    const run = await this.startRun.execute({
      districtId,
      kind: dto.kind,
      asOf: dto.asOf,
      comparisonYears: dto.comparisonYears,
      trigger: 'user',
      triggeredBy: p.userId,
    });
    if (!run) throw DomainException.conflict('the run could not be recorded');
    return toRunView(run, await this.runs.sides([run.id]));
  }

  async list(p: Principal, districtId: string, page: number): Promise<RunListDto> {
    TenantScope.of(p).assertDistrict(districtId);
    const items = await this.runs.list(districtId, RUNS_PAGE_SIZE, (page - 1) * RUNS_PAGE_SIZE);
    const sides = await this.runs.sides(items.map((r) => r.id));
    return { items: items.map((r) => toRunView(r, sides)), page, pageSize: RUNS_PAGE_SIZE };
  }

  async get(p: Principal, districtId: string, runId: string): Promise<RunDetailDto> {
    const run = await this.require(p, districtId, runId);
    const steps = [...(await this.runs.checkpoints(run.id)).values()].map((c): RunStepDto => ({
      step: c.step,
      target: c.target,
      status: c.status,
      reason: stepReason(c),
      leftOut: stepLeftOut(c),
    }));
    return { ...toRunView(run, await this.runs.sides([run.id])), steps };
  }

  async cancel(p: Principal, districtId: string, runId: string): Promise<RunViewDto> {
    const run = await this.require(p, districtId, runId);
    const updated = await this.runs.requestCancel(districtId, run.id);
    if (!updated) throw DomainException.conflict(`the run is already ${run.status}`);
    return toRunView(updated, await this.runs.sides([run.id]));
  }

  private async require(p: Principal, districtId: string, runId: string): Promise<RunRecord> {
    TenantScope.of(p).assertDistrict(districtId);
    const run = await this.runs.find(districtId, runId);
    if (!run) throw DomainException.notFound('run');
    return run;
  }
}
