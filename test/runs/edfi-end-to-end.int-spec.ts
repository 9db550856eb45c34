import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { startEdfiOdsServer, type EdfiOdsServer } from 'test/helpers/edfi-ods-server';
import { grandBendDir, GRAND_BEND_COUNTS } from 'test/helpers/edfi-sample';
import { factory } from 'test/helpers/factory';
import { waitForRun } from 'test/runs/run-fixtures';
import { RUN_ENV, RUN_WAIT_MS } from 'test/scorecards/scorecard-fixtures';

interface Card {
  runId: string;
  score: number;
  sides: Array<{ side: string; status: string }>;
  rules: Array<{ ruleId: string; failed: number }>;
}

/**
 * A Texas district whose SIS is reached through Ed-Fi — the public Grand Bend sample as interchange XML files,
 * and the same sample behind a test ODS/API over HTTP — runs through the real pipeline: queued through the API,
 * extracted, evaluated against the TX rules, scored; unmapped descriptors are reported with their row counts.
 */
describe('an Ed-Fi district end to end', () => {
  let t: TestApp;
  let ods: EdfiOdsServer;
  let support: TestUser;

  beforeAll(async () => {
    [t, ods] = await Promise.all([createTestApp(RUN_ENV), startEdfiOdsServer(grandBendDir())]);
    support = await t.user('support', null);
  });

  afterAll(async () => {
    await t?.close();
    await ods?.close();
  });

  const runEdfiDistrict = async (
    settings: Record<string, unknown>,
    password?: string,
  ): Promise<{ districtId: string; runId: string; admin: TestUser }> => {
    const district = await factory.district(t.db.pool, { state: 'TX' });
    const admin = await t.user('district_admin', district.id);
    await t.http
      .post(`/api/districts/${district.id}/links`)
      .auth(support.token, { type: 'bearer' })
      .send({ name: 'Grand Bend Ed-Fi', role: 'current', sisKind: 'edfi', settings, password })
      .expect(201);
    const res = await t.http
      .post(`/api/districts/${district.id}/runs`)
      .auth(admin.token, { type: 'bearer' })
      .send({ kind: 'manual', asOf: '2022-03-01' })
      .expect(201);
    const runId = (res.body as { id: string }).id;
    const run = await waitForRun(t.db.pool, runId, RUN_WAIT_MS);
    expect([run.status, run.error]).toEqual(['done', null]);
    return { districtId: district.id, runId, admin };
  };

  const expectRunDone = async (o: { districtId: string; runId: string; admin: TestUser }) => {
    const got = await t.http
      .get(`/api/districts/${o.districtId}/runs/${o.runId}`)
      .auth(o.admin.token, { type: 'bearer' })
      .expect(200);
    expect(got.body).toMatchObject({ status: 'done', phase: 'done', percent: 100, error: null });

    const { rows: snaps } = await t.db.pool.query<{ id: string; status: string; school_year: number }>(
      `SELECT id, status, school_year FROM snapshots WHERE run_id = $1`,
      [o.runId],
    );
    expect(snaps).toHaveLength(1);
    expect(snaps[0]).toMatchObject({ status: 'complete', school_year: 2021 });
    const snapshotId = snaps[0].id;
    const counts: Record<string, number> = {};
    for (const entity of CANONICAL_ENTITIES) {
      const { rows } = await t.db.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM snap_${entity} WHERE snapshot_id = $1`,
        [snapshotId],
      );
      counts[entity] = Number(rows[0].n);
    }
    expect(counts).toEqual(GRAND_BEND_COUNTS);

    const { rows: results } = await t.db.pool.query<{ rule_id: string; checked: string }>(
      `SELECT r.rule_id, r.checked FROM rule_results r
       JOIN run_checkpoints c ON c.ref_id = r.evaluation_id AND c.step = 'evaluate' WHERE c.run_id = $1`,
      [o.runId],
    );
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => Number(r.checked) > 0)).toBe(true);

    const card = await t.http
      .get(`/api/districts/${o.districtId}/scorecard`)
      .auth(o.admin.token, { type: 'bearer' })
      .expect(200);
    const body = card.body as Card;
    expect(body.runId).toBe(o.runId);
    expect(body.sides).toEqual([expect.objectContaining({ side: 'current', status: 'evaluated' })]);
    expect(body.score).toBeGreaterThanOrEqual(0);
    expect(body.score).toBeLessThanOrEqual(100);
    expect(body.rules.map((r) => r.ruleId).sort()).toEqual(results.map((r) => r.rule_id).sort());

    const { rows: issues } = await t.db.pool.query<{ raw_value: string; n: string }>(
      `SELECT raw_value, count(*) AS n FROM extraction_issues WHERE snapshot_id = $1 AND kind = 'unmapped_code'
       GROUP BY raw_value ORDER BY raw_value`,
      [snapshotId],
    );
    expect(issues.map((i) => [i.raw_value, Number(i.n)])).toEqual([
      ['uri://ed-fi.org/ExitWithdrawTypeDescriptor#Dropout', 1],
      ['uri://ed-fi.org/ExitWithdrawTypeDescriptor#Involuntarily Removed', 1],
    ]);
    const { rows: checkpoints } = await t.db.pool.query<{ warnings: string[] }>(
      `SELECT warnings FROM snapshot_checkpoints WHERE snapshot_id = $1 AND entity = 'enrollment'`,
      [snapshotId],
    );
    expect(checkpoints[0].warnings).toEqual(
      expect.arrayContaining([
        "exit code 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Dropout' in StudentSchoolAssociation.ExitWithdrawType has no canonical mapping (1 row)",
        "exit code 'uri://ed-fi.org/ExitWithdrawTypeDescriptor#Involuntarily Removed' in StudentSchoolAssociation.ExitWithdrawType has no canonical mapping (1 row)",
      ]),
    );
  };

  it('runs a district linked to the Grand Bend interchange XML files', async () => {
    await expectRunDone(await runEdfiDistrict({ driver: 'edfi_xml', path: grandBendDir() }));
  });

  it('runs a district linked to the Grand Bend sample behind an ODS/API', async () => {
    await expectRunDone(
      await runEdfiDistrict({ driver: 'edfi_api', url: ods.url, user: ods.clientId }, ods.clientSecret),
    );
  });
});
