import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { RuleEvaluatorService } from 'src/rule-engine/rule-evaluator.service';
import { SnapshotsRepository } from 'src/snapshots/snapshots.repository';
import { RuleExamplesRepository } from 'src/rule-engine/rule-examples.repository';
import { DEFAULT_EXAMPLE_AS_OF, isRowCheck, type ExampleCase, type Rule } from 'src/rule-engine/rule.types';
import type { SqlSession } from 'src/database/sql-runner';

export interface ExampleCaseOutcome {
  /** `examples.fail[0]` */
  label: string;
  ok: boolean;
  checked: number;
  failed: number;
  /** Why the case is wrong; null when it behaves as written. */
  message: string | null;
}

export interface RuleExampleOutcome {
  ruleId: string;
  file: string;
  ok: boolean;
  cases: ExampleCaseOutcome[];
  /** One line per broken case: `file: rule ID: examples.fail[0] {...}: expected …`. */
  failures: string[];
}

function describe(c: ExampleCase, rowLevel: boolean): string {
  const dates = {
    ...(c.asOf !== DEFAULT_EXAMPLE_AS_OF ? { as_of: c.asOf } : {}),
    ...(c.today ? { today: c.today } : {}),
  };
  const shown = rowLevel
    ? { ...c.rows[0], ...dates }
    : { rows: c.rows, ...(Object.keys(c.context).length ? { context: c.context } : {}), ...dates };
  const text = JSON.stringify(shown);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** What the case expected versus what the compiled SQL found; null when they agree. */
function verdict(
  rule: Rule,
  c: ExampleCase,
  checked: number,
  failed: number,
  rows: { rowNo: number | null; recordKey: string }[],
): string | null {
  const where = rows.map((r) => (r.rowNo === null ? `group '${r.recordKey}'` : `row ${r.rowNo}`)).join(', ');
  if (isRowCheck(rule.check.kind)) {
    if (c.expect === 'pass' && failed > 0) return 'expected to pass but failed';
    if (c.expect === 'fail' && failed === 0) {
      return checked === 0
        ? "expected to fail but was not checked (its 'when' is false)"
        : 'expected to fail but passed';
    }
    return null;
  }
  const unit = rule.check.kind === 'count_change' ? 'groups' : 'rows';
  if (c.failing !== null && failed !== c.failing)
    return `expected ${c.failing} failing ${unit}, got ${failed}${failed ? ` (${where})` : ''}`;
  if (c.failing === null && c.expect === 'pass' && failed > 0)
    return `expected no failing ${unit}, got ${failed} (${where})`;
  if (c.failing === null && c.expect === 'fail' && failed === 0)
    return `expected at least one failing ${unit}, got none (${checked} checked)`;
  return null;
}

/** `sis-certify rules test`: runs every rule's examples through the same compiled SQL as real evaluations. */
@Injectable()
export class RuleExamplesService {
  constructor(
    private readonly repo: RuleExamplesRepository,
    private readonly evaluator: RuleEvaluatorService,
    private readonly snapshots: SnapshotsRepository,
  ) {}

  async run(rules: Rule[], opts: { sqlTimeoutMs?: number } = {}): Promise<RuleExampleOutcome[]> {
    return this.repo.sql.transaction(
      async (tx) => {
        const scratch = await this.repo.scratchLink(tx);
        const out: RuleExampleOutcome[] = [];
        for (const rule of rules)
          out.push(await this.runRule(tx, scratch, rule, opts.sqlTimeoutMs ?? 10_000));
        return out;
      },
      { rollback: true },
    );
  }

  private async runRule(
    tx: SqlSession,
    scratch: { districtId: string; linkId: string },
    rule: Rule,
    timeoutMs: number,
  ): Promise<RuleExampleOutcome> {
    const cases: ExampleCaseOutcome[] = [];
    const failures: string[] = [];
    for (const c of rule.examples) {
      const label = `examples.${c.expect}[${c.index}]`;
      const outcome = await this.repo.savepoint(tx, () => this.runCase(tx, scratch, rule, c, timeoutMs));
      cases.push({ label, ...outcome });
      if (outcome.message)
        failures.push(
          `${rule.file}: rule ${rule.id}: ${label} ${describe(c, isRowCheck(rule.check.kind))}: ${outcome.message}`,
        );
    }
    return { ruleId: rule.id, file: rule.file, ok: failures.length === 0, cases, failures };
  }

  private async runCase(
    tx: SqlSession,
    scratch: { districtId: string; linkId: string },
    rule: Rule,
    c: ExampleCase,
    timeoutMs: number,
  ): Promise<Omit<ExampleCaseOutcome, 'label'>> {
    let previousSnapshotId: string | null = null;
    if (rule.check.kind === 'count_change') {
      previousSnapshotId = await this.snapshots.scratchSnapshot(
        tx,
        scratch.districtId,
        scratch.linkId,
        c.asOf,
      );
      await this.insertAll(tx, previousSnapshotId, c.previous);
    }
    const snapshotId = await this.snapshots.scratchSnapshot(tx, scratch.districtId, scratch.linkId, c.asOf);
    await this.insertAll(tx, snapshotId, {
      ...c.context,
      [rule.entity]: [...(c.context[rule.entity] ?? []), ...c.rows],
    });
    const evaluationId = randomUUID();
    const ctx = {
      snapshotId,
      evaluationId,
      districtId: scratch.districtId,
      asOf: c.asOf,
      today: c.today ?? new Date().toISOString().slice(0, 10),
      previousSnapshotId,
    };
    const counts = (await this.evaluator.runInSession(tx, ctx, [rule], timeoutMs)).get(rule.id);
    if (!counts) return { ok: false, checked: 0, failed: 0, message: 'the rule produced no result' };
    if (counts.error) return { ok: false, checked: 0, failed: 0, message: `error: ${counts.error}` };
    const rows = await this.repo.failing(tx, evaluationId, rule.id);
    const message = verdict(rule, c, counts.checked, counts.failed, rows);
    return { ok: message === null, checked: counts.checked, failed: counts.failed, message };
  }

  private async insertAll(
    tx: SqlSession,
    snapshotId: string,
    rows: Partial<Record<CanonicalEntity, Record<string, unknown>[]>>,
  ): Promise<void> {
    for (const [entity, records] of Object.entries(rows)) {
      await this.snapshots.insertScratchRows(tx, snapshotId, entity as CanonicalEntity, records ?? []);
    }
  }
}
