import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';
import type { CompareSnapshotsInput } from 'src/comparison/comparison.types';
import { loadConfig } from 'src/config/config.service';
import { SisLinkEntity } from 'src/districts/sis-link.entity';
import { ExecuteRunUseCase } from 'src/runs/execute-run.use-case';
import type { CompletenessBaseline } from 'src/runs/completeness.util';
import { RunBusyException, RunStoppedException } from 'src/runs/run.exception';
import type {
  EvaluateSnapshotInput,
  ExtractLinkInput,
  ExtractReport,
  RunComparison,
  RunDistricts,
  RunEvaluator,
  RunExtractor,
  RunLinks,
  RunObserver,
  RunSnapshots,
  RunStore,
  EvaluatedSide,
} from 'src/runs/run-pipeline.ports';
import type {
  CheckpointRecord,
  LeaseState,
  RunRecord,
  RunSide,
  RunSideRecord,
  RunSideStatus,
  RunStatus,
  RunStep,
} from 'src/runs/runs.types';

const ACTIVE: readonly RunStatus[] = ['queued', 'extracting', 'evaluating', 'comparing'];

function link(id: string, role: 'current' | 'old' | 'new'): SisLinkEntity {
  return Object.assign(new SisLinkEntity(), {
    id,
    districtId: 'district-1',
    name: `${role} link`,
    role,
    sisKind: 'aeries',
    transport: 'direct',
    settings: { driver: 'pg' },
    secretCiphertext: null,
    isTestCopy: false,
    agentId: null,
    probeIntervalSeconds: 60,
    snapshotsToKeep: 3,
    enabled: true,
  });
}

function runRecord(id: string, o: Partial<RunRecord> = {}): RunRecord {
  const now = new Date('2026-11-02T03:00:00Z');
  return {
    id,
    districtId: 'district-1',
    kind: 'manual',
    status: 'queued',
    phase: null,
    percent: 0,
    message: null,
    asOf: '2026-11-01',
    schoolYear: 2026,
    comparisonYears: null,
    currentLinkId: 'link-current',
    oldLinkId: null,
    newLinkId: null,
    triggerKind: 'user',
    triggeredBy: null,
    skipReason: null,
    error: null,
    scheduledFor: null,
    catchUpOf: null,
    attempts: 0,
    cancelRequested: false,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
    ...o,
  };
}

interface StoredRun {
  record: RunRecord;
  owner: string | null;
  leaseLive: boolean;
}

/** An in-memory run store with the repository's lease rules: one live holder, ends only by the holder. */
class InMemoryRunStore implements RunStore, RunSnapshots {
  readonly runs = new Map<string, StoredRun>();
  readonly checkpoints = new Map<string, CheckpointRecord>();
  readonly sideStates = new Map<string, { status: RunSideStatus; reason: string | null }>();
  readonly purged: string[] = [];
  /** Every status written, in order. */
  readonly statusLog: string[] = [];

  add(record: RunRecord, lease: { owner: string; live: boolean } | null = null): void {
    this.runs.set(record.id, { record, owner: lease?.owner ?? null, leaseLive: lease?.live ?? false });
  }

  get(id: string): RunRecord {
    const r = this.runs.get(id);
    if (!r) throw new Error(`no run ${id}`);
    return r.record;
  }

  requestCancel(id: string): void {
    this.get(id).cancelRequested = true;
  }

  checkpoint(runId: string, step: RunStep, target: string): CheckpointRecord | undefined {
    return this.checkpoints.get(`${runId}/${step}/${target}`);
  }

  private held(id: string, owner: string): StoredRun | null {
    const r = this.runs.get(id);
    return r && r.owner === owner && ACTIVE.includes(r.record.status) ? r : null;
  }

  claim(id: string, owner: string): Promise<RunRecord | null> {
    const r = this.runs.get(id);
    if (!r || !ACTIVE.includes(r.record.status) || r.record.cancelRequested || r.leaseLive)
      return Promise.resolve(null);
    r.owner = owner;
    r.leaseLive = true;
    r.record.attempts += 1;
    return Promise.resolve({ ...r.record });
  }

  renew(id: string, owner: string, leaseSeconds: number): Promise<LeaseState> {
    const r = this.held(id, owner);
    if (r) r.leaseLive = leaseSeconds > 0;
    return Promise.resolve({ held: r !== null, cancelRequested: r?.record.cancelRequested ?? false });
  }

  progress(
    id: string,
    owner: string,
    p: { status?: RunStatus; phase: string; percent: number; message?: string },
  ): Promise<LeaseState> {
    const r = this.held(id, owner);
    if (r) {
      if (p.status) {
        r.record.status = p.status;
        this.statusLog.push(p.status);
      }
      r.record.phase = p.phase;
      r.record.percent = p.percent;
    }
    return Promise.resolve({ held: r !== null, cancelRequested: r?.record.cancelRequested ?? false });
  }

  finish(
    id: string,
    owner: string,
    status: RunStatus,
    o: { message: string; error?: string },
  ): Promise<boolean> {
    const r = this.held(id, owner);
    if (!r) return Promise.resolve(false);
    Object.assign(r.record, { status, message: o.message, error: o.error ?? null });
    r.leaseLive = false;
    this.statusLog.push(status);
    return Promise.resolve(true);
  }

  findById(id: string): Promise<RunRecord | null> {
    const r = this.runs.get(id);
    return Promise.resolve(r ? { ...r.record } : null);
  }

  cancelOrphaned(id: string): Promise<boolean> {
    const r = this.runs.get(id);
    if (!r || !r.record.cancelRequested || !ACTIVE.includes(r.record.status) || r.leaseLive)
      return Promise.resolve(false);
    r.record.status = 'cancelled';
    return Promise.resolve(true);
  }

  sides(): Promise<RunSideRecord[]> {
    return Promise.resolve([]);
  }

  setSide(runId: string, side: RunSide, status: RunSideStatus, reason: string | null): Promise<void> {
    this.sideStates.set(`${runId}/${side}`, { status, reason });
    return Promise.resolve();
  }

  startStep(runId: string, step: RunStep, target: string, refId: string | null): Promise<CheckpointRecord> {
    const key = `${runId}/${step}/${target}`;
    const existing = this.checkpoints.get(key);
    if (existing) return Promise.resolve({ ...existing });
    const created: CheckpointRecord = { step, target, status: 'started', refId, detail: {} };
    this.checkpoints.set(key, created);
    return Promise.resolve({ ...created });
  }

  completeStep(runId: string, step: RunStep, target: string, detail: Record<string, unknown>): Promise<void> {
    const key = `${runId}/${step}/${target}`;
    const cp = this.checkpoints.get(key) ?? { step, target, status: 'started', refId: null, detail: {} };
    this.checkpoints.set(key, { ...cp, status: 'done', detail });
    return Promise.resolve();
  }

  forRun(runId: string, l: SisLinkEntity): Promise<string> {
    return Promise.resolve(`snapshot:${runId}:${l.id}`);
  }

  /** The completeness baseline every link gets (the last certified snapshot's rows), null = none yet. */
  baseline: CompletenessBaseline | null = null;

  completenessBaseline(): Promise<CompletenessBaseline | null> {
    return Promise.resolve(this.baseline);
  }

  purgeOld(linkId: string): Promise<string[]> {
    this.purged.push(linkId);
    return Promise.resolve([]);
  }
}

/** An extractor whose behaviour per link is scripted; records every call. */
class ScriptedExtractor implements RunExtractor {
  readonly calls: ExtractLinkInput[] = [];
  constructor(private readonly script: (input: ExtractLinkInput) => Promise<ExtractReport>) {}
  extract(input: ExtractLinkInput): Promise<ExtractReport> {
    this.calls.push(input);
    return this.script(input);
  }
}

class ScriptedEvaluator implements RunEvaluator {
  readonly calls: EvaluateSnapshotInput[] = [];
  constructor(
    private readonly script: (input: EvaluateSnapshotInput) => Promise<{ rules: number; exceptions: number }>,
  ) {}
  evaluate(input: EvaluateSnapshotInput): Promise<{ rules: number; exceptions: number }> {
    this.calls.push(input);
    return this.script(input);
  }
}

class RecordingObserver implements RunObserver {
  readonly evaluatedSides: EvaluatedSide[] = [];
  readonly finishedRuns: string[] = [];
  evaluated(e: EvaluatedSide): Promise<void> {
    this.evaluatedSides.push(e);
    return Promise.resolve();
  }
  finished(run: RunRecord): Promise<void> {
    this.finishedRuns.push(run.id);
    return Promise.resolve();
  }
}

class RecordingComparison implements RunComparison {
  readonly calls: CompareSnapshotsInput[] = [];
  execute(input: CompareSnapshotsInput): Promise<string> {
    this.calls.push(input);
    return Promise.resolve('comparison-1');
  }
}

const links: RunLinks = {
  findById: (id: string) =>
    Promise.resolve(
      { 'link-current': link('link-current', 'current'), 'link-old': link('link-old', 'old') }[id] ??
        (id === 'link-new' ? link('link-new', 'new') : null),
    ),
};
const districts: RunDistricts = { find: () => Promise.resolve(null) };

const report = (rows: number): ExtractReport => ({ totalRows: rows, entities: { student: rows } });
const extracted = new ScriptedExtractor(() => Promise.resolve(report(10)));
const evaluated = (): ScriptedEvaluator =>
  new ScriptedEvaluator(() => Promise.resolve({ rules: 5, exceptions: 2 }));

/** Reports progress until the run's lease tells it to stop (a long evaluation learning of a cancel). */
async function progressUntilStopped(onProgress: (fraction: number) => void): Promise<never> {
  for (let i = 0; i < 1000; i++) {
    onProgress(0.5);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the run was never told to stop');
}

describe('ExecuteRunUseCase', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', RUN_LEASE_SECONDS: '60' });
  let store: InMemoryRunStore;
  let observer: RecordingObserver;
  let comparison: RecordingComparison;

  beforeEach(() => {
    store = new InMemoryRunStore();
    observer = new RecordingObserver();
    comparison = new RecordingComparison();
  });

  const useCase = (extractor: RunExtractor, evaluator: RunEvaluator | null): ExecuteRunUseCase =>
    new ExecuteRunUseCase(store, store, links, districts, comparison, config, extractor, evaluator, observer);

  it('runs extraction, evaluation and retention of a single link and ends done', async () => {
    store.add(runRecord('run-1'));
    const evaluator = evaluated();
    expect(await useCase(extracted, evaluator).execute('run-1')).toBe('done');
    expect(store.get('run-1')).toMatchObject({ status: 'done', message: 'done', error: null, attempts: 1 });
    expect(store.statusLog).toEqual(['extracting', 'evaluating', 'done']);
    expect(evaluator.calls.map((c) => c.snapshotId)).toEqual(['snapshot:run-1:link-current']);
    for (const step of ['extract', 'evaluate', 'retention'] as const)
      expect(store.checkpoint('run-1', step, 'current')?.status).toBe('done');
    expect(store.checkpoint('run-1', 'evaluate', 'current')?.detail).toMatchObject({
      rules: 5,
      exceptions: 2,
    });
    expect(store.purged).toEqual(['link-current']);
    expect(observer.evaluatedSides.map((e) => [e.side, e.snapshotId])).toEqual([
      ['current', 'snapshot:run-1:link-current'],
    ]);
    expect(observer.finishedRuns).toEqual(['run-1']);
    expect(comparison.calls).toEqual([]);
  });

  it('fails a run whose extraction fails, with the reason, and evaluates nothing', async () => {
    store.add(runRecord('run-2'));
    const extractor = new ScriptedExtractor(() =>
      Promise.reject(
        new ConnectorException(ConnectorErrorCode.UNREACHABLE, 'current link', 'connection refused'),
      ),
    );
    const evaluator = evaluated();
    expect(await useCase(extractor, evaluator).execute('run-2')).toBe('failed');
    expect(store.get('run-2')).toMatchObject({ status: 'failed', message: 'failed' });
    expect(store.get('run-2').error).toContain('connection refused');
    expect(evaluator.calls).toEqual([]);
    expect(store.checkpoint('run-2', 'extract', 'current')?.status).toBe('started');
    expect(store.checkpoint('run-2', 'evaluate', 'current')).toBeUndefined();
    expect(observer.finishedRuns).toEqual([]);
  });

  it('goes on with the new side of a migration run when the old SIS cannot be read, and skips the comparison', async () => {
    store.add(runRecord('run-3', { currentLinkId: null, oldLinkId: 'link-old', newLinkId: 'link-new' }));
    const extractor = new ScriptedExtractor((input) =>
      input.link.id === 'link-old'
        ? Promise.reject(new ConnectorException(ConnectorErrorCode.UNREACHABLE, 'old link', 'VPN down'))
        : Promise.resolve(report(7)),
    );
    const evaluator = evaluated();
    expect(await useCase(extractor, evaluator).execute('run-3')).toBe('done');
    expect(store.get('run-3').message).toContain('done without the old');
    expect(store.sideStates.get('run-3/old')?.status).toBe('failed');
    expect(store.sideStates.get('run-3/new')?.status).toBe('evaluated');
    expect(evaluator.calls.map((c) => c.link.id)).toEqual(['link-new']);
    expect(comparison.calls).toEqual([]);
    expect(store.checkpoint('run-3', 'compare', 'old-new')?.detail.skipped).toMatch(/one side is missing/);
  });

  it('compares both sides of a migration run', async () => {
    store.add(runRecord('run-4', { currentLinkId: null, oldLinkId: 'link-old', newLinkId: 'link-new' }));
    expect(await useCase(extracted, evaluated()).execute('run-4')).toBe('done');
    expect(comparison.calls).toHaveLength(1);
    expect(comparison.calls[0]).toMatchObject({
      oldSnapshotId: 'snapshot:run-4:link-old',
      newSnapshotId: 'snapshot:run-4:link-new',
    });
    expect(store.checkpoint('run-4', 'compare', 'old-new')?.detail).toEqual({ comparisonId: 'comparison-1' });
  });

  it("extracts both sides in the run's own window; a field one side's schema lacks is neither evaluated nor compared", async () => {
    store.add(
      runRecord('run-w', {
        currentLinkId: null,
        oldLinkId: 'link-old',
        newLinkId: 'link-new',
        comparisonYears: 4,
      }),
    );
    const notSupplied = [
      { entity: 'student' as const, field: 'el_status', reason: 'table S_CA_STU_X is not in the SIS schema' },
    ];
    const extractor = new ScriptedExtractor((input) =>
      Promise.resolve({ ...report(10), ...(input.link.role === 'new' ? { notSupplied } : {}) }),
    );
    const evaluator = evaluated();
    expect(await useCase(extractor, evaluator).execute('run-w')).toBe('done');
    expect(extractor.calls.map((c) => [c.link.role, c.windowYears])).toEqual([
      ['old', 4],
      ['new', 4],
    ]);
    expect(evaluator.calls.map((c) => [c.link.role, c.notSupplied])).toEqual([
      ['old', []],
      ['new', notSupplied],
    ]);
    const fields = comparison.calls[0]?.options?.fields ?? {};
    expect(fields.student).not.toContain('el_status');
    expect(fields.student).toContain('birth_date');
  });

  it('ends cancelled when a cancel is learned in the middle of the evaluation, without finishing it', async () => {
    store.add(runRecord('run-5'));
    const evaluator = new ScriptedEvaluator(async (input) => {
      store.requestCancel(input.runId);
      return progressUntilStopped(input.onProgress);
    });
    expect(await useCase(extracted, evaluator).execute('run-5')).toBe('cancelled');
    expect(store.get('run-5')).toMatchObject({ status: 'cancelled', error: null });
    expect(store.checkpoint('run-5', 'evaluate', 'current')?.status).toBe('started');
    expect(store.checkpoint('run-5', 'retention', 'current')).toBeUndefined();
    expect(observer.finishedRuns).toEqual([]);
  });

  it('ends cancelled, not failed, when the interrupted step fails with an error of its own after a cancel', async () => {
    store.add(runRecord('run-6'));
    const evaluator = new ScriptedEvaluator((input) => {
      store.requestCancel(input.runId);
      return Promise.reject(new Error('canceling statement due to user request'));
    });
    expect(await useCase(extracted, evaluator).execute('run-6')).toBe('cancelled');
    expect(store.get('run-6')).toMatchObject({ status: 'cancelled', error: null });
  });

  it('resumes from the checkpoints: a finished extraction is not repeated and the evaluation keeps its id', async () => {
    store.add(runRecord('run-7', { attempts: 1 }));
    // The first attempt extracted the link and began evaluating under a fixed id, then its worker died.
    await store.startStep('run-7', 'extract', 'current', 'snapshot:run-7:link-current');
    await store.completeStep('run-7', 'extract', 'current', { snapshotId: 'snapshot:run-7:link-current' });
    await store.startStep('run-7', 'evaluate', 'current', 'evaluation-of-attempt-1');
    const extractor = new ScriptedExtractor(() => Promise.reject(new Error('must not extract again')));
    const evaluator = evaluated();
    expect(await useCase(extractor, evaluator).execute('run-7')).toBe('done');
    expect(extractor.calls).toEqual([]);
    expect(evaluator.calls.map((c) => [c.snapshotId, c.evaluationId])).toEqual([
      ['snapshot:run-7:link-current', 'evaluation-of-attempt-1'],
    ]);
    expect(store.get('run-7').attempts).toBe(2);
  });

  it('skips an evaluation that an earlier attempt finished', async () => {
    store.add(runRecord('run-8'));
    await store.startStep('run-8', 'extract', 'current', 'snapshot:run-8:link-current');
    await store.completeStep('run-8', 'extract', 'current', {});
    await store.startStep('run-8', 'evaluate', 'current', 'evaluation-done');
    await store.completeStep('run-8', 'evaluate', 'current', { evaluationId: 'evaluation-done' });
    const evaluator = evaluated();
    expect(await useCase(extracted, evaluator).execute('run-8')).toBe('done');
    expect(evaluator.calls).toEqual([]);
    expect(store.checkpoint('run-8', 'retention', 'current')?.status).toBe('done');
  });

  it('records the evaluation as skipped when the build has no rule engine', async () => {
    store.add(runRecord('run-9'));
    expect(await useCase(extracted, null).execute('run-9')).toBe('done');
    expect(store.checkpoint('run-9', 'evaluate', 'current')?.detail).toEqual({
      skipped: 'no rule engine in this build',
    });
    expect(observer.evaluatedSides).toEqual([]);
  });

  it('backs off from a run another live worker holds, and ends a cancelled run whose worker died', async () => {
    store.add(runRecord('held', { status: 'extracting' }), { owner: 'other-worker', live: true });
    await expect(useCase(extracted, evaluated()).execute('held')).rejects.toBeInstanceOf(RunBusyException);

    store.add(runRecord('orphan', { status: 'extracting', cancelRequested: true }), {
      owner: 'dead-worker',
      live: false,
    });
    expect(await useCase(extracted, evaluated()).execute('orphan')).toBe('cancelled');
    expect(store.get('orphan').status).toBe('cancelled');

    store.add(runRecord('finished', { status: 'done' }));
    expect(await useCase(extracted, evaluated()).execute('finished')).toBe('finished_elsewhere');
  });

  it('gives its lease back on shutdown so another worker resumes the run', async () => {
    store.add(runRecord('run-10'));
    let sut: ExecuteRunUseCase | null = null;
    const evaluator = new ScriptedEvaluator((input) => {
      sut?.stop();
      return progressUntilStopped(input.onProgress);
    });
    sut = useCase(extracted, evaluator);
    const err = await sut.execute('run-10').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunStoppedException);
    expect((err as RunStoppedException).reason).toBe('shutdown');
    expect(store.get('run-10').status).toBe('evaluating');
    // Released: a new worker can claim it at once.
    expect(await store.claim('run-10', 'next-worker')).not.toBeNull();
  });

  it('gives its lease back and lets the queue retry when the service database goes away under the run', async () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    store.add(runRecord('run-lost'));
    const extractor = new ScriptedExtractor(() =>
      Promise.reject(new Error('writing the snapshot failed', { cause: lost })),
    );
    const err = await useCase(extractor, evaluated())
      .execute('run-lost')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(store.get('run-lost').status).toBe('extracting');
    expect(store.get('run-lost').error).toBeNull();
    // Released: the retry claims it at once and resumes.
    expect(await store.claim('run-lost', 'retry-worker')).not.toBeNull();
  });

  it('fails the run when its last allowed attempt loses the database too', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    store.add(runRecord('run-lost-last', { attempts: config.runs.RUN_JOB_RETRY_LIMIT }));
    const extractor = new ScriptedExtractor(() => Promise.reject(lost));
    expect(await useCase(extractor, evaluated()).execute('run-lost-last')).toBe('failed');
    expect(store.get('run-lost-last').error).toContain('Connection terminated unexpectedly');
  });

  it('fails, not retries, a run whose SIS connection drops (the link is at fault, not the service)', async () => {
    store.add(runRecord('run-sis-drop'));
    const extractor = new ScriptedExtractor(() =>
      Promise.reject(
        new ConnectorException(
          ConnectorErrorCode.UNREACHABLE,
          'current link',
          'Connection terminated unexpectedly',
        ),
      ),
    );
    expect(await useCase(extractor, evaluated()).execute('run-sis-drop')).toBe('failed');
  });

  it('fails a run whose SIS returned no rows instead of certifying it, and evaluates nothing', async () => {
    store.add(runRecord('run-empty'));
    const evaluator = evaluated();
    const empty = new ScriptedExtractor(() => Promise.resolve(report(0)));
    expect(await useCase(empty, evaluator).execute('run-empty')).toBe('failed');
    expect(store.get('run-empty')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /^completeness guard: current side \(.*\): the SIS returned no rows at all$/,
      ),
    });
    expect(evaluator.calls).toHaveLength(0);
    expect(observer.finishedRuns).toEqual([]);
  });

  it('fails a run whose entity shrank past the share against the last certified snapshot', async () => {
    store.add(runRecord('run-shrunk'));
    store.baseline = { snapshotId: 's-before', runId: 'r-before', entities: { student: 100 } };
    const evaluator = evaluated();
    expect(await useCase(extracted, evaluator).execute('run-shrunk')).toBe('failed');
    expect(store.get('run-shrunk')?.error).toContain(
      'student: 10 rows, 90% fewer than the 100 of the last certified snapshot (allowed: 50%)',
    );
    expect(evaluator.calls).toHaveLength(0);
  });

  it('certifies a run within the share (the service default, 50%)', async () => {
    store.add(runRecord('run-ok'));
    store.baseline = { snapshotId: 's-before', runId: 'r-before', entities: { student: 18 } };
    expect(await useCase(extracted, evaluated()).execute('run-ok')).toBe('done');
  });
});
