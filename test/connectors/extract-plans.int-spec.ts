import { CONNECTORS, REPLICA_SIS_KINDS } from 'connectors/index';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { bindExtract } from 'test/connectors/native-extract.util';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Relation Name'?: string;
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

/**
 * What makes a plan grow faster than the district: a sub-plan run once per outer row (not hashed), or a
 * nested loop scanning a whole table for every outer row.
 */
function quadratic(node: PlanNode, out: string[] = []): string[] {
  const children = node.Plans ?? [];
  if (node['Parent Relationship'] === 'SubPlan' && !/hashed/i.test(node['Subplan Name'] ?? ''))
    out.push(`correlated ${node['Subplan Name'] ?? 'sub-plan'}`);
  if (node['Node Type'] === 'Nested Loop') {
    const inner = children.find((c) => c['Parent Relationship'] === 'Inner');
    const outer = children.find((c) => c['Parent Relationship'] === 'Outer');
    if (inner?.['Node Type'] === 'Seq Scan' && (outer?.['Plan Rows'] ?? 0) > 50)
      out.push(`nested loop over a scan of ${inner['Relation Name'] ?? '?'}`);
  }
  for (const c of children) quadratic(c, out);
  return out;
}

/**
 * Every extract statement's PostgreSQL plan on the generated replicas (their own keys only, no index added for
 * us): no correlated sub-query and no nested loop rescanning a table, i.e. linear in the district's size.
 */
describe('extract statement plans', () => {
  const dbs = new Map<string, TestDatabase>();

  beforeAll(async () => {
    for (const sis of REPLICA_SIS_KINDS) {
      const db = await createTestDatabase({ scratch: true });
      dbs.set(sis, db);
      await generateDistrict(db.url, { sis, students: 3000, seed: `plans-${sis}`, ...YEAR });
      await db.pool.query('ANALYZE');
    }
  }, 600_000);
  afterAll(async () => {
    await Promise.all([...dbs.values()].map((d) => d.drop()));
  });

  it.each(REPLICA_SIS_KINDS)('%s: no statement is quadratic', async (sis) => {
    const db = dbs.get(sis) as TestDatabase;
    const problems: string[] = [];
    for (const spec of CONNECTORS[sis].entities) {
      const { text, values } = bindExtract(spec, YEAR);
      const { rows } = await db.pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (FORMAT JSON) ${text}`,
        values,
      );
      for (const p of quadratic(rows[0]['QUERY PLAN'][0].Plan)) problems.push(`${spec.entity}: ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('flags the shapes it guards against (the former PowerSchool student and staff filters)', async () => {
    const db = dbs.get('powerschool') as TestDatabase;
    const plan = async (sql: string): Promise<string[]> => {
      const { rows } = await db.pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
      );
      return quadratic(rows[0]['QUERY PLAN'][0].Plan);
    };
    expect(
      await plan(`SELECT s.ID FROM STUDENTS s WHERE EXISTS (SELECT 1 FROM TERMS t WHERE t.SchoolID = s.SchoolID
        AND t.IsYearRec = 1 AND s.EntryDate <= t.LastDay AND (s.ExitDate IS NULL OR s.ExitDate >= t.FirstDay))
        OR s.ID < 0`),
    ).not.toEqual([]);
    expect(
      await plan(
        `SELECT tc.ID FROM TEACHERS tc WHERE tc.ID = (SELECT MIN(t2.ID) FROM TEACHERS t2 WHERE t2.TeacherNumber = tc.TeacherNumber)`,
      ),
    ).not.toEqual([]);
  });
});
