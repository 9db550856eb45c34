import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/auth/auth.types';
import { DomainException } from 'src/common/domain.exception';
import type { Severity } from 'src/rule-engine/rule.types';
import { ResultsScope } from 'src/scorecards/results-scope';
import { RuleCatalogService } from 'src/scorecards/rule-catalog.service';
import {
  SCORE_FORMULA,
  certificationScore,
  checkedInScope,
  type ScoredRule,
} from 'src/scorecards/score.util';
import type {
  DistributionDto,
  DistrictScoreListDto,
  EvaluationQueryDto,
  ExceptionItemDto,
  ExceptionPageDto,
  ExceptionsFilterDto,
  ExceptionsQueryDto,
  RuleDetailDto,
  RuleSummaryDto,
  SchoolScoreDto,
  ScorecardDto,
  ScorecardQueryDto,
  SideStatusDto,
  TrendPointDto,
} from 'src/scorecards/scorecards.dto';
import { ScorecardsRepository, type ExceptionQuery } from 'src/scorecards/scorecards.repository';
import type {
  DistributionBy,
  EvaluationRef,
  ExceptionFilter,
  ExceptionRow,
  RuleMeta,
  RuleResultFacts,
  Side,
} from 'src/scorecards/scorecards.types';

export const TREND_RUNS = 30;

export interface ResultsContext {
  district: { id: string; name: string; state: string };
  catalog: Map<string, RuleMeta>;
  scope: ResultsScope;
  side: Side;
  evaluation: EvaluationRef | null;
}

interface RuleTally {
  open: number;
  excluded: number;
  new: number;
  persisting: number;
}

const emptyTally = (): RuleTally => ({ open: 0, excluded: 0, new: 0, persisting: 0 });

function severityCounts(rules: Array<{ severity: Severity; open: number; excluded: number }>): {
  fatal: number;
  error: number;
  warning: number;
  excluded: number;
} {
  const c = { fatal: 0, error: 0, warning: 0, excluded: 0 };
  for (const r of rules) {
    c[r.severity] += r.open;
    c.excluded += r.excluded;
  }
  return c;
}

function scopedStatus(r: RuleResultFacts, open: number): RuleSummaryDto['status'] {
  if (r.status === 'error' || r.status === 'skipped') return r.status;
  if (open === 0 || r.status === 'pass') return 'pass';
  return r.severity === 'warning' ? 'warn' : 'fail';
}

/** Scorecards, rule drill-down, exceptions and distributions for the caller's scope (docs/scorecards.md). */
@Injectable()
export class ScorecardsService {
  constructor(
    private readonly repo: ScorecardsRepository,
    private readonly rules: RuleCatalogService,
  ) {}

  /** District (404 outside the caller's tenant), rule catalog, scope and the evaluation asked for. */
  async context(p: Principal, districtId: string, q: EvaluationQueryDto): Promise<ResultsContext> {
    if (p.role !== 'support' && p.districtId !== districtId) throw DomainException.notFound('district');
    const district = await this.repo.district(districtId);
    if (!district) throw DomainException.notFound('district');
    const catalog = await this.rules.forDistrict(districtId);
    return this.contextFor(district, catalog, ResultsScope.of(p, districtId, catalog), q);
  }

  async contextFor(
    district: { id: string; name: string; state: string },
    catalog: RuleMeta[],
    scope: ResultsScope,
    q: EvaluationQueryDto,
  ): Promise<ResultsContext> {
    const side = q.side ?? (await this.repo.defaultSide(district.id));
    const evaluation = await this.repo.evaluation(district.id, side, q.runId);
    if (q.runId && !evaluation)
      throw DomainException.notFound(`evaluation of the ${side} side of run ${q.runId}`);
    return { district, catalog: new Map(catalog.map((r) => [r.ruleId, r])), scope, side, evaluation };
  }

  async scorecard(p: Principal, districtId: string, q: ScorecardQueryDto): Promise<ScorecardDto> {
    const ctx = await this.context(p, districtId, q);
    if (q.schoolId) ctx.scope = ctx.scope.withSchool(q.schoolId);
    return this.build(ctx);
  }

  /** The scorecard of a context (also used for digests, with a user's scope). */
  async build(ctx: ResultsContext, trendRuns = TREND_RUNS): Promise<ScorecardDto> {
    const { district, scope, evaluation: e } = ctx;
    if (!e) {
      return {
        districtId: district.id,
        districtName: district.name,
        runId: null,
        side: ctx.side,
        asOf: null,
        evaluatedAt: null,
        score: null,
        scoreFormula: SCORE_FORMULA,
        counts: { fatal: 0, error: 0, warning: 0, excluded: 0 },
        findings: { new: 0, persisting: 0, resolved: 0 },
        sides: [],
        trend: [],
        rules: [],
        schools: [],
      };
    }
    const history = await this.repo.history(e, trendRuns);
    const ids = history.map((h) => h.evaluationId);
    const [results, population, trendCounts, counts, resolved, sides] = await Promise.all([
      this.repo.ruleResults(ids, scope),
      this.repo.population(ids, scope),
      this.repo.trendCounts(ids, scope),
      this.repo.scopeCounts(e, scope),
      this.repo.resolved(e, scope),
      this.repo.runSides(district.id, e.runId),
    ]);
    const share = (evaluationId: string): number => {
      const pop = population.get(evaluationId);
      return pop && pop.total > 0 ? pop.inScope / pop.total : 1;
    };

    // Trend: one score per evaluation of the side, from the captured counts.
    const trendOf = new Map<string, Map<string, { failed: number; excluded: number }>>();
    for (const t of trendCounts) {
      const m = trendOf.get(t.evaluationId) ?? new Map<string, { failed: number; excluded: number }>();
      m.set(t.ruleId, { failed: t.failed, excluded: t.excluded });
      trendOf.set(t.evaluationId, m);
    }
    const resultsOf = new Map<string, RuleResultFacts[]>();
    for (const r of results) {
      const list = resultsOf.get(r.evaluationId);
      if (list) list.push(r);
      else resultsOf.set(r.evaluationId, [r]);
    }
    const trend: TrendPointDto[] = history.map((h) => {
      const scored = (resultsOf.get(h.evaluationId) ?? []).map((r): ScoredRule => {
        const t = trendOf.get(h.evaluationId)?.get(r.ruleId);
        return { ...r, open: t?.failed ?? 0, excluded: t?.excluded ?? 0 };
      });
      const c = severityCounts(scored);
      return {
        runId: h.runId,
        asOf: h.asOf,
        evaluatedAt: h.evaluatedAt,
        score: certificationScore(scored, share(h.evaluationId)),
        fatal: c.fatal,
        error: c.error,
        warning: c.warning,
      };
    });

    // The evaluation itself: per rule and per school.
    const perRule = new Map<string, RuleTally>();
    const perSchool = new Map<string, Map<string, RuleTally>>();
    for (const c of counts) {
      const add = (t: RuleTally): void => {
        t.open += c.failed;
        t.excluded += c.excluded;
        t.new += c.new;
        t.persisting += c.persisting;
      };
      const r = perRule.get(c.ruleId) ?? emptyTally();
      add(r);
      perRule.set(c.ruleId, r);
      if (c.schoolId !== null) {
        const s = perSchool.get(c.schoolId) ?? new Map<string, RuleTally>();
        const rs = s.get(c.ruleId) ?? emptyTally();
        add(rs);
        s.set(c.ruleId, rs);
        perSchool.set(c.schoolId, s);
      }
    }
    const current = resultsOf.get(e.evaluationId) ?? [];
    const scopeShare = share(e.evaluationId);
    const rules: RuleSummaryDto[] = current.map((r) => {
      const t = perRule.get(r.ruleId) ?? emptyTally();
      const meta = ctx.catalog.get(r.ruleId);
      return {
        ruleId: r.ruleId,
        title: meta?.title ?? r.ruleId,
        severity: r.severity,
        entity: r.entity,
        audience: meta?.audience ?? ['district'],
        source: meta?.source ?? '',
        prescription: meta?.prescription ?? '',
        status: scopedStatus(r, t.open),
        checked: checkedInScope({ ...r, open: t.open, excluded: t.excluded }, scopeShare),
        failed: t.open,
        excluded: t.excluded,
        new: t.new,
        persisting: t.persisting,
        resolved: resolved.get(r.ruleId) ?? 0,
        trend: history.map((h) => trendOf.get(h.evaluationId)?.get(r.ruleId)?.failed ?? 0),
      };
    });
    const severityRank: Record<Severity, number> = { fatal: 0, error: 1, warning: 2 };
    rules.sort(
      (a, b) =>
        b.failed - a.failed ||
        severityRank[a.severity] - severityRank[b.severity] ||
        a.ruleId.localeCompare(b.ruleId),
    );
    const scored = current.map((r): ScoredRule => {
      const t = perRule.get(r.ruleId) ?? emptyTally();
      return { ...r, open: t.open, excluded: t.excluded };
    });
    const pop = population.get(e.evaluationId);
    // One reusable row per rule, refilled per school: 60 schools × 120 rules allocated nothing per pair.
    const schoolScored = current.map((r): ScoredRule & { ruleId: string } => ({
      ...r,
      open: 0,
      excluded: 0,
    }));
    const schools: SchoolScoreDto[] = [...perSchool.entries()]
      .map(([schoolId, m]) => {
        for (const r of schoolScored) {
          const t = m.get(r.ruleId);
          r.open = t?.open ?? 0;
          r.excluded = t?.excluded ?? 0;
        }
        const students = pop?.schools.get(schoolId)?.students ?? 0;
        const c = severityCounts(schoolScored);
        return {
          schoolId,
          name: pop?.schools.get(schoolId)?.name ?? null,
          score: certificationScore(schoolScored, pop && pop.total > 0 ? students / pop.total : 0),
          fatal: c.fatal,
          error: c.error,
          warning: c.warning,
        };
      })
      .sort((a, b) => a.schoolId.localeCompare(b.schoolId));

    return {
      districtId: district.id,
      districtName: district.name,
      runId: e.runId,
      side: e.side,
      asOf: e.asOf,
      evaluatedAt: e.evaluatedAt,
      score: certificationScore(scored, scopeShare),
      scoreFormula: SCORE_FORMULA,
      counts: severityCounts(scored),
      findings: {
        new: rules.reduce((n, r) => n + r.new, 0),
        persisting: rules.reduce((n, r) => n + r.persisting, 0),
        resolved: [...resolved.values()].reduce((n, v) => n + v, 0),
      },
      sides: sides.map((s): SideStatusDto => {
        const ref = { side: s.side, linkId: s.linkId, linkName: s.linkName };
        if (s.evaluated || s.status === 'evaluated') return { ...ref, status: 'evaluated', reason: null };
        if (s.status === 'failed' || s.runStatus === 'failed')
          return { ...ref, status: 'failed', reason: s.reason ?? s.runError };
        return {
          ...ref,
          status: 'skipped',
          reason: s.reason ?? (s.status === 'pending' ? `run ${s.runStatus}` : null),
        };
      }),
      trend,
      rules,
      schools,
    };
  }

  async rule(
    p: Principal,
    districtId: string,
    ruleId: string,
    q: EvaluationQueryDto,
  ): Promise<RuleDetailDto> {
    const ctx = await this.context(p, districtId, q);
    if (!ctx.scope.ruleVisible(ruleId)) throw DomainException.notFound('rule');
    const card = await this.build(ctx);
    const summary = card.rules.find((r) => r.ruleId === ruleId);
    const meta = ctx.catalog.get(ruleId);
    if (!summary && !meta) throw DomainException.notFound('rule');
    const history = ctx.evaluation ? await this.repo.history(ctx.evaluation, TREND_RUNS) : [];
    const base = summary ?? {
      ruleId,
      title: meta?.title ?? ruleId,
      severity: meta?.severity ?? 'error',
      entity: meta?.entity ?? '',
      audience: meta?.audience ?? ['district'],
      source: meta?.source ?? '',
      prescription: meta?.prescription ?? '',
      status: 'skipped' as const,
      checked: 0,
      failed: 0,
      excluded: 0,
      new: 0,
      persisting: 0,
      resolved: 0,
      trend: history.map(() => 0),
    };
    const { trend, ...facts } = base;
    return {
      ...facts,
      description: meta?.description ?? null,
      needs: meta?.needs ?? [],
      checkKind: meta?.checkKind ?? '',
      runId: card.runId,
      trend: history.map((h, i) => ({ runId: h.runId, evaluatedAt: h.evaluatedAt, failed: trend[i] ?? 0 })),
    };
  }

  filterOf(q: ExceptionsFilterDto): ExceptionFilter {
    return {
      ruleId: q.ruleId,
      schoolId: q.schoolId,
      grade: q.grade,
      severity: q.severity,
      state: q.state,
      excluded: q.excluded ?? 'exclude',
      q: q.q,
    };
  }

  toItem(r: ExceptionRow, catalog: Map<string, RuleMeta>): ExceptionItemDto {
    const meta = catalog.get(r.ruleId);
    return {
      id: r.id,
      fingerprint: r.fingerprint,
      ruleId: r.ruleId,
      ruleTitle: meta?.title ?? r.ruleId,
      severity: r.severity,
      entity: r.entity,
      state: r.isNew ? 'new' : 'persisting',
      excluded: r.exclusionId !== null,
      exclusionId: r.exclusionId,
      exclusion: r.exclusionId === null || !r.exclusion ? null : { id: r.exclusionId, ...r.exclusion },
      student: r.studentId
        ? {
            studentId: r.studentId,
            stateStudentId: r.stateStudentId,
            lastName: r.lastName,
            firstName: r.firstName,
            grade: r.grade,
          }
        : null,
      school: r.schoolId ? { schoolId: r.schoolId, name: r.schoolName } : null,
      programCode: r.programCode,
      sourceKey: r.sourceKey,
      values: r.values,
      prescription: meta?.prescription ?? '',
    };
  }

  exceptionQuery(ctx: ResultsContext, q: ExceptionsFilterDto): ExceptionQuery | null {
    if (!ctx.evaluation) return null;
    return {
      evaluation: ctx.evaluation,
      scope: ctx.scope,
      filter: this.filterOf(q),
      sort: q.sort ?? 'rule',
      order: q.order ?? 'asc',
    };
  }

  async exceptions(p: Principal, districtId: string, q: ExceptionsQueryDto): Promise<ExceptionPageDto> {
    const ctx = await this.context(p, districtId, q);
    const query = this.exceptionQuery(ctx, q);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    if (!query) return { total: 0, page, pageSize, items: [] };
    const res = await this.repo.exceptions(query, pageSize, (page - 1) * pageSize);
    return { total: res.total, page, pageSize, items: res.rows.map((r) => this.toItem(r, ctx.catalog)) };
  }

  /** Findings (any evaluation's latest) with these fingerprints, in the context's scope, excluded ones included. */
  async recordsOf(ctx: ResultsContext, fingerprints: string[]): Promise<Map<string, ExceptionItemDto>> {
    if (!ctx.evaluation || fingerprints.length === 0) return new Map();
    const res = await this.repo.exceptions(
      {
        evaluation: ctx.evaluation,
        scope: ctx.scope,
        filter: { excluded: 'include', fingerprints },
        sort: 'rule',
        order: 'asc',
      },
      fingerprints.length * 2 + 10,
      0,
    );
    return new Map(res.rows.map((r) => [r.fingerprint, this.toItem(r, ctx.catalog)]));
  }

  async distribution(
    p: Principal,
    districtId: string,
    ruleId: string,
    q: EvaluationQueryDto & { by: DistributionBy },
  ): Promise<DistributionDto> {
    const ctx = await this.context(p, districtId, q);
    if (!ctx.scope.ruleVisible(ruleId)) throw DomainException.notFound('rule');
    if (!ctx.evaluation) return { ruleId, by: q.by, buckets: [] };
    const buckets = await this.repo.distribution(ctx.evaluation, ctx.scope, ruleId, q.by);
    return {
      ruleId,
      by: q.by,
      buckets: buckets.map((b) => ({ key: b.key, label: b.label ?? b.key, count: b.count })),
    };
  }

  /** Support's cross-district view: each district's latest scorecard numbers and its links. */
  async overview(): Promise<DistrictScoreListDto> {
    const districts = await this.repo.districtsOverview();
    const items = [];
    for (const d of districts) {
      const catalog = await this.rules.forDistrict(d.id);
      const ctx = await this.contextFor(d, catalog, ResultsScope.district(d.id), {});
      const card = await this.build(ctx, 1);
      items.push({
        districtId: d.id,
        districtName: d.name,
        state: d.state,
        score: card.score,
        fatal: card.counts.fatal,
        error: card.counts.error,
        warning: card.counts.warning,
        lastRunAt: d.lastRunAt,
        lastRunStatus: d.lastRunStatus,
        links: d.links,
      });
    }
    return { items };
  }
}
