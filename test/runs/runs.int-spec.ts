import { Client } from 'pg';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { RunSchedulerService } from 'src/runs/run-scheduler.service';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { localHHMM, replicaLink, runRow, waitForRun } from 'test/runs/run-fixtures';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

/**
 * Runs through the API and the scheduler, executed by an in-process worker on pg-boss against a generated
 * Aeries replica: progress, tenancy, trial preconditions, cancel, nightly slots in the district's time zone,
 * off season, link down + catch-up, retention.
 */
describe('runs', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let scheduler: RunSchedulerService;
  let support: TestUser;

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    await generateDistrict(replica.url, { sis: 'aeries', students: 200, seed: 'runs-api', ...YEAR });
    t = await createTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RUN_WORKERS: 'on',
      RUN_SCHEDULER: 'off',
      RUN_QUEUE_POLL_SECONDS: '0.5',
      RUN_LEASE_SECONDS: '6',
      RUN_JOB_RETRY_DELAY_SECONDS: '1',
    });
    scheduler = t.app.get(RunSchedulerService);
    support = await t.user('support', null);
  });

  afterAll(async () => {
    await t?.close();
    await replica?.drop();
  });

  const district = async (
    o: { timeZone?: string; nightlyAt?: string | null; offSeason?: unknown[] } = {},
  ) => {
    const d = await factory.district(t.db.pool, { time_zone: o.timeZone ?? 'America/Los_Angeles' });
    await t.db.pool.query(`UPDATE districts SET nightly_at = $2, off_season = $3 WHERE id = $1`, [
      d.id,
      o.nightlyAt ?? null,
      JSON.stringify(o.offSeason ?? []),
    ]);
    return d.id;
  };
  const runsOf = async (districtId: string) =>
    (
      await t.db.pool.query<{
        id: string;
        kind: string;
        status: string;
        skip_reason: string | null;
        catch_up_of: string | null;
        trigger_kind: string;
      }>(
        `SELECT id, kind, status, skip_reason, catch_up_of, trigger_kind FROM runs WHERE district_id = $1 ORDER BY created_at`,
        [districtId],
      )
    ).rows;

  it('starts a manual run from the API, reports phase and percent, and completes every step', async () => {
    const districtId = await district();
    await replicaLink(t.db.pool, districtId, replica, { role: 'current', sis: 'aeries' });
    const admin = await t.user('district_admin', districtId);
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'manual', asOf: '2026-11-01' })
      .expect(201);
    expect(res.body).toMatchObject({
      kind: 'manual',
      status: 'queued',
      asOf: '2026-11-01',
      schoolYear: 2026,
      trigger: { kind: 'user', userId: admin.id },
    });
    const runId = (res.body as { id: string }).id;
    const seen = new Set<string>();
    await waitForRun(t.db.pool, runId, Number(process.env.TEST_RUN_WAIT ?? 600_000), (r) => {
      seen.add(r.status);
      return r.status === 'done' || r.status === 'failed';
    });
    const got = await t.http
      .get(`/api/districts/${districtId}/runs/${runId}`)
      .auth(admin.token, { type: 'bearer' })
      .expect(200);
    expect(got.body).toMatchObject({ status: 'done', phase: 'done', percent: 100, error: null, attempts: 1 });
    expect(
      (got.body as { steps: Array<{ step: string; status: string }> }).steps
        .map((s) => `${s.step}:${s.status}`)
        .sort(),
    ).toEqual(['evaluate:done', 'extract:done', 'retention:done']);
    const { rows } = await t.db.pool.query<{ status: string; students: string; results: string }>(
      `SELECT s.status, (SELECT count(*) FROM snap_student WHERE snapshot_id = s.id) AS students,
              (SELECT count(*) FROM rule_results r JOIN run_checkpoints c ON c.ref_id = r.evaluation_id WHERE c.run_id = $1) AS results
       FROM snapshots s WHERE s.run_id = $1`,
      [runId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('complete');
    expect(Number(rows[0].students)).toBeGreaterThanOrEqual(200);
    expect(Number(rows[0].results)).toBeGreaterThan(0);
    const list = await t.http
      .get(`/api/districts/${districtId}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .expect(200);
    expect((list.body as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([runId]);

    const other = await t.user('district_admin', await district());
    await t.http
      .get(`/api/districts/${districtId}/runs/${runId}`)
      .auth(other.token, { type: 'bearer' })
      .expect(404);
    await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(other.token, { type: 'bearer' })
      .send({})
      .expect(404);
    const school = await t.user('school_user', districtId, { schoolIds: ['1'] });
    await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(school.token, { type: 'bearer' })
      .send({})
      .expect(403);
  });

  it('refuses a trial run without a test copy, and validates the request', async () => {
    const districtId = await district();
    await replicaLink(t.db.pool, districtId, replica, { role: 'current', sis: 'aeries' });
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(support.token, { type: 'bearer' })
      .send({ kind: 'trial' })
      .expect(409);
    expect((res.body as { message: string }).message).toMatch(/test copy/);
    await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(support.token, { type: 'bearer' })
      .send({ kind: 'nightly' })
      .expect(400);
    await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(support.token, { type: 'bearer' })
      .send({ asOf: '2026-13-45' })
      .expect(400);
  });

  it('cancels a queued run at once, and a running run whose worker died at the next tick', async () => {
    const districtId = await district();
    const linkId = await replicaLink(t.db.pool, districtId, replica, { role: 'current', sis: 'aeries' });
    const insert = async (status: string, lease: string | null) =>
      (
        await t.db.pool.query<{ id: string }>(
          `INSERT INTO runs (district_id, kind, status, as_of, school_year, current_link_id, trigger_kind, lease_owner, lease_until)
         VALUES ($1, 'manual', $2, '2026-11-01', 2026, $3, 'user', $4, now() + make_interval(secs => 60)) RETURNING id`,
          [districtId, status, linkId, lease],
        )
      ).rows[0].id;
    const queued = await insert('queued', null);
    await t.db.pool.query(`UPDATE runs SET lease_until = NULL WHERE id = $1`, [queued]);
    const c1 = await t.http
      .post(`/api/districts/${districtId}/runs/${queued}/cancel`)
      .auth(support.token, { type: 'bearer' })
      .expect(200);
    expect(c1.body).toMatchObject({ status: 'cancelled', cancelRequested: true });
    await t.http
      .post(`/api/districts/${districtId}/runs/${queued}/cancel`)
      .auth(support.token, { type: 'bearer' })
      .expect(409);

    const running = await insert('extracting', 'a-worker-that-will-die');
    const c2 = await t.http
      .post(`/api/districts/${districtId}/runs/${running}/cancel`)
      .auth(support.token, { type: 'bearer' })
      .expect(200);
    expect(c2.body).toMatchObject({ status: 'extracting', cancelRequested: true, message: 'cancelling' });
    await t.db.pool.query(
      `UPDATE runs SET lease_until = now() - interval '1 hour', updated_at = now() - interval '1 hour' WHERE id = $1`,
      [running],
    );
    await scheduler.tick();
    expect((await runRow(t.db.pool, running)).status).toBe('cancelled');
  });

  it('cancels a run in flight: the worker stops at its next progress report', async () => {
    const big = await createTestDatabase({ scratch: true });
    // The SIS's student table is locked, so the run is held inside its extraction (after the schools) until
    // the cancel has been requested: no race with a fast machine.
    const sis = new Client({ connectionString: big.url });
    try {
      await generateDistrict(big.url, { sis: 'aeries', students: 500, seed: 'runs-cancel', ...YEAR });
      await sis.connect();
      await sis.query('BEGIN');
      await sis.query('LOCK TABLE stu IN ACCESS EXCLUSIVE MODE');
      const districtId = await district();
      await replicaLink(t.db.pool, districtId, big, { role: 'current', sis: 'aeries' });
      const res = await t.http
        .post(`/api/districts/${districtId}/runs`)
        .auth(support.token, { type: 'bearer' })
        .send({ asOf: '2026-11-01' })
        .expect(201);
      const runId = (res.body as { id: string }).id;
      await waitForRun(t.db.pool, runId, 60_000, (r) => r.status === 'extracting');
      await t.http
        .post(`/api/districts/${districtId}/runs/${runId}/cancel`)
        .auth(support.token, { type: 'bearer' })
        .expect(200);
      await sis.query('COMMIT');
      const end = await waitForRun(t.db.pool, runId, 600_000);
      expect({ status: end.status, error: end.error }).toEqual({ status: 'cancelled', error: null });
      const steps = await t.db.pool.query(
        `SELECT 1 FROM run_checkpoints WHERE run_id = $1 AND step = 'evaluate'`,
        [runId],
      );
      expect(steps.rowCount).toBe(0);
    } finally {
      await sis.end().catch(() => undefined);
      await big.drop();
    }
  });

  it('starts one nightly run per slot in the district time zone, skips off season with the reason, and follows schedule changes', async () => {
    const zone = 'Pacific/Auckland';
    const due = await district({ timeZone: zone, nightlyAt: localHHMM(zone, -1) });
    await replicaLink(t.db.pool, due, replica, { role: 'current', sis: 'aeries' });
    const today = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date(Date.now() - 60_000));
    const md = today.slice(5);
    const off = await district({
      timeZone: zone,
      nightlyAt: localHHMM(zone, -1),
      offSeason: [{ from: md, to: md, reason: 'summer break' }],
    });
    await replicaLink(t.db.pool, off, replica, { role: 'current', sis: 'aeries' });
    const later = await district({ timeZone: zone, nightlyAt: localHHMM(zone, 30) });
    await replicaLink(t.db.pool, later, replica, { role: 'current', sis: 'aeries' });

    await scheduler.tick();
    await scheduler.tick();
    const [nightly] = await runsOf(due);
    expect(await runsOf(due)).toHaveLength(1);
    expect(nightly).toMatchObject({ kind: 'nightly', trigger_kind: 'schedule' });
    const row = await runRow(t.db.pool, nightly.id);
    expect(row.scheduled_for?.getUTCSeconds()).toBe(0);
    expect(Math.abs((row.scheduled_for?.getTime() ?? 0) - (Date.now() - 60_000))).toBeLessThan(61_000);
    expect(await runsOf(off)).toEqual([
      expect.objectContaining({
        kind: 'nightly',
        status: 'skipped',
        skip_reason: 'off_season: summer break',
      }),
    ]);
    expect(await runsOf(later)).toEqual([]);

    await t.db.pool.query(`UPDATE districts SET nightly_at = $2 WHERE id = $1`, [later, localHHMM(zone, -2)]);
    await scheduler.tick();
    expect(await runsOf(later)).toEqual([expect.objectContaining({ kind: 'nightly', status: 'queued' })]);
    expect((await waitForRun(t.db.pool, nightly.id)).status).toBe('done');
  });

  it('skips a run whose link is down and catches it up once the link is back, once', async () => {
    const districtId = await district({ nightlyAt: localHHMM('America/Los_Angeles', -1) });
    const linkId = await replicaLink(t.db.pool, districtId, replica, { role: 'current', sis: 'aeries' });
    await t.db.pool.query(`INSERT INTO link_health (link_id, district_id, state) VALUES ($1, $2, 'DOWN')`, [
      linkId,
      districtId,
    ]);
    await scheduler.tick();
    const [skipped] = await runsOf(districtId);
    expect(skipped).toMatchObject({
      kind: 'nightly',
      status: 'skipped',
      skip_reason: 'link_down: aeries current',
    });
    await scheduler.tick();
    expect(await runsOf(districtId)).toHaveLength(1);

    await t.db.pool.query(`UPDATE link_health SET state = 'UP' WHERE link_id = $1`, [linkId]);
    const report = await scheduler.tick();
    await scheduler.tick();
    const runs = await runsOf(districtId);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({
      kind: 'catch_up',
      trigger_kind: 'link_recovered',
      catch_up_of: skipped.id,
    });
    expect(report.caughtUp).toEqual([runs[1].id]);
    expect((await waitForRun(t.db.pool, runs[1].id)).status).toBe('done');
  });

  it('keeps the last N snapshots of a link: older snap_* rows are purged, results stay', async () => {
    const districtId = await district();
    const linkId = await replicaLink(t.db.pool, districtId, replica, {
      role: 'current',
      sis: 'aeries',
      snapshotsToKeep: 1,
    });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await t.http
        .post(`/api/districts/${districtId}/runs`)
        .auth(support.token, { type: 'bearer' })
        .send({ asOf: '2026-11-01' })
        .expect(201);
      ids.push((res.body as { id: string }).id);
      expect((await waitForRun(t.db.pool, ids[i])).status).toBe('done');
    }
    const { rows } = await t.db.pool.query<{
      run_id: string;
      status: string;
      students: string;
      results: string;
    }>(
      `SELECT s.run_id, s.status, (SELECT count(*) FROM snap_student WHERE snapshot_id = s.id) AS students,
              (SELECT count(*) FROM rule_results WHERE snapshot_id = s.id) AS results
       FROM snapshots s WHERE s.link_id = $1 ORDER BY s.created_at`,
      [linkId],
    );
    expect(rows.map((r) => [r.run_id, r.status, Number(r.students) > 0, Number(r.results) > 0])).toEqual([
      [ids[0], 'purged', false, true],
      [ids[1], 'complete', true, true],
    ]);
  });
});
