import { generateDistrict } from 'connectors/generator/district-generator.service';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { localHHMM, replicaLink, waitForRun } from 'test/runs/run-fixtures';
import { startService, waitFor, type ServiceProcess } from 'test/runs/worker-process';

const ENV = {
  SIS_CERTIFY_ROLE: 'all',
  RUN_SCHEDULER_TICK_SECONDS: '1',
  RUN_QUEUE_POLL_SECONDS: '0.5',
  RUN_LEASE_SECONDS: '10',
};

/**
 * Two full service processes (API, workers and schedulers) on one database: every district due now gets
 * exactly one nightly run, executed exactly once.
 */
describe('two service instances on one database', () => {
  let db: TestDatabase;
  let replica: TestDatabase;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    [db, replica] = await Promise.all([createTestDatabase(), createTestDatabase({ scratch: true })]);
    await generateDistrict(replica.url, {
      sis: 'aeries',
      students: 150,
      seed: 'two-instances',
      schoolYear: 2026,
      asOf: '2026-11-01',
    });
  });

  afterAll(async () => {
    for (const s of services) await s.stop();
    await db?.drop();
    await replica?.drop();
  });

  it('runs each scheduled run exactly once', async () => {
    const districts: string[] = [];
    for (const zone of ['America/Los_Angeles', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo']) {
      const d = await factory.district(db.pool, { time_zone: zone });
      await db.pool.query(`UPDATE districts SET nightly_at = $2 WHERE id = $1`, [d.id, localHHMM(zone, -1)]);
      await replicaLink(db.pool, d.id, replica, { role: 'current', sis: 'aeries' });
      districts.push(d.id);
    }
    services.push(startService(db.url, ENV), startService(db.url, ENV));
    for (const s of services)
      await waitFor(
        'both schedulers and workers',
        async () => /run workers started/.test(s.output()),
        300_000,
        200,
      );

    const runIds = await waitFor(
      'a run per district',
      async () => {
        const { rows } = await db.pool.query<{ id: string }>(
          `SELECT id FROM runs WHERE district_id = ANY($1::uuid[])`,
          [districts],
        );
        return rows.length >= districts.length ? rows.map((r) => r.id) : null;
      },
      300_000,
    );
    for (const id of runIds) expect((await waitForRun(db.pool, id, 600_000)).status).toBe('done');
    // Later ticks of both schedulers: districts made due one after another (without a link, so each run is
    // recorded as skipped at once) until each instance has recorded one of them. Ticks of one instance never
    // overlap, so every earlier tick of both — any that could start a second run for a slot — is over.
    const recordedBy = new Set<number>();
    for (let i = 1; recordedBy.size < services.length; i++) {
      const zone = 'America/Chicago';
      const later = await factory.district(db.pool, { time_zone: zone });
      await db.pool.query(`UPDATE districts SET nightly_at = $2 WHERE id = $1`, [
        later.id,
        localHHMM(zone, -1),
      ]);
      const laterRuns = await waitFor(
        `the run of later district ${i}`,
        async () => {
          const { rows } = await db.pool.query<{ id: string; status: string }>(
            `SELECT id, status FROM runs WHERE district_id = $1`,
            [later.id],
          );
          return rows.length > 0 ? rows : null;
        },
        300_000,
      );
      expect(laterRuns.map((r) => r.status)).toEqual(['skipped']);
      const by = await waitFor(
        `the instance that recorded run ${laterRuns[0].id}`,
        async () => services.findIndex((s) => s.output().includes(laterRuns[0].id)) + 1,
        300_000,
        200,
      );
      recordedBy.add(by);
    }

    // One run per district and schedule slot, executed once, by one worker.
    const { rows: runs } = await db.pool.query<{
      district_id: string;
      scheduled_for: Date | null;
      n: string;
      attempts: string;
      executors: string;
      done: string;
    }>(
      `SELECT district_id, scheduled_for, count(*) AS n, sum(attempts) AS attempts,
              count(DISTINCT lease_owner) AS executors, count(*) FILTER (WHERE status = 'done') AS done
       FROM runs WHERE district_id = ANY($1::uuid[]) GROUP BY district_id, scheduled_for`,
      [districts],
    );
    expect(runs.map((r) => r.scheduled_for !== null)).toEqual(districts.map(() => true));
    expect(runs.map((r) => [Number(r.n), Number(r.attempts), Number(r.executors), Number(r.done)])).toEqual(
      districts.map(() => [1, 1, 1, 1]),
    );
    const { rows: snaps } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM snapshots WHERE run_id = ANY($1::uuid[])`,
      [runIds],
    );
    expect(Number(snaps[0].n)).toBe(runIds.length);
    const { rows: results } = await db.pool.query<{ dup: string }>(
      `SELECT count(*) AS dup FROM (SELECT evaluation_id, rule_id FROM rule_results r JOIN run_checkpoints c ON c.ref_id = r.evaluation_id
       WHERE c.run_id = ANY($1::uuid[]) GROUP BY 1, 2 HAVING count(*) > 1) x`,
      [runIds],
    );
    expect(Number(results[0].dup)).toBe(0);
  });
});
