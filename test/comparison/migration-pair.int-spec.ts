import { generatePair } from 'connectors/generator/district-generator.service';
import { STUDENT_TRAP_KINDS, differenceApplies } from 'connectors/generator/migration-traps.util';
import { DIFFERENCE_KINDS, type PairManifest } from 'connectors/generator/generator.types';
import type { SisKind } from 'src/districts/district.types';
import { CompareSnapshotsUseCase } from 'src/comparison/compare-snapshots.use-case';
import { ComparisonRepository } from 'src/comparison/comparison.repository';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';
import {
  allDifferences,
  expectedKey,
  reportedKey,
  type ReportedDifference,
} from 'test/comparison/pair-differences';

/** 3,000 students by default; MIGRATION_PAIR_STUDENTS=50000 runs the same spec at 50k (several minutes). */
const STUDENTS = Number(process.env.MIGRATION_PAIR_STUDENTS ?? 3000);
const PER_KIND = 4;
const PRECISION_FLOOR = 0.995;

interface KindScore {
  kind: string;
  injected: number;
  found: number;
  reported: number;
  falsePositives: number;
}

/**
 * Scores the reported differences against the manifest, per injected kind. A student missing on one side takes
 * its enrollments, programs and sections with it: those records are explained by the student's difference.
 * A false positive is charged to every kind reporting the same entity and difference kind (so a kind's
 * precision can only look worse, never better, than it is).
 */
function score(
  manifest: PairManifest,
  diffs: ReportedDifference[],
  applies: (kind: (typeof DIFFERENCE_KINDS)[number]) => boolean,
): { kinds: KindScore[]; unexplained: string[] } {
  const expected = new Map<string, string>(manifest.differences.map((d) => [expectedKey(d), d.kind]));
  const missingStudents = new Map(
    manifest.differences
      .filter((d) => d.expect.entity === 'student' && d.expect.kind !== 'field')
      .map((d) => [d.key.student_id, d.expect.kind]),
  );
  const reported = diffs.map((d) => {
    const key = reportedKey(d);
    const sid = d.key.student_id ?? '';
    const explainedBy =
      expected.get(key) ??
      (d.entity !== 'student' && d.kind !== 'field' && missingStudents.get(sid) === d.kind
        ? manifest.differences.find((x) => x.key.student_id === sid)?.kind
        : undefined);
    return { key, diff: d, explainedBy };
  });
  const unexplained = reported.filter((r) => !r.explainedBy).map((r) => r.key);
  const kinds = DIFFERENCE_KINDS.filter(applies).map((kind) => {
    const own = manifest.differences.filter((d) => d.kind === kind);
    const shapes = new Set(own.map((d) => `${d.expect.kind}|${d.expect.entity}`));
    const keys = new Set(reported.map((r) => r.key));
    return {
      kind,
      injected: own.length,
      found: own.filter((d) => keys.has(expectedKey(d))).length,
      reported: reported.filter((r) => r.explainedBy === kind).length,
      falsePositives: reported.filter((r) => !r.explainedBy && shapes.has(`${r.diff.kind}|${r.diff.entity}`))
        .length,
    };
  });
  return { kinds, unexplained };
}

function table(title: string, kinds: KindScore[]): string {
  const pct = (a: number, b: number): string => (b === 0 ? '   n/a' : `${((100 * a) / b).toFixed(1)}%`);
  const lines = kinds.map(
    (k) =>
      `${k.kind.padEnd(28)} ${String(k.injected).padStart(4)} ${String(k.found).padStart(5)} ${pct(k.found, k.injected).padStart(7)} ${String(k.reported).padStart(6)} ${String(k.falsePositives).padStart(4)} ${pct(k.reported, k.reported + k.falsePositives).padStart(9)}`,
  );
  return [title, 'difference kind               inj found  recall  diffs   FP precision', ...lines, ''].join(
    '\n',
  );
}

/**
 * End to end: generated pairs with every injected difference kind and every trap, extracted, evaluated and
 * compared by a migration run. The comparison must report exactly the manifest's differences.
 */
describe.each([
  ['aeries', 'powerschool'],
  ['infinite_campus', 'powerschool'],
  ['powerschool', 'aeries'],
] as [SisKind, SisKind][])('migration run: old %s vs new %s', (oldSis, newSis) => {
  let t: TestApp;
  let oldDb: TestDatabase;
  let newDb: TestDatabase;
  let manifest: PairManifest;
  let admin: TestUser;
  let districtId: string;
  let runId: string;
  let diffs: ReportedDifference[];
  const shape = { datedSchedules: oldSis !== 'aeries' && newSis !== 'aeries', reidentify: true };
  const applies = (kind: (typeof DIFFERENCE_KINDS)[number]): boolean => differenceApplies(kind, shape);

  beforeAll(async () => {
    [oldDb, newDb] = await Promise.all([
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
    ]);
    manifest = await generatePair({
      oldSis,
      newSis,
      students: STUDENTS,
      seed: `migration-pair-${oldSis}-${newSis}`,
      oldUrl: oldDb.url,
      newUrl: newDb.url,
      differences: Object.fromEntries(DIFFERENCE_KINDS.map((k) => [k, PER_KIND])),
      schoolYear: 2026,
      asOf: '2026-11-01',
      reidentify: true,
    });
    t = await createTestApp({ RUN_WORKERS: 'on', RUN_SCHEDULER: 'off', RUN_QUEUE_POLL_SECONDS: '0.5' });
    districtId = (await factory.district(t.db.pool)).id;
    await replicaLink(t.db.pool, districtId, oldDb, { role: 'old', sis: oldSis });
    await replicaLink(t.db.pool, districtId, newDb, { role: 'new', sis: newSis, isTestCopy: true });
    admin = await t.user('district_admin', districtId);
    // The vendor's crosswalk files, configured as a district would: CSV imports, and the staff map as JSON.
    for (const entity of ['student', 'school', 'section'] as const) {
      const r = await t.http
        .post(`/api/districts/${districtId}/id-crosswalks/${entity}/import`)
        .auth(admin.token, { type: 'bearer' })
        .send({ csv: manifest.crosswalks[entity] })
        .expect(201);
      expect((r.body as { received: number }).received).toBeGreaterThan(0);
    }
    const staffLines = (manifest.crosswalks.staff ?? '').split('\n').slice(1).filter(Boolean);
    await t.http
      .put(`/api/districts/${districtId}/id-crosswalks/staff`)
      .auth(admin.token, { type: 'bearer' })
      .send({
        entries: staffLines.map((l) => {
          const [oldId, newId] = l.split(',');
          return { oldId, newId };
        }),
      })
      .expect(200);
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'trial', asOf: '2026-11-01' })
      .expect(201);
    runId = (res.body as { id: string }).id;
    const end = await waitForRun(t.db.pool, runId, 1_800_000);
    expect([end.status, end.error]).toEqual(['done', null]);
    diffs = await allDifferences(t, districtId, runId, admin.token);
  }, 2_400_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([oldDb?.drop(), newDb?.drop()]);
  });

  it('reports every injected difference (recall 100%) and nothing else (precision ≥ 99.5% per kind)', () => {
    const { kinds, unexplained } = score(manifest, diffs, applies);
    process.stdout.write(table(`${oldSis} → ${newSis}, ${STUDENTS} students`, kinds));
    expect(unexplained).toEqual([]);
    expect(manifest.differences.filter((d) => !diffs.some((x) => reportedKey(x) === expectedKey(d)))).toEqual(
      [],
    );
    for (const k of kinds) {
      expect([k.kind, k.injected, k.found]).toEqual([k.kind, PER_KIND, PER_KIND]);
      expect([k.kind, k.reported / (k.reported + k.falsePositives) >= PRECISION_FLOOR]).toEqual([
        k.kind,
        true,
      ]);
    }
  });

  it('reports nothing about a trapped record', () => {
    const trapped = new Map(
      manifest.traps.filter((x) => x.student_id !== null).map((x) => [x.student_id as string, x.kind]),
    );
    const planned = new Set(STUDENT_TRAP_KINDS);
    expect(new Set(manifest.traps.filter((x) => planned.has(x.kind as never)).map((x) => x.kind))).toEqual(
      planned,
    );
    const reported = diffs
      .filter((d) => trapped.has(d.key.student_id ?? ''))
      .map((d) => `${trapped.get(d.key.student_id ?? '')}: ${reportedKey(d)}`);
    expect(reported).toEqual([]);
    // A graduate is graduated on both sides (Aeries derives L, PowerSchool has Enroll_Status 3, IC an E230 exit).
    const graduates = diffs.filter((d) => Number(d.key.student_id) % 1_000_000 >= 750_001);
    expect(graduates).toEqual([]);
  });

  it('matches the crosswalked ids and reports what the crosswalk matched', async () => {
    for (const entity of ['student', 'school', 'section', 'staff'] as const) {
      const r = await t.http
        .get(`/api/districts/${districtId}/id-crosswalks/${entity}/report?runId=${runId}`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200);
      const body = r.body as { mappings: number; oldFound: number; newFound: number };
      expect([entity, body.mappings > 0, body.newFound === body.mappings]).toEqual([entity, true, true]);
    }
  });

  it('keeps the traps out of the differences and in the snapshots', async () => {
    const snap = async (sql: string, extra: unknown[] = []): Promise<Array<Record<string, string>>> =>
      (
        await t.db.pool.query<Record<string, string>>(
          `SELECT s.sis_kind AS side, ${sql} GROUP BY s.sis_kind`,
          [runId, ...extra],
        )
      ).rows;
    // Last year's enrollments are in the window on both sides.
    const prior = await snap(
      `count(*) AS n FROM snap_enrollment e JOIN snapshots s ON s.id = e.snapshot_id WHERE s.run_id = $1 AND e.school_year = 2025`,
    );
    expect(prior.map((r) => Number(r.n) > STUDENTS / 3)).toEqual([true, true]);
    // Former students who left before the window are extracted by neither side.
    const alumni = await snap(
      `count(*) AS n FROM snap_student x JOIN snapshots s ON s.id = x.snapshot_id WHERE s.run_id = $1 AND x.student_id::int % 1000000 BETWEEN 600001 AND 700000`,
    );
    expect(alumni).toEqual([]);
    // A birth date typed with a year after 2100 stays a date on both sides.
    const odd = manifest.traps.filter((x) => x.kind === 'odd_birth_date_both').map((x) => x.student_id);
    expect(odd).toHaveLength(2);
    const births = await snap(
      `count(*) AS n FROM snap_student x JOIN snapshots s ON s.id = x.snapshot_id WHERE s.run_id = $1 AND extract(year FROM x.birth_date) > 2100`,
    );
    // The old side also holds the typed dates the migration corrected (odd_birth_date_changed).
    const bySide = new Map(births.map((r) => [r.side, Number(r.n)]));
    expect([bySide.get(oldSis), bySide.get(newSis)]).toEqual([2 + PER_KIND, 2]);
    // Exits before the entry are extracted on both sides (no connector filters by validity).
    const early = manifest.traps.filter((x) => x.kind === 'exit_before_entry_both').map((x) => x.student_id);
    const exits = await snap(
      `count(*) AS n FROM snap_enrollment e JOIN snapshots s ON s.id = e.snapshot_id WHERE s.run_id = $1 AND e.exit_date < e.entry_date AND e.student_id = ANY($2)`,
      [early],
    );
    expect(exits.map((r) => Number(r.n) >= 2)).toEqual([true, true]);
    // Enrollments two years back lie outside the window on both sides.
    const older = await snap(
      `count(*) AS n FROM snap_enrollment e JOIN snapshots s ON s.id = e.snapshot_id WHERE s.run_id = $1 AND e.school_year < 2025`,
    );
    expect(older).toEqual([]);
    // Last year's graduates are extracted, graduated, on both sides.
    const graduated = await snap(
      `count(*) AS n FROM snap_enrollment e JOIN snapshots s ON s.id = e.snapshot_id WHERE s.run_id = $1 AND e.status = 'graduated'`,
    );
    expect(graduated.map((r) => Number(r.n) >= 2)).toEqual([true, true]);
    // One canonical state school id on both sides.
    const ids = await snap(
      `count(*) FILTER (WHERE length(x.state_school_id) <> 7) AS n FROM snap_school x JOIN snapshots s ON s.id = x.snapshot_id WHERE s.run_id = $1`,
    );
    expect(ids.map((r) => Number(r.n))).toEqual([0, 0]);
  });

  it('without the crosswalks, summarises every reference warning (more than 10,000), never capped silently', async () => {
    for (const entity of ['student', 'school', 'section', 'staff'])
      await t.http
        .delete(`/api/districts/${districtId}/id-crosswalks/${entity}`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200);
    const repo = t.app.get(ComparisonRepository);
    const first = await repo.findByRun(runId);
    const again = await t.app.get(CompareSnapshotsUseCase).execute({
      districtId,
      oldSnapshotId: first?.oldSnapshotId as string,
      newSnapshotId: first?.newSnapshotId as string,
    });
    const record = await repo.find(districtId, again);
    const total = record?.warningsTotal ?? 0;
    process.stdout.write(
      `${oldSis} → ${newSis}, ${STUDENTS} students, no crosswalks: ${total} reference warnings (${(record?.warningSummary ?? []).map((g) => `${g.entity}→${g.refEntity} ${g.count}`).join(', ')})\n`,
    );
    expect(total).toBeGreaterThan(10_000);
    expect(record?.warningSummary.reduce((n, g) => n + g.count, 0)).toBe(total);
    expect(record?.warningSummary.find((g) => g.refEntity === 'school')?.samples.length).toBeGreaterThan(0);
    expect((await repo.warnings(again, 1, 0)).total).toBe(10_000);
  });

  if (oldSis === 'aeries' && newSis === 'powerschool') {
    it('causes no false differences from PowerSchool exclusive exit dates', async () => {
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
        entities: Array<{ entity: string; onlyInOld: number; onlyInNew: number }>;
        schools: Array<{ schoolId: string; matchedPercent: number; matched: number }>;
      };
      expect(body.comparison.isTrial).toBe(true);
      const student = body.entities.find((e) => e.entity === 'student');
      expect(student).toMatchObject({ onlyInOld: PER_KIND, onlyInNew: PER_KIND });
      expect(body.schools.length).toBeGreaterThan(0);
      expect(body.schools.every((s) => s.matchedPercent > 90 && s.matched > 0)).toBe(true);
      const delta = await t.http
        .get(`/api/districts/${districtId}/runs/${runId}/comparison/rule-delta`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200);
      const rd = delta.body as { evaluated: boolean; rules: unknown[] };
      expect(rd.evaluated).toBe(true);
      expect(rd.rules.length).toBeGreaterThan(0);
      const other = await t.user('district_admin', (await factory.district(t.db.pool)).id);
      await t.http
        .get(`/api/districts/${districtId}/runs/${runId}/comparison`)
        .auth(other.token, { type: 'bearer' })
        .expect(404);
    });
  }
});
