import { generatePair } from 'connectors/generator/district-generator.service';
import {
  DIFFERENCE_KINDS,
  type PairDifference,
  type PairManifest,
} from 'connectors/generator/generator.types';
import type { SisKind } from 'src/districts/district.types';
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

const STUDENTS = Number(process.env.MIGRATION_PAIR_STUDENTS ?? 3000);
const PER_KIND = 4;

/** What the comparison reports for an injected difference, as one comparable string. */
function expectedKey(d: PairDifference): string {
  const e = d.expect;
  return e.kind === 'field'
    ? `field|${e.entity}|${d.key.student_id}|${e.field}|${e.old ?? ''}|${e.new ?? ''}`
    : `${e.kind}|${e.entity}|${d.key.student_id}`;
}

function reportedKey(d: Diff): string {
  const sid = d.key.student_id ?? '';
  return d.kind === 'field'
    ? `field|${d.entity}|${sid}|${d.field}|${d.oldValue ?? ''}|${d.newValue ?? ''}`
    : `${d.kind}|${d.entity}|${sid}`;
}

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
function score(manifest: PairManifest, diffs: Diff[]): { kinds: KindScore[]; unexplained: string[] } {
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
  const kinds = DIFFERENCE_KINDS.map((kind) => {
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
      `${k.kind.padEnd(24)} ${String(k.injected).padStart(4)} ${String(k.found).padStart(5)} ${pct(k.found, k.injected).padStart(7)} ${String(k.reported).padStart(6)} ${String(k.falsePositives).padStart(4)} ${pct(k.reported, k.reported + k.falsePositives).padStart(9)}`,
  );
  return [title, 'difference kind           inj found  recall  diffs   FP precision', ...lines, ''].join(
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
  let diffs: Diff[];

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
    });
    t = await createTestApp({ RUN_WORKERS: 'on', RUN_SCHEDULER: 'off', RUN_QUEUE_POLL_SECONDS: '0.5' });
    districtId = (await factory.district(t.db.pool)).id;
    await replicaLink(t.db.pool, districtId, oldDb, { role: 'old', sis: oldSis });
    await replicaLink(t.db.pool, districtId, newDb, { role: 'new', sis: newSis, isTestCopy: true });
    admin = await t.user('district_admin', districtId);
    const res = await t.http
      .post(`/api/districts/${districtId}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'trial', asOf: '2026-11-01' })
      .expect(201);
    runId = (res.body as { id: string }).id;
    const end = await waitForRun(t.db.pool, runId, 600_000);
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
  }, 900_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([oldDb?.drop(), newDb?.drop()]);
  });

  it('reports every injected difference and nothing else (recall 100%, precision 100% per kind)', () => {
    const { kinds, unexplained } = score(manifest, diffs);
    process.stdout.write(table(`${oldSis} → ${newSis}, ${STUDENTS} students`, kinds));
    expect(unexplained).toEqual([]);
    expect(manifest.differences.filter((d) => !diffs.some((x) => reportedKey(x) === expectedKey(d)))).toEqual(
      [],
    );
    for (const k of kinds) {
      expect([k.kind, k.injected, k.found, k.falsePositives]).toEqual([k.kind, PER_KIND, PER_KIND, 0]);
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
      `count(*) AS n FROM snap_student x JOIN snapshots s ON s.id = x.snapshot_id WHERE s.run_id = $1 AND x.student_id::int >= 600001`,
    );
    expect(alumni).toEqual([]);
    // A birth date typed with a year after 2100 stays a date on both sides.
    const odd = manifest.traps.filter((x) => x.kind === 'odd_birth_date_both').map((x) => x.student_id);
    expect(odd).toHaveLength(2);
    const births = await snap(
      `count(*) AS n FROM snap_student x JOIN snapshots s ON s.id = x.snapshot_id WHERE s.run_id = $1 AND extract(year FROM x.birth_date) > 2100`,
    );
    expect(births.map((r) => Number(r.n))).toEqual([2, 2]);
    // Exits before the entry are extracted on both sides (no connector filters by validity).
    const early = manifest.traps.filter((x) => x.kind === 'exit_before_entry_both').map((x) => x.student_id);
    const exits = await snap(
      `count(*) AS n FROM snap_enrollment e JOIN snapshots s ON s.id = e.snapshot_id WHERE s.run_id = $1 AND e.exit_date < e.entry_date AND e.student_id = ANY($2)`,
      [early],
    );
    expect(exits.map((r) => Number(r.n) >= 2)).toEqual([true, true]);
    // One canonical state school id on both sides.
    const ids = await snap(
      `count(*) FILTER (WHERE length(x.state_school_id) <> 7) AS n FROM snap_school x JOIN snapshots s ON s.id = x.snapshot_id WHERE s.run_id = $1`,
    );
    expect(ids.map((r) => Number(r.n))).toEqual([0, 0]);
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
