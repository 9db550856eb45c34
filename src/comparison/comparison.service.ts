import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';
import {
  ComparisonRepository,
  type DifferenceFilter,
  type DifferencePage,
} from 'src/comparison/comparison.repository';
import type {
  ComparisonRecord,
  ComparisonReport,
  ReferenceWarning,
  RuleDelta,
  WarningGroup,
} from 'src/comparison/comparison.types';
import { DomainException } from 'src/common/domain.exception';

export const DIFFERENCES_PAGE_SIZE = 100;

/** Read side of comparisons, addressed by the run that produced them. */
@Injectable()
export class ComparisonService {
  constructor(private readonly repo: ComparisonRepository) {}

  async report(
    p: Principal,
    districtId: string,
    runId: string,
  ): Promise<
    ComparisonReport & {
      warnings: { total: number; stored: number; summary: WarningGroup[]; first: ReferenceWarning[] };
    }
  > {
    const comparison = await this.require(p, districtId, runId);
    const [entities, schools, warnings] = await Promise.all([
      this.repo.summaries(comparison.id),
      this.repo.readiness(comparison.id),
      this.repo.warnings(comparison.id, 20, 0),
    ]);
    return {
      comparison,
      entities,
      schools,
      // total counts every warning; stored is how many are listed page by page; the summary covers all.
      warnings: {
        total: comparison.warningsTotal,
        stored: warnings.total,
        summary: comparison.warningSummary,
        first: warnings.items,
      },
    };
  }

  async differences(
    p: Principal,
    districtId: string,
    runId: string,
    q: Omit<DifferenceFilter, 'limit' | 'offset'> & { page: number },
  ): Promise<DifferencePage & { page: number; pageSize: number }> {
    const comparison = await this.require(p, districtId, runId);
    const page = await this.repo.differences(comparison.id, {
      entity: q.entity,
      field: q.field,
      kind: q.kind,
      limit: DIFFERENCES_PAGE_SIZE,
      offset: (q.page - 1) * DIFFERENCES_PAGE_SIZE,
    });
    return { ...page, page: q.page, pageSize: DIFFERENCES_PAGE_SIZE };
  }

  async ruleDelta(
    p: Principal,
    districtId: string,
    runId: string,
  ): Promise<{ rules: RuleDelta[]; evaluated: boolean }> {
    const comparison = await this.require(p, districtId, runId);
    const rules = await this.repo.ruleDelta(comparison.id);
    return { rules, evaluated: comparison.oldEvaluationId !== null && comparison.newEvaluationId !== null };
  }

  async warnings(
    p: Principal,
    districtId: string,
    runId: string,
    page: number,
  ): Promise<{ items: ReferenceWarning[]; total: number }> {
    const comparison = await this.require(p, districtId, runId);
    return this.repo.warnings(comparison.id, DIFFERENCES_PAGE_SIZE, (page - 1) * DIFFERENCES_PAGE_SIZE);
  }

  private async require(p: Principal, districtId: string, runId: string): Promise<ComparisonRecord> {
    TenantScope.of(p).assertDistrict(districtId);
    const c = await this.repo.findByRun(runId);
    if (!c || c.districtId !== districtId) throw DomainException.notFound('comparison');
    return c;
  }
}
