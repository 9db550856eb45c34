import type { AddressInfo } from 'node:net';
import { generatePair } from 'connectors/generator/district-generator.service';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';

/** A real service on a free port over a district produced by the real pipeline (generator + a migration run). */
export interface UiWorld {
  t: TestApp;
  baseUrl: string;
  districtId: string;
  runId: string;
  schoolId: string;
  admin: TestUser;
  school: TestUser;
  support: TestUser;
  close(): Promise<void>;
}

/** `runs`: how many migration runs to record (more than one gives trends and persisting findings). */
export async function createUiWorld(
  o: { students?: number; port?: number; runs?: number } = {},
): Promise<UiWorld> {
  const [oldDb, newDb]: TestDatabase[] = await Promise.all([
    createTestDatabase({ scratch: true }),
    createTestDatabase({ scratch: true }),
  ]);
  await generatePair({
    oldSis: 'aeries',
    newSis: 'powerschool',
    students: o.students ?? 400,
    seed: 'ui-world',
    oldUrl: oldDb.url,
    newUrl: newDb.url,
    differences: { missing_in_new: 4, missing_in_old: 3, field_drift: 6 },
    defects: 'all',
    schoolYear: 2026,
    asOf: '2026-11-01',
  });
  // The migration loses three birth dates at the first school: records failing a rule only in the new SIS.
  await newDb.pool.query(
    `UPDATE students SET dob = NULL WHERE id IN (
       SELECT id FROM students WHERE schoolid = (SELECT min(schoolid) FROM students) AND dob IS NOT NULL
        ORDER BY id LIMIT 3)`,
  );
  const t = await createTestApp({
    RUN_WORKERS: 'on',
    RUN_SCHEDULER: 'off',
    RUN_QUEUE_POLL_SECONDS: '0.5',
  });
  await t.app.listen(o.port ?? 0, '127.0.0.1');
  const port = (t.app.getHttpServer().address() as AddressInfo).port;
  const district = await factory.district(t.db.pool, { name: 'Riverside Unified' });
  const districtId = district.id;
  await replicaLink(t.db.pool, districtId, oldDb, { role: 'old', sis: 'aeries' });
  await replicaLink(t.db.pool, districtId, newDb, { role: 'new', sis: 'powerschool' });
  const admin = await t.user('district_admin', districtId);
  const support = await t.user('support', null);
  let runId = '';
  for (let i = 0; i < (o.runs ?? 1); i++) {
    // each later run finds two more records without a birth date: new findings, a moving trend
    if (i > 0)
      await newDb.pool.query(
        `UPDATE students SET dob = NULL WHERE id IN (SELECT id FROM students WHERE dob IS NOT NULL ORDER BY id DESC LIMIT 2)`,
      );
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'manual', asOf: '2026-11-01' });
    if (res.status !== 201) throw new Error(`run not started: ${res.status} ${JSON.stringify(res.body)}`);
    runId = (res.body as { id: string }).id;
    const end = await waitForRun(t.db.pool, runId, 600_000);
    if (end.status !== 'done') throw new Error(`the fixture run ended ${end.status}: ${end.error ?? ''}`);
  }
  const { rows } = await t.db.pool.query<{ school_id: string }>(
    `SELECT s.school_id FROM snap_school s JOIN snapshots n ON n.id = s.snapshot_id
      WHERE n.district_id = $1 ORDER BY s.school_id LIMIT 1`,
    [districtId],
  );
  const schoolId = rows[0].school_id;
  const school = await t.user('school_user', districtId, { schoolIds: [schoolId] });
  return {
    t,
    baseUrl: `http://127.0.0.1:${port}`,
    districtId,
    runId,
    schoolId,
    admin,
    school,
    support,
    async close() {
      await t.close();
      await Promise.all([oldDb.drop(), newDb.drop()]);
    },
  };
}
