import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePair } from 'connectors/generator/district-generator.service';
import type { PairManifest } from 'connectors/generator/generator.types';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { startEdfiOdsServer, type EdfiOdsServer } from 'test/helpers/edfi-ods-server';
import { factory } from 'test/helpers/factory';
import { replicaLink, waitForRun } from 'test/runs/run-fixtures';
import { RUN_ENV, RUN_WAIT_MS } from 'test/scorecards/scorecard-fixtures';
import {
  allDifferences,
  expectedKey,
  reportedKey,
  type ReportedDifference,
} from 'test/comparison/pair-differences';

const STUDENTS = 900;
const AS_OF = '2026-11-01';
const PLANTED = { missing_in_new: 4, field_drift: 3, unmapped_code_new: 2 } as const;

/**
 * "The SIS vs its Ed-Fi ODS": a generated PowerSchool district (the replica in PostgreSQL) and the same district
 * as its Ed-Fi ODS (interchange XML; then the same files behind the test ODS/API), with what publishing loses
 * planted in the ODS — students never published, drifted fields, exit descriptors that do not map. A trial run
 * through the API extracts both links, compares them, and must report exactly the planted list.
 */
describe('SIS vs its Ed-Fi ODS (generated pair)', () => {
  let db: TestDatabase;
  let dir: string;
  let manifest: PairManifest;
  let t: TestApp;
  let ods: EdfiOdsServer;
  let support: TestUser;

  beforeAll(async () => {
    db = await createTestDatabase({ scratch: true });
    dir = await mkdtemp(join(tmpdir(), 'edfi-pair-'));
    manifest = await generatePair({
      oldSis: 'powerschool',
      newSis: 'edfi',
      students: STUDENTS,
      seed: 'edfi-pair',
      oldUrl: db.url,
      newDir: dir,
      differences: PLANTED,
      schoolYear: 2026,
      asOf: AS_OF,
    });
    [t, ods] = await Promise.all([createTestApp(RUN_ENV), startEdfiOdsServer(dir)]);
    support = await t.user('support', null);
  }, 600_000);

  afterAll(async () => {
    await t?.close();
    await ods?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plants the ODS differences deterministically and records them', () => {
    const kinds = manifest.differences.map((d) => d.kind).sort();
    expect(kinds).toEqual([
      ...Array<string>(PLANTED.field_drift).fill('field_drift'),
      ...Array<string>(PLANTED.missing_in_new).fill('missing_in_new'),
      ...Array<string>(PLANTED.unmapped_code_new).fill('unmapped_code_new'),
    ]);
    expect(manifest.new.codeCrosswalks?.length).toBeGreaterThan(0);
    expect(manifest.crosswalks.section?.split('\n')[1]).toMatch(/^\d+-\d+,\d+\|2027\|26-27\|/);
    expect(manifest.new.counts.student).toBe(manifest.old.counts.student - PLANTED.missing_in_new);
  });

  const runPair = async (
    settings: Record<string, unknown>,
    password?: string,
  ): Promise<{
    diffs: ReportedDifference[];
    counts: Record<string, Record<string, number>>;
    unmapped: Array<[string, number]>;
  }> => {
    const district = await factory.district(t.db.pool);
    const admin = await t.user('district_admin', district.id);
    await replicaLink(t.db.pool, district.id, db, { role: 'old', sis: 'powerschool' });
    const link = await t.http
      .post(`/api/districts/${district.id}/links`)
      .auth(support.token, { type: 'bearer' })
      .send({ name: 'Ed-Fi ODS', role: 'new', sisKind: 'edfi', settings, password, isTestCopy: true })
      .expect(201);
    const linkId = (link.body as { id: string }).id;
    // The district's descriptor namespace, mapped on the Ed-Fi link; the ODS's section keys, crosswalked.
    for (const entry of manifest.new.codeCrosswalks ?? [])
      await t.http
        .put(`/api/districts/${district.id}/crosswalks`)
        .auth(admin.token, { type: 'bearer' })
        .send({ linkId, ...entry })
        .expect(200);
    await t.http
      .post(`/api/districts/${district.id}/id-crosswalks/section/import`)
      .auth(admin.token, { type: 'bearer' })
      .send({ csv: manifest.crosswalks.section })
      .expect(201);
    const res = await t.http
      .post(`/api/districts/${district.id}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'trial', asOf: AS_OF })
      .expect(201);
    const runId = (res.body as { id: string }).id;
    const end = await waitForRun(t.db.pool, runId, RUN_WAIT_MS);
    expect([end.status, end.error]).toEqual(['done', null]);
    const diffs = await allDifferences(t, district.id, runId, admin.token);
    const counts: Record<string, Record<string, number>> = {};
    for (const entity of CANONICAL_ENTITIES) {
      const { rows } = await t.db.pool.query<{ side: string; n: string }>(
        `SELECT s.sis_kind AS side, count(x.*) AS n FROM snapshots s
         LEFT JOIN snap_${entity} x ON x.snapshot_id = s.id WHERE s.run_id = $1 GROUP BY s.sis_kind`,
        [runId],
      );
      for (const r of rows) (counts[r.side] ??= {})[entity] = Number(r.n);
    }
    const { rows: issues } = await t.db.pool.query<{ raw_value: string; n: string }>(
      `SELECT i.raw_value, count(*) AS n FROM extraction_issues i JOIN snapshots s ON s.id = i.snapshot_id
       WHERE s.run_id = $1 AND s.sis_kind = 'edfi' AND i.kind = 'unmapped_code' GROUP BY i.raw_value`,
      [runId],
    );
    return { diffs, counts, unmapped: issues.map((i) => [i.raw_value, Number(i.n)]) };
  };

  /** Every reported difference is a planted one, or a record of a student the ODS never received. */
  const expectExactly = (diffs: ReportedDifference[]): void => {
    const expected = new Set(manifest.differences.map(expectedKey));
    const unpublished = new Set(
      manifest.differences.filter((d) => d.kind === 'missing_in_new').map((d) => d.key.student_id),
    );
    const unexplained = diffs
      .filter((d) => !expected.has(reportedKey(d)))
      .filter((d) => !(d.kind === 'missing_in_new' && unpublished.has(d.key.student_id ?? '')))
      .map(reportedKey);
    // Precision 100%: nothing reported beyond the planted list.
    expect(unexplained).toEqual([]);
    // Recall 100%: every planted difference reported.
    const reported = new Set(diffs.map(reportedKey));
    expect(manifest.differences.map(expectedKey).filter((k) => !reported.has(k))).toEqual([]);
  };

  it.each([
    ['XML interchange files', 'edfi_xml'],
    ['the test ODS/API', 'edfi_api'],
  ])(
    'through %s: the comparison finds exactly the planted differences and the ODS round-trips',
    async (_label, driver) => {
      const { diffs, counts, unmapped } = await runPair(
        driver === 'edfi_xml' ? { driver, path: dir } : { driver, url: ods.url, user: ods.clientId },
        driver === 'edfi_api' ? ods.clientSecret : undefined,
      );
      expectExactly(diffs);
      expect(diffs.filter((d) => d.kind === 'missing_in_new' && d.entity === 'student')).toHaveLength(
        PLANTED.missing_in_new,
      );
      // The descriptors that do not map: the planted ones and the trap's (unmapped in the SIS too), by URI.
      const trapped = manifest.traps.filter((x) => x.kind === 'unmapped_code_both').length;
      expect(unmapped).toEqual([
        [
          expect.stringMatching(/^uri:\/\/district-\d+\.example\.org\/ExitWithdrawTypeDescriptor#X7$/),
          PLANTED.unmapped_code_new + trapped,
        ],
      ]);
      // The generated district through the Ed-Fi connector: the canonical counts the generator wrote.
      expect(counts.edfi).toEqual(manifest.new.counts);
      // The ODS holds the SIS's students less the unpublished ones, and the same schools, sections and staff.
      expect(counts.edfi.student).toBe(counts.powerschool.student - PLANTED.missing_in_new);
      for (const entity of ['school', 'section', 'staff', 'section_staff'])
        expect([entity, counts.edfi[entity]]).toEqual([entity, counts.powerschool[entity]]);
    },
    RUN_WAIT_MS * 2,
  );
});
