import { RuleLoaderService } from 'src/rule-engine/rule-loader.service';
import type { Audience } from 'src/rule-engine/rule.types';
import { buildOpenApi } from 'src/bootstrap';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { factory } from 'test/helpers/factory';
import { RUN_ENV, scoredDistrict, type ScoredDistrict } from 'test/scorecards/scorecard-fixtures';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface ResultsOp {
  path: string;
  query: string[];
}

/** Every GET under the results API, read from the OpenAPI document (new results endpoints are covered automatically). */
function resultsOperations(t: TestApp): ResultsOp[] {
  const doc = buildOpenApi(t.app);
  return Object.entries(doc.paths)
    .filter(
      ([path, item]) =>
        item.get &&
        /^\/api\/(districts\/\{districtId\}\/(scorecard|exceptions|exclusions)|scorecards)/.test(path),
    )
    .map(([path, item]) => ({
      path,
      query: (item.get?.parameters ?? [])
        .map((p) => ('in' in p && p.in === 'query' ? p.name : null))
        .filter((n): n is string => n !== null),
    }));
}

/** The query strings to try for an operation: every distribution axis, the widest list, every exclusion. */
function queryVariants(op: ResultsOp): string[] {
  const fixed: string[] = [];
  if (op.query.includes('pageSize')) fixed.push('pageSize=500');
  if (op.query.includes('excluded')) fixed.push('excluded=include');
  if (op.query.includes('status')) fixed.push('status=all');
  const q = (extra: string[]) => [...fixed, ...extra].join('&');
  if (op.query.includes('by')) return ['school', 'grade', 'value'].map((by) => q([`by=${by}`]));
  return [q([])];
}

interface Seen {
  /** Where each value was seen (the URL), for the failure message. */
  ruleIds: Map<string, string>;
  fingerprints: Map<string, string>;
  schoolIds: Map<string, string>;
  records: number;
  url: string;
}

function collect(body: Json, seen: Seen, schoolKeys: boolean): void {
  if (Array.isArray(body)) {
    body.forEach((b) => collect(b, seen, schoolKeys));
    return;
  }
  if (body === null || typeof body !== 'object') return;
  if (typeof body.ruleId === 'string') seen.ruleIds.set(body.ruleId, seen.url);
  if (typeof body.fingerprint === 'string') {
    seen.fingerprints.set(body.fingerprint, seen.url);
    seen.records += 1;
  }
  if (typeof body.schoolId === 'string') seen.schoolIds.set(body.schoolId, seen.url);
  // Distribution buckets by school carry the school id as their key.
  if (schoolKeys && typeof body.key === 'string' && typeof body.count === 'number')
    seen.schoolIds.set(body.key, seen.url);
  Object.values(body).forEach((v) => collect(v, seen, schoolKeys));
}

function collectCsv(text: string, seen: Seen): void {
  const [header, ...lines] = text.trim().split('\n');
  const cols = header.split(',');
  const at = (name: string) => cols.indexOf(name);
  for (const line of lines.filter((l) => /^[A-Z]{2,3}-/.test(l))) {
    // Only the leading columns are read; they never contain commas or quotes.
    const cells = line.split(',');
    seen.ruleIds.set(cells[at('rule_id')], seen.url);
    if (cells[at('school_id')]) seen.schoolIds.set(cells[at('school_id')], seen.url);
    const fp = /,([0-9a-f]{32})$/.exec(line);
    if (fp) seen.fingerprints.set(fp[1], seen.url);
    seen.records += 1;
  }
}

/**
 * For every results endpoint (from the OpenAPI document) × role, nothing outside the caller's schools, programs or
 * sensitive-rule audience comes back: every rule id is one the role may see, every finding's fingerprint is one an
 * independent SQL oracle allows, every school is one of a school user's; another district's user gets 404.
 */
describe('results scope on every endpoint and role', () => {
  let t: TestApp;
  let d: ScoredDistrict;
  let users: Record<'support' | 'admin' | 'school' | 'program' | 'otherDistrict', TestUser>;
  let schoolIds: string[];
  let programCodes: string[];
  let ruleIds: string[];
  let exclusionIds: string[];
  let audience: Map<string, Audience[]>;

  beforeAll(async () => {
    t = await createTestApp(RUN_ENV);
    // The packs as the service loaded them (sql rules validate only once the SQL parser is initialised).
    audience = new Map(
      t.app
        .get(RuleLoaderService)
        .load()
        .rules.map((r) => [r.id, r.audience]),
    );
    d = await scoredDistrict(t, { seed: 'scope', name: 'Scope Unified' });
    const pool = t.db.pool;
    const schools = await pool.query<{ school_id: string }>(
      `SELECT school_id FROM rule_exceptions WHERE district_id = $1 AND school_id IS NOT NULL
       GROUP BY school_id ORDER BY count(*) DESC`,
      [d.districtId],
    );
    expect(schools.rows.length).toBeGreaterThan(1);
    schoolIds = [schools.rows[0].school_id];
    const programs = await pool.query<{ code: string }>(
      `SELECT code FROM scorecard_population WHERE kind = 'program' GROUP BY code ORDER BY sum(students) DESC`,
    );
    programCodes = [programs.rows[0].code];
    const other = await factory.district(pool, { name: 'Other Unified' });
    users = {
      support: await t.user('support', null),
      admin: await t.user('district_admin', d.districtId),
      school: await t.user('school_user', d.districtId, { schoolIds }),
      program: await t.user('program_user', d.districtId, { programCodes }),
      otherDistrict: await t.user('district_admin', other.id),
    };
    // Rules to drill into: the most failing ones of each audience kind present.
    const failing = await pool.query<{ rule_id: string }>(
      `SELECT rule_id FROM rule_exceptions WHERE district_id = $1 GROUP BY rule_id ORDER BY count(*) DESC`,
      [d.districtId],
    );
    const pick = (ok: (a: string[]) => boolean) =>
      failing.rows.map((r) => r.rule_id).find((id) => ok(audience.get(id) ?? []));
    ruleIds = [
      pick((a) => a.includes('school')),
      pick((a) => a.includes('program')),
      pick((a) => a.includes('sensitive')),
      pick((a) => !a.includes('school') && !a.includes('program')),
    ].filter((id): id is string => id !== undefined);
    // Exclusions on findings inside and outside the school user's school.
    exclusionIds = [];
    for (const inside of [true, false]) {
      const f = await pool.query<{ fingerprint: string; rule_id: string }>(
        `SELECT fingerprint, rule_id FROM rule_exceptions WHERE district_id = $1 AND rule_id = ANY($2::text[])
           AND (school_id = ANY($3::text[])) = $4 ORDER BY id DESC LIMIT 1`,
        [d.districtId, ruleIds, schoolIds, inside],
      );
      const res = await t.http
        .post(`/api/districts/${d.districtId}/exclusions`)
        .auth(users.admin.token, { type: 'bearer' })
        .send({ fingerprint: f.rows[0].fingerprint, ruleId: f.rows[0].rule_id, reason: 'scope test' })
        .expect(201);
      exclusionIds.push((res.body as { id: string }).id);
    }
  });

  afterAll(async () => {
    await t?.close();
    await d?.replica.drop();
  });

  /** What each role may see, computed straight from the tables (independently of the repositories). */
  async function oracle(
    role: keyof typeof users,
  ): Promise<{ rules: (id: string) => boolean; fingerprints: Set<string> }> {
    const visible = (id: string): boolean => {
      const a = audience.get(id);
      if (role === 'support' || role === 'admin') return true;
      if (!a) return false;
      if (role === 'school') return a.includes('school') && !a.includes('sensitive');
      if (role === 'program') return a.includes('program');
      return false;
    };
    const { rows } = await t.db.pool.query<{
      fingerprint: string;
      rule_id: string;
      school_id: string | null;
      program_code: string | null;
      programs: string[] | null;
    }>(
      `SELECT x.fingerprint, x.rule_id, x.school_id, x.program_code, st.program_codes AS programs
       FROM rule_exceptions x
       LEFT JOIN scorecard_students st ON st.evaluation_id = x.evaluation_id AND st.student_id = x.student_id
       WHERE x.district_id = $1`,
      [d.districtId],
    );
    const allowed = rows.filter((r) => {
      if (!visible(r.rule_id)) return false;
      if (role === 'school') return r.school_id !== null && schoolIds.includes(r.school_id);
      if (role === 'program') {
        const own = r.program_code !== null && programCodes.includes(r.program_code);
        const sensitive = audience.get(r.rule_id)?.includes('sensitive') ?? false;
        return own || (!sensitive && (r.programs ?? []).some((c) => programCodes.includes(c)));
      }
      return role !== 'otherDistrict';
    });
    return { rules: visible, fingerprints: new Set(allowed.map((r) => r.fingerprint)) };
  }

  async function sweep(role: keyof typeof users): Promise<{ seen: Seen; statuses: string[] }> {
    const user = users[role];
    const seen: Seen = {
      ruleIds: new Map(),
      fingerprints: new Map(),
      schoolIds: new Map(),
      records: 0,
      url: '',
    };
    const statuses: string[] = [];
    for (const op of resultsOperations(t)) {
      const paths = new Set<string>();
      for (const ruleId of op.path.includes('{ruleId}') ? ruleIds : ['-'])
        for (const exclusionId of op.path.includes('{exclusionId}') ? exclusionIds : ['-'])
          paths.add(
            op.path
              .replace('{districtId}', d.districtId)
              .replace('{ruleId}', ruleId)
              .replace('{exclusionId}', exclusionId),
          );
      for (const path of paths)
        for (const q of queryVariants(op)) {
          const url = q ? `${path}?${q}` : path;
          const res = await t.http
            .get(url)
            .auth(user.token, { type: 'bearer' })
            .buffer(true)
            .parse((r, cb) => {
              let body = '';
              r.setEncoding('utf8');
              r.on('data', (c: string) => (body += c));
              r.on('end', () => cb(null, body));
            });
          statuses.push(`${res.status} ${url.replace(d.districtId, ':d')}`);
          seen.url = url.replace(d.districtId, ':d');
          if (res.status !== 200) continue;
          const text = res.body as string;
          if (url.includes('.csv')) collectCsv(text, seen);
          else collect(JSON.parse(text) as Json, seen, url.includes('by=school'));
        }
    }
    return { seen, statuses };
  }

  it('finds the results endpoints in the OpenAPI document', () => {
    const paths = resultsOperations(t).map((o) => o.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/districts/{districtId}/scorecard',
        '/api/districts/{districtId}/scorecard/rules/{ruleId}',
        '/api/districts/{districtId}/scorecard/rules/{ruleId}/distribution',
        '/api/districts/{districtId}/exceptions',
        '/api/districts/{districtId}/exceptions.csv',
        '/api/districts/{districtId}/exclusions',
        '/api/districts/{districtId}/exclusions/{exclusionId}/audit',
        '/api/scorecards',
      ]),
    );
    expect(ruleIds.length).toBeGreaterThanOrEqual(3);
  });

  it.each(['support', 'admin', 'school', 'program'] as const)(
    'shows a %s only rules, findings and schools of their scope',
    async (role) => {
      const { seen, statuses } = await sweep(role);
      const o = await oracle(role);
      expect(seen.records).toBeGreaterThan(0);
      expect([...seen.ruleIds].filter(([id]) => !o.rules(id))).toEqual([]);
      expect([...seen.fingerprints].filter(([f]) => !o.fingerprints.has(f))).toEqual([]);
      if (role === 'school') expect([...seen.schoolIds].filter(([s]) => !schoolIds.includes(s))).toEqual([]);
      // Nothing answers 5xx; out-of-scope rules and exclusions answer 404, support-only views 403.
      expect(statuses.filter((s) => !/^(200|403|404) /.test(s))).toEqual([]);
      if (role === 'school')
        expect(statuses).toContain(`404 /api/districts/:d/exclusions/${exclusionIds[1]}/audit`);
    },
  );

  it('answers 403 or 404 to a user of another district on every results endpoint', async () => {
    const { seen, statuses } = await sweep('otherDistrict');
    expect(seen.records).toBe(0);
    expect(statuses.filter((s) => !/^(403|404) /.test(s))).toEqual([]);
  });
});
