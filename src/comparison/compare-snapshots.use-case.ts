import { Injectable, Logger } from '@nestjs/common';
import { ComparisonRepository } from 'src/comparison/comparison.repository';
import {
  DEFAULT_COMPARISON_OPTIONS,
  type ComparisonOptions,
  type CompareSnapshotsInput,
} from 'src/comparison/comparison.types';
import { DomainException } from 'src/common/domain.exception';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';

/**
 * Reconciles an old and a new snapshot of one district: matches records by key (student and staff
 * identifiers in passes, old ids mapped through matched identities and id crosswalks), then stores missing
 * records, field differences, reference warnings, the rule delta and per-school readiness. All inside
 * PostgreSQL; nothing of the district is loaded into Node.
 */
@Injectable()
export class CompareSnapshotsUseCase {
  private readonly logger = new Logger(CompareSnapshotsUseCase.name);

  constructor(
    private readonly repo: ComparisonRepository,
    private readonly snapshots: SnapshotsRepository,
  ) {}

  async execute(input: CompareSnapshotsInput): Promise<string> {
    const options: ComparisonOptions = { ...DEFAULT_COMPARISON_OPTIONS, ...input.options };
    if (options.studentKeys.length === 0 || options.staffKeys.length === 0) {
      throw DomainException.invalid('studentKeys and staffKeys need at least one identifier each');
    }
    const status = await this.snapshots.statuses(input.districtId, [
      input.oldSnapshotId,
      input.newSnapshotId,
    ]);
    for (const [side, id] of [
      ['old', input.oldSnapshotId],
      ['new', input.newSnapshotId],
    ] as const) {
      const s = status.get(id);
      if (!s) throw DomainException.notFound(`${side} snapshot`);
      if (s !== 'complete') throw DomainException.conflict(`the ${side} snapshot is ${s}, not complete`);
    }
    const id = await this.repo.compare(input, options, await this.repo.snapColumns());
    this.logger.log({ comparisonId: id, runId: input.runId ?? null }, 'comparison stored');
    return id;
  }
}
