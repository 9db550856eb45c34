import { CONNECTORS } from 'connectors/index';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import type { CanonicalRow } from 'connectors/sdk/connector.types';
import { generatePair } from 'connectors/generator/district-generator.service';
import type { PairManifest } from 'connectors/generator/generator.types';
import type { SisKind } from 'src/districts/district.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { canonicalize, runExtract, spec } from 'test/connectors/native-extract.util';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

async function rows(db: TestDatabase, sis: SisKind, entity: CanonicalEntity): Promise<CanonicalRow[]> {
  const def = CONNECTORS[sis];
  const s = spec(def, entity);
  return (await runExtract(db.pool, s, YEAR)).map((r) => canonicalize(def, s, r));
}

/** Fields both connectors supply, so the comparison is like-for-like. */
function common(entity: CanonicalEntity, a: SisKind, b: SisKind): string[] {
  const f = (sis: SisKind): string[] => Object.keys(spec(CONNECTORS[sis], entity).fields);
  return f(a).filter((x) => f(b).includes(x));
}

const project = (r: CanonicalRow, fields: string[]): string => JSON.stringify(fields.map((f) => r[f]));

describe.each([
  ['aeries', 'powerschool'],
  ['powerschool', 'infinite_campus'],
] as [SisKind, SisKind][])('migration pair %s → %s', (oldSis, newSis) => {
  let oldDb: TestDatabase;
  let newDb: TestDatabase;
  let m: PairManifest;

  beforeAll(async () => {
    [oldDb, newDb] = await Promise.all([
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
    ]);
    m = await generatePair({
      oldSis,
      newSis,
      students: 1200,
      seed: 'pair',
      oldUrl: oldDb.url,
      newUrl: newDb.url,
      differences: { missing_in_new: 3, missing_in_old: 2, field_drift: 3 },
      ...YEAR,
    });
  });
  afterAll(async () => {
    await Promise.all([oldDb.drop(), newDb.drop()]);
  });

  it('lists the controlled differences', () => {
    expect(m.differences.map((d) => d.kind).sort()).toEqual([
      'field_drift',
      'field_drift',
      'field_drift',
      'missing_in_new',
      'missing_in_new',
      'missing_in_new',
      'missing_in_old',
      'missing_in_old',
    ]);
    expect(
      m.differences
        .filter((d) => d.kind === 'field_drift')
        .map((d) => d.field)
        .sort(),
    ).toEqual(['birth_date', 'grade_level', 'last_name']);
    // 1,200 students less the missing ones, plus last year's 4 graduates (in the window, on both sides).
    expect(m.old.counts.student).toBe(1202);
    expect(m.new.counts.student).toBe(1201);
  });

  it('students: the only differences after mapping are the listed ones', async () => {
    const fields = common('student', oldSis, newSis);
    const before = new Map((await rows(oldDb, oldSis, 'student')).map((r) => [String(r.student_id), r]));
    const after = new Map((await rows(newDb, newSis, 'student')).map((r) => [String(r.student_id), r]));
    const missingInNew = [...before.keys()].filter((k) => !after.has(k)).sort();
    const missingInOld = [...after.keys()].filter((k) => !before.has(k)).sort();
    const ids = (kind: string): string[] =>
      m.differences
        .filter((d) => d.kind === kind)
        .map((d) => d.key.student_id)
        .sort();
    expect(missingInNew).toEqual(ids('missing_in_new'));
    expect(missingInOld).toEqual(ids('missing_in_old'));
    const drifted = [...before.keys()].filter(
      (k) =>
        after.has(k) &&
        project(before.get(k) as CanonicalRow, fields) !== project(after.get(k) as CanonicalRow, fields),
    );
    const expected = m.differences.filter((d) => d.kind === 'field_drift' && d.entity === 'student');
    expect(drifted.sort()).toEqual(expected.map((d) => d.key.student_id).sort());
    for (const d of expected) {
      const field = d.field as string;
      expect([before.get(d.key.student_id)?.[field], after.get(d.key.student_id)?.[field]]).toEqual([
        d.old,
        d.new,
      ]);
    }
  });

  it('enrollments: withdrawn students agree on the inclusive exit date; only drifted grades differ', async () => {
    const fields = common('enrollment', oldSis, newSis);
    const keyOf = (r: CanonicalRow): string => `${r.student_id}|${r.school_id}|${r.entry_date}`;
    const before = new Map((await rows(oldDb, oldSis, 'enrollment')).map((r) => [keyOf(r), r]));
    const after = new Map((await rows(newDb, newSis, 'enrollment')).map((r) => [keyOf(r), r]));
    const absent = new Set(
      m.differences.filter((d) => d.kind !== 'field_drift').map((d) => d.key.student_id),
    );
    const differing = [...before.keys()]
      .filter((k) => !absent.has(k.split('|')[0]))
      .filter(
        (k) =>
          !after.has(k) ||
          project(before.get(k) as CanonicalRow, fields) !== project(after.get(k) as CanonicalRow, fields),
      )
      .map((k) => k.split('|')[0]);
    expect(differing.sort()).toEqual(
      m.differences
        .filter((d) => d.entity === 'enrollment')
        .map((d) => d.key.student_id)
        .sort(),
    );
    const withdrawn = [...before.values()].filter((r) => r.exit_date !== null && r.status === 'inactive');
    expect(withdrawn.length).toBeGreaterThan(20);
    for (const r of withdrawn.filter((x) => !absent.has(String(x.student_id))))
      expect(after.get(keyOf(r))?.exit_date).toBe(r.exit_date);
  });
});
