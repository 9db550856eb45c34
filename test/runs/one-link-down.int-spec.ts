import { generateDistrict } from 'connectors/generator/district-generator.service';
import { RunSchedulerService } from 'src/runs/run-scheduler.service';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { freePort } from 'test/helpers/process';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

interface RunBody {
  id: string;
  status: string;
  message: string;
  sides: Array<{ side: string; linkId: string; linkName: string; status: string; reason: string | null }>;
  steps: Array<{ step: string; target: string; status: string; reason: string | null }>;
}

/**
 * A migration run with one link down still extracts and evaluates the side that is up: the down side is
 * recorded per side with its reason (found DOWN by link health when the run is recorded, or unreachable
 * during the extraction: a link to a closed port), the comparison is skipped with a reason, and the down
 * side is caught up once its link is UP again.
 */
describe('a migration run with one link down', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let admin: TestUser;
  let scheduler: RunSchedulerService;
  let districtId: string;

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    await generateDistrict(replica.url, { sis: 'aeries', students: 150, seed: 'one-link-down', ...YEAR });
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RUN_WORKERS: 'on',
      RUN_SCHEDULER: 'off',
      RUN_QUEUE_POLL_SECONDS: '0.5',
      RUN_LEASE_SECONDS: '6',
      RUN_JOB_RETRY_DELAY_SECONDS: '1',
      PROBE_TIMEOUT_MS: '3000',
    });
    scheduler = t.app.get(RunSchedulerService);
    districtId = (await factory.district(t.db.pool, { time_zone: 'America/Los_Angeles' })).id;
    admin = await t.user('district_admin', districtId);
  });

  afterAll(async () => {
    await t?.close();
    await replica?.drop();
  });

  const startRun = async (): Promise<RunBody> =>
    (
      await t.http
        .post(`/api/districts/${districtId}/runs`)
        .auth(admin.token, { type: 'bearer' })
        .send({ asOf: YEAR.asOf })
        .expect(201)
    ).body as RunBody;
  const getRun = async (runId: string): Promise<RunBody> =>
    (
      await t.http
        .get(`/api/districts/${districtId}/runs/${runId}`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200)
    ).body as RunBody;
  const evaluatedResults = async (runId: string, side: string): Promise<number> => {
    const { rows } = await t.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM rule_results r JOIN run_checkpoints c ON c.ref_id = r.evaluation_id
       WHERE c.run_id = $1 AND c.step = 'evaluate' AND c.target = $2`,
      [runId, side],
    );
    return Number(rows[0].n);
  };

  let oldLink: string;
  let newLink: string;

  it('extracts and evaluates the old side when the new link is a closed port, and skips the comparison', async () => {
    oldLink = await replicaLink(t.db.pool, districtId, replica, { role: 'old', sis: 'aeries' });
    newLink = await replicaLink(t.db.pool, districtId, replica, { role: 'new', sis: 'aeries' });
    const closed = await freePort();
    await t.db.pool.query(
      `UPDATE sis_links SET name = 'PowerSchool (new)', settings = settings || jsonb_build_object('port', $2::int) WHERE id = $1`,
      [newLink, closed],
    );

    const started = await startRun();
    expect(started.status).toBe('queued');
    expect(started.sides.map((s) => [s.side, s.status])).toEqual([
      ['old', 'pending'],
      ['new', 'pending'],
    ]);
    const end = await waitForRun(t.db.pool, started.id);
    expect(end).toMatchObject({ status: 'done', error: null });

    const run = await getRun(started.id);
    expect(run.sides).toEqual([
      { side: 'old', linkId: oldLink, linkName: 'aeries old', status: 'evaluated', reason: null },
      {
        side: 'new',
        linkId: newLink,
        linkName: 'PowerSchool (new)',
        status: 'failed',
        reason: expect.stringMatching(/^unreachable: link "PowerSchool \(new\)"/) as unknown,
      },
    ]);
    expect(run.message).toMatch(/^done without the new side \(PowerSchool \(new\)\) failed: unreachable/);
    const compare = run.steps.find((s) => s.step === 'compare');
    expect(compare).toMatchObject({
      status: 'done',
      reason: expect.stringMatching(/^one side is missing: new side/),
    });
    expect(run.steps.find((s) => s.step === 'extract' && s.target === 'new')).toMatchObject({
      status: 'done',
      reason: expect.stringMatching(/^unreachable:/) as unknown,
    });
    expect(await evaluatedResults(started.id, 'old')).toBeGreaterThan(0);
    expect(await evaluatedResults(started.id, 'new')).toBe(0);
    const comparisons = await t.db.pool.query(`SELECT 1 FROM comparisons WHERE run_id = $1`, [started.id]);
    expect(comparisons.rowCount).toBe(0);
    const snapshots = await t.db.pool.query<{ link_id: string; status: string }>(
      `SELECT link_id, status FROM snapshots WHERE run_id = $1 ORDER BY link_id = $2 DESC`,
      [started.id, oldLink],
    );
    expect(snapshots.rows).toEqual([
      { link_id: oldLink, status: 'complete' },
      { link_id: newLink, status: 'failed' },
    ]);
  });

  it('records a side whose link health is DOWN as skipped at once, and catches up both sides once it is UP', async () => {
    await t.db.pool.query(`DELETE FROM runs WHERE district_id = $1`, [districtId]);
    await t.db.pool.query(
      `INSERT INTO link_health (link_id, district_id, state) VALUES ($1, $2, 'DOWN'), ($3, $2, 'UP')`,
      [newLink, districtId, oldLink],
    );
    const started = await startRun();
    expect(started).toMatchObject({ status: 'queued' });
    expect(started.sides.map((s) => [s.side, s.status, s.reason])).toEqual([
      ['old', 'pending', null],
      ['new', 'skipped', 'link_down: PowerSchool (new)'],
    ]);
    expect((await waitForRun(t.db.pool, started.id)).status).toBe('done');
    const run = await getRun(started.id);
    expect(run.sides.map((s) => [s.side, s.status, s.reason])).toEqual([
      ['old', 'evaluated', null],
      ['new', 'skipped', 'link_down: PowerSchool (new)'],
    ]);
    expect(run.steps.filter((s) => s.target === 'new')).toEqual([]);
    expect(run.steps.find((s) => s.step === 'compare')?.reason).toBe(
      'one side is missing: new side (PowerSchool (new)) skipped: link_down: PowerSchool (new)',
    );
    const snapshots = await t.db.pool.query(`SELECT 1 FROM snapshots WHERE run_id = $1 AND link_id = $2`, [
      started.id,
      newLink,
    ]);
    expect(snapshots.rowCount).toBe(0);

    // Still down: no catch-up.
    expect((await scheduler.tick()).caughtUp).toEqual([]);

    // The link is repaired and link health finds it UP: one catch-up run of both sides, with the comparison.
    const u = new URL(replica.url);
    await t.db.pool.query(
      `UPDATE sis_links SET settings = settings || jsonb_build_object('port', $2::int) WHERE id = $1`,
      [newLink, Number(u.port || 5432)],
    );
    await t.db.pool.query(`UPDATE link_health SET state = 'UP' WHERE link_id = $1`, [newLink]);
    const report = await scheduler.tick();
    expect(report.caughtUp).toHaveLength(1);
    expect((await scheduler.tick()).caughtUp).toEqual([]);
    const catchUpId = report.caughtUp[0];
    const { rows } = await t.db.pool.query<{ kind: string; catch_up_of: string; trigger_kind: string }>(
      `SELECT kind, catch_up_of, trigger_kind FROM runs WHERE id = $1`,
      [catchUpId],
    );
    expect(rows[0]).toEqual({ kind: 'catch_up', catch_up_of: started.id, trigger_kind: 'link_recovered' });
    expect((await waitForRun(t.db.pool, catchUpId)).status).toBe('done');
    const caughtUp = await getRun(catchUpId);
    expect(caughtUp.message).toBe('done');
    expect(caughtUp.sides.map((s) => [s.side, s.status])).toEqual([
      ['old', 'evaluated'],
      ['new', 'evaluated'],
    ]);
    const comparisons = await t.db.pool.query(`SELECT 1 FROM comparisons WHERE run_id = $1`, [catchUpId]);
    expect(comparisons.rowCount).toBe(1);
    // Nothing left to catch up.
    expect((await scheduler.tick()).caughtUp).toEqual([]);
  });

  it('skips the whole run, every side with the reason, when both links are DOWN', async () => {
    await t.db.pool.query(`UPDATE link_health SET state = 'DOWN' WHERE district_id = $1`, [districtId]);
    const run = await startRun();
    expect(run.status).toBe('skipped');
    expect(run.sides.map((s) => [s.side, s.status, s.reason])).toEqual([
      ['old', 'skipped', 'link_down: aeries old, PowerSchool (new)'],
      ['new', 'skipped', 'link_down: aeries old, PowerSchool (new)'],
    ]);
    await t.db.pool.query(`UPDATE link_health SET state = 'UP' WHERE district_id = $1`, [districtId]);
  });
});
