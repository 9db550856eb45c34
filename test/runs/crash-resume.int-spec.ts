import { generateDistrict } from 'connectors/generator/district-generator.service';
import { RunsModule } from 'src/runs/runs.module';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, runResults, runRow, waitForRun } from 'test/runs/run-fixtures';
import { startService, waitFor, type ServiceProcess } from 'test/runs/worker-process';

/** Workers with short lease and job expiry, so pg-boss brings a killed worker's job back within seconds. */
const WORKER_ENV = {
  SIS_CERTIFY_ROLE: 'worker',
  RUN_SCHEDULER: 'off',
  RUN_QUEUE_POLL_SECONDS: '0.5',
  RUN_LEASE_SECONDS: '3',
  RUN_JOB_EXPIRE_SECONDS: '6',
  RUN_QUEUE_MAINTENANCE_SECONDS: '1',
  RUN_JOB_RETRY_DELAY_SECONDS: '1',
  RUN_JOB_RETRY_LIMIT: '20',
};

/**
 * A worker process is SIGKILLed in the middle of a run (some entities extracted, others not); pg-boss expires
 * and retries the job, a new worker resumes from the checkpoints, and the results equal those of an
 * uninterrupted run of the same data: same snapshot row counts, same rule results, same exception fingerprints.
 */
describe('a run survives its worker being killed', () => {
  let t: TestApp;
  let replica: TestDatabase;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    await generateDistrict(replica.url, {
      sis: 'aeries',
      students: 8000,
      seed: 'crash',
      schoolYear: 2026,
      asOf: '2026-11-01',
      defects: 'all',
    });
    // The API side only (no workers in the test process): the runs are executed by the spawned processes.
    t = await createTestApp({ ...WORKER_ENV, RUN_WORKERS: 'off', SIS_CERTIFY_ROLE: 'api' }, () => [
      RunsModule.forRoot(),
    ]);
  });

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await t?.close();
    await replica?.drop();
  });

  const startRun = async (districtId: string): Promise<string> => {
    const support = await t.user('support', null);
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(support.token, { type: 'bearer' })
      .send({ asOf: '2026-11-01' })
      .expect(201);
    return (res.body as { id: string }).id;
  };

  it('resumes from the checkpoints with results equal to an uninterrupted run', async () => {
    const pool = t.db.pool;
    const reference = (await factory.district(pool)).id;
    const crashed = (await factory.district(pool)).id;
    await replicaLink(pool, reference, replica, { role: 'current', sis: 'aeries' });
    await replicaLink(pool, crashed, replica, { role: 'current', sis: 'aeries' });

    const first = startService(t.db.url, WORKER_ENV);
    workers.push(first);
    const referenceRun = await startRun(reference);
    const ref = await waitForRun(pool, referenceRun, 120_000);
    expect([ref.status, ref.attempts]).toEqual(['done', 1]);

    const runId = await startRun(crashed);
    // Kill while extracting, once some entities are complete and others are not.
    const snapshotId = await waitFor(
      'a partly extracted snapshot',
      async () => {
        const { rows } = await pool.query<{ id: string; done: string; total: string }>(
          `SELECT s.id, count(*) FILTER (WHERE c.status = 'complete') AS done, count(c.*) AS total
         FROM snapshots s LEFT JOIN snapshot_checkpoints c ON c.snapshot_id = s.id WHERE s.run_id = $1 GROUP BY s.id`,
          [runId],
        );
        return rows[0] && Number(rows[0].done) >= 1 && Number(rows[0].total) > Number(rows[0].done)
          ? rows[0].id
          : null;
      },
      60_000,
      50,
    );
    await first.kill();
    const dead = await runRow(pool, runId);
    expect(dead.status).toBe('extracting');
    const { rows: before } = await pool.query<{ entity: string; status: string }>(
      `SELECT entity, status FROM snapshot_checkpoints WHERE snapshot_id = $1 ORDER BY entity`,
      [snapshotId],
    );
    const completeBefore = before.filter((c) => c.status === 'complete').map((c) => c.entity);
    expect(completeBefore.length).toBeGreaterThan(0);
    expect(completeBefore.length).toBeLessThan(7);

    const second = startService(t.db.url, WORKER_ENV);
    workers.push(second);
    const end = await waitForRun(pool, runId, 180_000);
    expect([end.status, end.error]).toEqual(['done', null]);
    // At least the dead worker's attempt and the resuming one. pg-boss 10 has no heartbeat: with this test's
    // 6-second expiry a slow machine can also expire the live retry; the run's lease then keeps the extra
    // attempt from repeating work, which the equality checks below prove.
    expect(end.attempts).toBeGreaterThanOrEqual(2);

    // pg-boss expired the dead worker's job and retried it: one job, retried, completed.
    const { rows: jobs } = await pool.query<{ state: string; retry_count: number }>(
      `SELECT state, retry_count FROM pgboss.job WHERE singleton_key = $1`,
      [runId],
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0].state).toBe('completed');
    expect(jobs[0].retry_count).toBeGreaterThanOrEqual(1);

    // Resumed, not restarted: one snapshot, and its entities completed before the kill were not extracted again.
    const { rows: snaps } = await pool.query<{ id: string; skipped: string[] }>(
      `SELECT id, ARRAY(SELECT e->>'entity' FROM jsonb_array_elements(report->'entities') e WHERE (e->>'skipped')::boolean ORDER BY 1) AS skipped
       FROM snapshots WHERE run_id = $1`,
      [runId],
    );
    expect(snaps).toHaveLength(1);
    expect(snaps[0].skipped).toEqual([...completeBefore].sort());

    const [a, b] = await Promise.all([runResults(pool, referenceRun), runResults(pool, runId)]);
    expect(Object.keys(b.rules.current ?? {}).length).toBeGreaterThan(10);
    expect(b.fingerprints.current.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    for (const [entity, n] of Object.entries(b.rows.current))
      if (!entity.endsWith('_distinct_row_no')) expect(b.rows.current[`${entity}_distinct_row_no`]).toBe(n);
  });
});
