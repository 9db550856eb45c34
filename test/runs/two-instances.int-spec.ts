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
    // Several more ticks of both schedulers: still one run per district and slot.
    await new Promise((r) => setTimeout(r, 3500));

    const { rows: runs } = await db.pool.query<{
      district_id: string;
      n: string;
      attempts: string;
      executors: string;
    }>(
      `SELECT district_id, count(*) AS n, sum(attempts) AS attempts, count(DISTINCT lease_owner) AS executors
       FROM runs WHERE district_id = ANY($1::uuid[]) GROUP BY district_id`,
      [districts],
    );
    expect(runs.map((r) => [Number(r.n), Number(r.attempts), Number(r.executors)])).toEqual(
      districts.map(() => [1, 1, 1]),
    );
    const { rows: jobs } = await db.pool.query<{ singleton_key: string; n: string }>(
      `SELECT singleton_key, count(*) AS n FROM pgboss.job WHERE singleton_key = ANY($1) GROUP BY singleton_key`,
      [runIds],
    );
    expect(jobs.map((j) => Number(j.n))).toEqual(runIds.map(() => 1));
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
