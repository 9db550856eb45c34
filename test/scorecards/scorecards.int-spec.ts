import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import {
  RUN_ENV,
  schoolsOf,
  scoredDistrict,
  until,
  type ScoredDistrict,
} from 'test/scorecards/scorecard-fixtures';

interface Card {
  runId: string;
  score: number;
  counts: { fatal: number; error: number; warning: number; excluded: number };
  findings: { new: number; persisting: number; resolved: number };
  sides: Array<{ side: string; status: string }>;
  trend: Array<{ runId: string; score: number; fatal: number; error: number; warning: number }>;
  rules: Array<{
    ruleId: string;
    title: string;
    prescription: string;
    severity: string;
    failed: number;
    excluded: number;
    new: number;
    persisting: number;
    resolved: number;
    trend: number[];
  }>;
  schools: Array<{ schoolId: string; name: string | null; fatal: number; error: number; warning: number }>;
}
interface Item {
  id: string;
  fingerprint: string;
  ruleId: string;
  state: string;
  excluded: boolean;
  exclusionId: string | null;
  exclusion: { id: string; reason: string; expiresAt: string | null; createdByEmail: string } | null;
  student: {
    studentId: string;
    lastName: string | null;
    firstName: string | null;
    grade: string | null;
  } | null;
  school: { schoolId: string; name: string | null } | null;
  values: Record<string, unknown>;
  prescription: string;
}
interface Page {
  total: number;
  items: Item[];
}

const BIRTH_DATE_RULE = 'COM-STU-003';

/**
 * Scorecards over a generated district evaluated twice by the real pipeline: scores and trends, new / persisting /
 * resolved by fingerprint, identities that outlive the snapshot, distributions, the exclusion lifecycle with
 * expiry, and the CSV export.
 */
describe('scorecards', () => {
  let t: TestApp;
  let d: ScoredDistrict & { changedStudentId: string; repairedStudentIds: string[] };
  let admin: TestUser;
  let schoolUser: TestUser;
  let school: string;

  const get = async <T>(user: TestUser, path: string, status = 200): Promise<T> => {
    const res = await t.http.get(path).auth(user.token, { type: 'bearer' });
    if (res.status !== status) throw new Error(`${path} → ${res.status} ${res.text}`);
    return res.body as T;
  };
  const base = () => `/api/districts/${d.districtId}`;

  beforeAll(async () => {
    t = await createTestApp(RUN_ENV);
    d = await scoredDistrict(t);
    admin = await t.user('district_admin', d.districtId);
    const { rows } = await t.db.pool.query<{ school_id: string }>(
      `SELECT school_id FROM scorecard_students WHERE district_id = $1 AND student_id = $2 LIMIT 1`,
      [d.districtId, d.changedStudentId],
    );
    school = rows[0].school_id;
    schoolUser = await t.user('school_user', d.districtId, { schoolIds: [school] });
  });

  afterAll(async () => {
    await t?.close();
    await d?.replica.drop();
  });

  it('scores the latest run with counts, rules (title, prescription), sides and a trend over both runs', async () => {
    const card = await get<Card>(admin, `${base()}/scorecard`);
    expect(card.runId).toBe(d.runIds[1]);
    expect(card.sides).toEqual([expect.objectContaining({ side: 'current', status: 'evaluated' })]);
    expect(card.score).toBeGreaterThan(0);
    expect(card.score).toBeLessThan(100);
    expect(card.trend.map((p) => p.runId)).toEqual(d.runIds);
    expect(card.trend[1].score).toBe(card.score);
    const failing = card.rules.filter((r) => r.failed > 0);
    expect(failing.length).toBeGreaterThan(3);
    for (const r of failing) {
      expect(r.title).not.toBe(r.ruleId);
      expect(r.prescription.length).toBeGreaterThan(10);
      expect(r.trend).toHaveLength(2);
      expect(r.trend[1]).toBe(r.failed);
    }
    const bySeverity = (s: string) =>
      card.rules.filter((r) => r.severity === s).reduce((n, r) => n + r.failed, 0);
    expect(card.counts).toMatchObject({
      fatal: bySeverity('fatal'),
      error: bySeverity('error'),
      warning: bySeverity('warning'),
      excluded: 0,
    });
    const all = await get<Page>(admin, `${base()}/exceptions?pageSize=1`);
    expect(all.total).toBe(card.counts.fatal + card.counts.error + card.counts.warning);
    // Findings per school add up to the district's (records without a school aside).
    expect(card.schools.length).toBeGreaterThan(1);
    expect(card.schools.every((s) => s.name)).toBe(true);
  });

  it('tracks new, persisting and resolved findings by fingerprint between the runs', async () => {
    const card = await get<Card>(admin, `${base()}/scorecard`);
    const rule = card.rules.find((r) => r.ruleId === BIRTH_DATE_RULE);
    expect(rule).toMatchObject({ new: 1, resolved: d.repairedStudentIds.length, persisting: 0 });
    expect(card.findings.new).toBeGreaterThanOrEqual(1);
    expect(card.findings.resolved).toBeGreaterThanOrEqual(d.repairedStudentIds.length);
    expect(card.findings.persisting).toBeGreaterThan(0);
    const fresh = await get<Page>(admin, `${base()}/exceptions?ruleId=${BIRTH_DATE_RULE}&state=new`);
    expect(fresh.items.map((i) => i.student?.studentId)).toEqual([d.changedStudentId]);
    const persisting = await get<Page>(admin, `${base()}/exceptions?state=persisting&pageSize=500`);
    expect(persisting.total).toBe(card.findings.persisting);
    expect(persisting.items.every((i) => i.state === 'persisting')).toBe(true);
    const detail = await get<{ trend: Array<{ runId: string; failed: number }>; checkKind: string }>(
      admin,
      `${base()}/scorecard/rules/${BIRTH_DATE_RULE}`,
    );
    expect(detail.checkKind).toBe('required');
    expect(detail.trend).toEqual([
      expect.objectContaining({ runId: d.runIds[0], failed: d.repairedStudentIds.length }),
      expect.objectContaining({ runId: d.runIds[1], failed: 1 }),
    ]);
  });

  it('lists a finding with the student’s identity, school, offending values and prescription', async () => {
    const page = await get<Page>(admin, `${base()}/exceptions?ruleId=${BIRTH_DATE_RULE}`);
    const item = page.items[0];
    const { rows } = await d.replica.pool.query<{ ln: string; fn: string }>(
      `SELECT LN AS ln, FN AS fn FROM STU WHERE ID = $1 LIMIT 1`,
      [Number(d.changedStudentId)],
    );
    expect(item.student).toMatchObject({
      studentId: d.changedStudentId,
      lastName: rows[0].ln,
      firstName: rows[0].fn,
    });
    expect(item.student?.grade).toBeTruthy();
    expect(item.school).toEqual({ schoolId: school, name: expect.any(String) });
    expect(item.values).toMatchObject({ birth_date: null });
    expect(item.prescription).toMatch(/birth certificate/);
  });

  it('keeps a finding’s identity after retention pruned its snapshot', async () => {
    await t.db.pool.query(
      `DELETE FROM snapshots WHERE id IN (SELECT snapshot_id FROM scorecard_evaluations WHERE run_id = $1)`,
      [d.runIds[0]],
    );
    const page = await get<Page>(
      admin,
      `${base()}/exceptions?runId=${d.runIds[0]}&ruleId=${BIRTH_DATE_RULE}&pageSize=100`,
    );
    expect(page.total).toBe(d.repairedStudentIds.length);
    expect(page.items.map((i) => i.student?.studentId).sort()).toEqual([...d.repairedStudentIds].sort());
    expect(page.items.every((i) => i.student?.lastName && i.school?.name)).toBe(true);
  });

  it('filters, sorts and pages the exceptions list', async () => {
    const fatal = await get<Page>(admin, `${base()}/exceptions?severity=fatal&pageSize=500`);
    expect(fatal.items.length).toBeGreaterThan(0);
    const sorted = await get<Page>(admin, `${base()}/exceptions?sort=student&order=desc&pageSize=20&page=2`);
    const names = sorted.items.map((i) => i.student?.lastName ?? '').filter((n) => n !== '');
    expect([...names].sort().reverse()).toEqual(names);
    const bySchool = await get<Page>(admin, `${base()}/exceptions?schoolId=${school}&pageSize=500`);
    expect(bySchool.items.every((i) => i.school?.schoolId === school)).toBe(true);
    const grade = bySchool.items.find((i) => i.student?.grade)?.student?.grade ?? '';
    const byGrade = await get<Page>(admin, `${base()}/exceptions?grade=${grade}&pageSize=500`);
    expect(byGrade.total).toBeGreaterThan(0);
    expect(byGrade.items.every((i) => i.student?.grade === grade)).toBe(true);
    const q = await get<Page>(admin, `${base()}/exceptions?q=HYPERLINK`);
    expect(q.items.length).toBeGreaterThan(0);
    expect(q.items.every((i) => i.student?.studentId === d.changedStudentId)).toBe(true);
    await t.http.get(`${base()}/exceptions?sort=nonsense`).auth(admin.token, { type: 'bearer' }).expect(400);
    await t.http
      .get(`${base()}/exceptions?pageSize=100000`)
      .auth(admin.token, { type: 'bearer' })
      .expect(400);
  });

  it('distributes a rule’s findings by school, grade and offending value', async () => {
    const card = await get<Card>(admin, `${base()}/scorecard`);
    const rule = card.rules.filter((r) => r.failed > 1).sort((a, b) => b.failed - a.failed)[0];
    for (const by of ['school', 'grade', 'value']) {
      const dist = await get<{ buckets: Array<{ key: string | null; count: number }> }>(
        admin,
        `${base()}/scorecard/rules/${rule.ruleId}/distribution?by=${by}`,
      );
      expect(dist.buckets.reduce((n, b) => n + b.count, 0)).toBe(rule.failed);
    }
    const schools = await get<{ buckets: Array<{ key: string; label: string; count: number }> }>(
      admin,
      `${base()}/scorecard/rules/${rule.ruleId}/distribution?by=school`,
    );
    const page = await get<Page>(
      admin,
      `${base()}/exceptions?ruleId=${rule.ruleId}&schoolId=${schools.buckets[0].key}&pageSize=1`,
    );
    expect(page.total).toBe(schools.buckets[0].count);
    await t.http
      .get(`${base()}/scorecard/rules/${rule.ruleId}/distribution?by=colour`)
      .auth(admin.token, { type: 'bearer' })
      .expect(400);
  });

  it('lets a school user propose an exclusion, an admin approve it, and counts it again when it expires', async () => {
    const page = await get<Page>(schoolUser, `${base()}/exceptions?ruleId=${BIRTH_DATE_RULE}`);
    const item = page.items[0];
    const before = await get<Card>(schoolUser, `${base()}/scorecard`);
    // A day ahead, then aged in the database below: a few seconds' expiry lapsed before approval on a busy machine.
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const proposed = await t.http
      .post(`${base()}/exclusions`)
      .auth(schoolUser.token, { type: 'bearer' })
      .send({
        fingerprint: item.fingerprint,
        ruleId: item.ruleId,
        reason: 'Birth date on file, SIS sync lag',
        expiresAt,
      })
      .expect(201);
    const exclusionId = (proposed.body as { id: string; status: string }).id;
    expect(proposed.body).toMatchObject({
      status: 'proposed',
      createdByEmail: schoolUser.email,
      record: { id: item.id },
    });
    // Proposed: still counts.
    expect((await get<Card>(schoolUser, `${base()}/scorecard`)).counts).toEqual(before.counts);
    await t.http
      .post(`${base()}/exclusions/${exclusionId}/approve`)
      .auth(schoolUser.token, { type: 'bearer' })
      .send({})
      .expect(403);
    await t.http
      .post(`${base()}/exclusions`)
      .auth(admin.token, { type: 'bearer' })
      .send({ fingerprint: item.fingerprint, ruleId: item.ruleId, reason: 'twice' })
      .expect(409);
    const approved = await t.http
      .post(`${base()}/exclusions/${exclusionId}/approve`)
      .auth(admin.token, { type: 'bearer' })
      .send({ note: 'checked the birth certificate' })
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'active', decidedByEmail: admin.email });

    const after = await get<Card>(schoolUser, `${base()}/scorecard`);
    expect(after.counts.fatal).toBe(before.counts.fatal - 1);
    expect(after.counts.excluded).toBe(1);
    expect(after.score).toBeGreaterThanOrEqual(before.score);
    const open = await get<Page>(schoolUser, `${base()}/exceptions?ruleId=${BIRTH_DATE_RULE}`);
    expect(open.items.map((i) => i.id)).not.toContain(item.id);
    const only = await get<Page>(schoolUser, `${base()}/exceptions?ruleId=${BIRTH_DATE_RULE}&excluded=only`);
    expect(only.items).toEqual([expect.objectContaining({ id: item.id, excluded: true, exclusionId })]);
    // The excluded finding says why, by whom and until when (the list and the CSV show it).
    expect(only.items[0].exclusion).toEqual({
      id: exclusionId,
      reason: 'Birth date on file, SIS sync lag',
      expiresAt,
      createdByEmail: schoolUser.email,
    });

    const audit = await get<{ items: Array<{ actorEmail: string; action: string; note: string | null }> }>(
      admin,
      `${base()}/exclusions/${exclusionId}/audit`,
    );
    expect(audit.items).toEqual([
      expect.objectContaining({
        actorEmail: schoolUser.email,
        action: 'proposed',
        note: 'Birth date on file, SIS sync lag',
      }),
      expect.objectContaining({
        actorEmail: admin.email,
        action: 'approved',
        note: 'checked the birth certificate',
      }),
    ]);

    // The expiry passes: the finding counts again and the exclusion is listed as expired.
    await t.db.pool.query(`UPDATE exclusions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      exclusionId,
    ]);
    await until('the exclusion to expire', async () => {
      const list = await get<{ items: Array<{ id: string; status: string }> }>(
        schoolUser,
        `${base()}/exclusions?status=expired`,
      );
      return list.items.some((e) => e.id === exclusionId);
    });
    expect((await get<Card>(schoolUser, `${base()}/scorecard`)).counts).toEqual(before.counts);
  });

  it('revokes an exclusion with an audit entry and refuses bad exclusion input', async () => {
    const page = await get<Page>(admin, `${base()}/exceptions?pageSize=1&sort=severity&order=desc`);
    const item = page.items[0];
    const created = await t.http
      .post(`${base()}/exclusions`)
      .auth(admin.token, { type: 'bearer' })
      .send({ fingerprint: item.fingerprint, ruleId: item.ruleId, reason: 'Known vendor quirk' })
      .expect(201);
    const id = (created.body as { id: string; status: string }).id;
    expect(created.body).toMatchObject({ status: 'active' });
    await t.http.delete(`${base()}/exclusions/${id}`).auth(admin.token, { type: 'bearer' }).expect(204);
    const list = await get<{ items: Array<{ id: string; status: string }> }>(
      admin,
      `${base()}/exclusions?status=revoked`,
    );
    expect(list.items.map((e) => e.id)).toContain(id);
    const audit = await get<{ items: Array<{ action: string }> }>(admin, `${base()}/exclusions/${id}/audit`);
    expect(audit.items.map((a) => a.action)).toEqual(['created', 'revoked']);
    const bad = [
      { fingerprint: 'x', ruleId: item.ruleId, reason: 'why not' },
      { fingerprint: item.fingerprint, ruleId: item.ruleId },
      {
        fingerprint: item.fingerprint,
        ruleId: item.ruleId,
        reason: 'past',
        expiresAt: '2001-01-01T00:00:00Z',
      },
      { fingerprint: item.fingerprint, ruleId: item.ruleId, reason: 'when', expiresAt: 'tomorrow' },
    ];
    for (const body of bad)
      await t.http.post(`${base()}/exclusions`).auth(admin.token, { type: 'bearer' }).send(body).expect(400);
    await t.http
      .post(`${base()}/exclusions`)
      .auth(admin.token, { type: 'bearer' })
      .send({ fingerprint: 'f'.repeat(32), ruleId: item.ruleId, reason: 'no such finding' })
      .expect(404);
  });

  it('exports the list as CSV with spreadsheet formulas neutralised', async () => {
    const res = await t.http
      .get(`${base()}/exceptions.csv?ruleId=${BIRTH_DATE_RULE}`)
      .auth(admin.token, { type: 'bearer' })
      .buffer(true)
      .parse((r, cb) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => cb(null, body));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const text = res.body as string;
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^rule_id,rule_title,severity,state,excluded,school_id,school_name,student_id/);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).not.toMatch(/,=HYPERLINK/);
    const page = await get<Page>(admin, `${base()}/exceptions?ruleId=${BIRTH_DATE_RULE}`);
    expect(lines.length - 1).toBe(page.total);
  });

  it('shows support every district with its score and links', async () => {
    const support = await t.user('support', null);
    const list = await get<{
      items: Array<{ districtId: string; score: number; links: Array<{ linkId: string }> }>;
    }>(support, '/api/scorecards');
    const mine = list.items.find((i) => i.districtId === d.districtId);
    expect(mine?.links.map((l) => l.linkId)).toEqual([d.linkId]);
    expect(mine?.score).toBe((await get<Card>(admin, `${base()}/scorecard`)).score);
    await t.http.get('/api/scorecards').auth(admin.token, { type: 'bearer' }).expect(403);
    expect(await schoolsOf(t.db.pool, d.districtId)).toContain(school);
  });
});
