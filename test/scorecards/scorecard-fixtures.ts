import type { Pool } from 'pg';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { defectKindsFor, type DistrictManifest } from 'connectors/generator/generator.types';
import { StartRunUseCase } from 'src/runs/start-run.use-case';
import type { TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';

/** Environment of an app whose in-process worker executes runs quickly. */
export const RUN_ENV = {
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  RUN_WORKERS: 'on',
  RUN_SCHEDULER: 'off',
  RUN_QUEUE_POLL_SECONDS: '0.5',
  RUN_LEASE_SECONDS: '10',
  RUN_JOB_RETRY_DELAY_SECONDS: '1',
};

export const RUN_WAIT_MS = Number(process.env.TEST_RUN_WAIT ?? 600_000);

export interface ScoredDistrict {
  districtId: string;
  linkId: string;
  replica: TestDatabase;
  manifest: DistrictManifest;
  /** Oldest first. */
  runIds: string[];
}

/** Starts a run the way the API and the scheduler do and waits until the worker has executed it. */
export async function runOnce(
  t: TestApp,
  districtId: string,
  kind: 'manual' | 'nightly' = 'manual',
): Promise<string> {
  const run = await t.app
    .get(StartRunUseCase)
    .execute({ districtId, kind, trigger: 'cli', asOf: '2026-11-01' });
  if (!run) throw new Error('run not recorded');
  const runId = run.id;
  const done = await waitForRun(t.db.pool, runId, RUN_WAIT_MS);
  if (done.status !== 'done') throw new Error(`run ${runId} ended ${done.status}: ${done.error ?? ''}`);
  return runId;
}

/**
 * A generated Aeries district evaluated twice by the real pipeline; between the runs one student's birth date is
 * removed and their last name becomes a spreadsheet formula (new findings), and the injected missing-birth-date
 * defects are repaired (resolved findings).
 */
export async function scoredDistrict(
  t: TestApp,
  o: {
    students?: number;
    seed?: string;
    name?: string;
    kind?: 'manual' | 'nightly';
    before?: (districtId: string) => Promise<void>;
  } = {},
): Promise<ScoredDistrict & { changedStudentId: string; repairedStudentIds: string[] }> {
  const replica = await createTestDatabase({ scratch: true });
  const manifest = await generateDistrict(replica.url, {
    sis: 'aeries',
    students: o.students ?? 150,
    seed: o.seed ?? 'scorecards',
    schoolYear: 2026,
    asOf: '2026-11-01',
    defects: Object.fromEntries(defectKindsFor('CA').map((k) => [k, 4])),
  });
  const district = await factory.district(t.db.pool, { name: o.name ?? 'Scorecard Unified' });
  const linkId = await replicaLink(t.db.pool, district.id, replica, { role: 'current', sis: 'aeries' });
  await o.before?.(district.id);
  const first = await runOnce(t, district.id, o.kind);
  const repaired = manifest.defects
    .filter((d) => d.kind === 'missing_birth_date' && d.student_id)
    .map((d) => String(d.student_id));
  const changed = manifest.samples.find(
    (s) => s.birth_date !== null && !repaired.includes(s.student_id) && s.scenario === 'continuing',
  );
  if (!changed) throw new Error('no sample student to change');
  await replica.pool.query(`UPDATE STU SET BD = '2014-02-03' WHERE ID = ANY($1::int[])`, [
    repaired.map(Number),
  ]);
  await replica.pool.query(`UPDATE STU SET BD = NULL, LN = '=HYPERLINK("x")' WHERE ID = $1`, [
    Number(changed.student_id),
  ]);
  const second = await runOnce(t, district.id, o.kind);
  return {
    districtId: district.id,
    linkId,
    replica,
    manifest,
    runIds: [first, second],
    changedStudentId: changed.student_id,
    repairedStudentIds: repaired,
  };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function schoolsOf(pool: Pool, districtId: string): Promise<string[]> {
  const { rows } = await pool.query<{ code: string }>(
    `SELECT DISTINCT p.code FROM scorecard_population p JOIN scorecard_evaluations e ON e.evaluation_id = p.evaluation_id
     WHERE e.district_id = $1 AND p.kind = 'school' AND p.students > 0 ORDER BY p.code`,
    [districtId],
  );
  return rows.map((r) => r.code);
}
