import { generatePair } from 'connectors/generator/district-generator.service';
import type { PairManifest } from 'connectors/generator/generator.types';
import { RunsModule } from 'src/runs/runs.module';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';

interface Diff {
  entity: string;
  kind: 'missing_in_new' | 'missing_in_old' | 'field';
  key: Record<string, string | null>;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
}

/**
 * End to end: a generated pair (old Aeries, new PowerSchool) with injected differences, extracted, evaluated
 * and compared by a migration run. The comparison must report exactly the manifest's differences.
 */
describe('migration run: old Aeries vs new PowerSchool', () => {
  let t: TestApp;
  let oldDb: TestDatabase;
  let newDb: TestDatabase;
  let manifest: PairManifest;
  let admin: TestUser;
  let districtId: string;
  let runId: string;
  let diffs: Diff[];

  beforeAll(async () => {
    [oldDb, newDb] = await Promise.all([
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
    ]);
    manifest = await generatePair({
      oldSis: 'aeries',
      newSis: 'powerschool',
      students: 800,
      seed: 'migration-pair',
      oldUrl: oldDb.url,
      newUrl: newDb.url,
      differences: { missing_in_new: 6, missing_in_old: 5, field_drift: 9 },
      schoolYear: 2026,
      asOf: '2026-11-01',
    });
    t = await createTestApp(
      { RUN_WORKERS: 'on', RUN_SCHEDULER: 'off', RUN_QUEUE_POLL_SECONDS: '0.5' },
      () => [RunsModule.forRoot()],
    );
    districtId = (await factory.district(t.db.pool)).id;
    await replicaLink(t.db.pool, districtId, oldDb, { role: 'old', sis: 'aeries' });
    await replicaLink(t.db.pool, districtId, newDb, { role: 'new', sis: 'powerschool', isTestCopy: true });
    admin = await t.user('district_admin', districtId);
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'trial', asOf: '2026-11-01' })
      .expect(201);
    runId = (res.body as { id: string }).id;
    const end = await waitForRun(t.db.pool, runId, 120_000);
    expect([end.status, end.error]).toEqual(['done', null]);
    diffs = [];
    for (let page = 1; ; page++) {
      const r = await t.http
        .get(`/api/districts/${districtId}/runs/${runId}/comparison/differences?page=${page}`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200);
      const body = r.body as { items: Diff[]; total: number; pageSize: number };
      diffs.push(...body.items);
      if (page * body.pageSize >= body.total) break;
    }
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([oldDb?.drop(), newDb?.drop()]);
  });

  it('reports exactly the injected differences (precision and recall against the manifest)', () => {
    const expected = manifest.differences.map((d) =>
      d.kind === 'field_drift'
        ? `field|${d.entity}|${d.key.student_id}|${d.field}|${d.old}|${d.new}`
        : `${d.kind}|student|${d.key.student_id}`,
    );
    // A student missing on one side takes its enrollments, programs and sections with it: those records are
    // explained by the student's difference, and counted as true positives.
    const missingStudents = new Map(
      manifest.differences.filter((d) => d.kind !== 'field_drift').map((d) => [d.key.student_id, d.kind]),
    );
    const reported = diffs.map((d) => {
      const sid = d.key.student_id ?? '';
      if (d.kind === 'field')
        return { key: `field|${d.entity}|${sid}|${d.field}|${d.oldValue}|${d.newValue}`, explained: false };
      return {
        key: `${d.kind}|${d.entity}|${sid}`,
        explained: d.entity !== 'student' && missingStudents.get(sid) === d.kind,
      };
    });
    const expectedSet = new Set(expected);
    const truePositives = reported.filter((r) => expectedSet.has(r.key) || r.explained).length;
    const found = expected.filter((e) => reported.some((r) => r.key === e)).length;
    const precision = reported.length === 0 ? 1 : truePositives / reported.length;
    const recall = expected.length === 0 ? 1 : found / expected.length;
    process.stdout.write(
      `comparison vs manifest: ${expected.length} injected, ${reported.length} reported (${truePositives} true), precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}\n`,
    );
    const unexplained = reported.filter((r) => !expectedSet.has(r.key) && !r.explained).map((r) => r.key);
    expect(unexplained).toEqual([]);
    expect(expected.filter((e) => !reported.some((r) => r.key === e))).toEqual([]);
    expect(precision).toBe(1);
    expect(recall).toBe(1);
    expect(manifest.differences.length).toBe(20);
  });

  it('causes no false differences from PowerSchool exclusive exit dates', async () => {
    expect(diffs.filter((d) => d.field === 'exit_date')).toEqual([]);
    const { rows } = await t.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM snap_enrollment e JOIN snapshots s ON s.id = e.snapshot_id
       WHERE s.run_id = $1 AND s.sis_kind = 'powerschool' AND e.exit_date IS NOT NULL AND e.exit_date_raw IS NOT NULL
         AND e.exit_date_raw::date <> e.exit_date`,
      [runId],
    );
    // The raw PowerSchool exit dates really are the day after: normalisation is what keeps them out of the diff.
    expect(Number(rows[0].n)).toBeGreaterThan(0);
  });

  it('serves the summary per entity, readiness per school and the rule delta', async () => {
    const r = await t.http
      .get(`/api/districts/${districtId}/runs/${runId}/comparison`)
      .auth(admin.token, { type: 'bearer' })
      .expect(200);
    const body = r.body as {
      comparison: { isTrial: boolean };
      entities: Array<{
        entity: string;
        onlyInOld: number;
        onlyInNew: number;
        matched: number;
        fieldDifferences: number;
      }>;
      schools: Array<{ schoolId: string; matchedPercent: number; matched: number }>;
    };
    expect(body.comparison.isTrial).toBe(true);
    const student = body.entities.find((e) => e.entity === 'student');
    expect(student).toMatchObject({ onlyInOld: 6, onlyInNew: 5 });
    expect(body.schools.length).toBeGreaterThan(0);
    expect(body.schools.every((s) => s.matchedPercent > 90 && s.matched > 0)).toBe(true);
    const delta = await t.http
      .get(`/api/districts/${districtId}/runs/${runId}/comparison/rule-delta`)
      .auth(admin.token, { type: 'bearer' })
      .expect(200);
    const rd = delta.body as {
      evaluated: boolean;
      rules: Array<{ ruleId: string; onlyInOld: number; onlyInNew: number; inBoth: number }>;
    };
    expect(rd.evaluated).toBe(true);
    expect(rd.rules.length).toBeGreaterThan(0);
    const other = await t.user('district_admin', (await factory.district(t.db.pool)).id);
    await t.http
      .get(`/api/districts/${districtId}/runs/${runId}/comparison`)
      .auth(other.token, { type: 'bearer' })
      .expect(404);
  });
});
