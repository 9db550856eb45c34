import { CONNECTORS, REPLICA_SIS_KINDS } from 'connectors/index';
import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import type { CanonicalRow } from 'connectors/sdk/connector.types';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { DEFECT_KINDS, defectKindsFor, type DistrictManifest } from 'connectors/generator/generator.types';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { canonicalize, day, runExtract, spec } from 'test/connectors/native-extract.util';
import { queryFor } from 'connectors/sdk/native-schema';
import type { SisKind } from 'src/districts/district.types';

const YEAR = { schoolYear: 2026, asOf: '2026-11-01' };

async function tableDigest(db: TestDatabase, table: string): Promise<string> {
  const { rows } = await db.pool.query<{ md5: string }>(
    // TRANSACTION_DATE is the SIS's clock at insert (what incremental extraction reads), not generated data.
    `SELECT md5(string_agg((to_jsonb(t) - 'transaction_date')::text, '|' ORDER BY (to_jsonb(t) - 'transaction_date')::text)) AS md5 FROM ${table} t`,
  );
  return rows[0].md5;
}

async function canonicalRows(
  db: TestDatabase,
  sis: SisKind,
  entity: (typeof CANONICAL_ENTITIES)[number],
): Promise<CanonicalRow[]> {
  const def = CONNECTORS[sis];
  const s = spec(def, entity);
  return (await runExtract(db.pool, s, YEAR)).map((r) => canonicalize(def, s, r));
}

describe('synthetic district generator', () => {
  let a: TestDatabase;
  let b: TestDatabase;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      createTestDatabase({ scratch: true }),
      createTestDatabase({ scratch: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  it('is deterministic: the same seed gives the same manifest hash and the same native rows', async () => {
    const opts = {
      sis: 'powerschool' as const,
      students: 600,
      seed: 42,
      ...YEAR,
      defects: 'all' as const,
      batchSize: 128,
    };
    const [m1, m2] = await Promise.all([
      generateDistrict(a.pool, opts),
      generateDistrict(b.pool, { ...opts, batchSize: 1000 }),
    ]);
    expect(m1.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(m2.hash).toBe(m1.hash);
    expect(m2).toEqual(m1);
    for (const t of ['STUDENTS', 'REENROLLMENTS', 'CC', 'SPENROLLMENTS'])
      expect(await tableDigest(b, t)).toBe(await tableDigest(a, t));
    const m3 = await generateDistrict(b.pool, { ...opts, seed: 43 });
    expect(m3.hash).not.toBe(m1.hash);
  });

  it('lists exactly the requested defects and drops none silently', async () => {
    const m = await generateDistrict(a.pool, {
      sis: 'aeries',
      students: 1200,
      seed: 'defects',
      ...YEAR,
      defects: 'all',
    });
    const perKind = Object.fromEntries(
      DEFECT_KINDS.map((k) => [k, m.defects.filter((d) => d.kind === k).length]),
    );
    expect(perKind).toEqual(
      Object.fromEntries(DEFECT_KINDS.map((k) => [k, defectKindsFor('CA', 'aeries').includes(k) ? 2 : 0])),
    );
    // A kind of another state's conventions is refused by name, not skipped.
    await expect(
      generateDistrict(a.pool, {
        sis: 'aeries',
        students: 50,
        seed: 'defects',
        ...YEAR,
        defects: { leaver_below_grade7: 1 },
      }),
    ).rejects.toThrow('defect kind leaver_below_grade7 (TX only) does not exist in a CA district');
    const one = await generateDistrict(a.pool, {
      sis: 'aeries',
      students: 1200,
      seed: 'defects',
      ...YEAR,
      defects: { unmapped_exit_code: 3 },
    });
    expect(one.defects.map((d) => d.kind)).toEqual([
      'unmapped_exit_code',
      'unmapped_exit_code',
      'unmapped_exit_code',
    ]);
    expect(one.counts.student).toBe(1200);
  });

  describe.each(REPLICA_SIS_KINDS)('%s replica', (sis) => {
    let m: DistrictManifest;
    beforeAll(async () => {
      m = await generateDistrict(a.pool, {
        sis,
        students: 1500,
        seed: `replica-${sis}`,
        ...YEAR,
        defects: 'all',
      });
    });

    it('each entity query returns the manifest count', async () => {
      const def = CONNECTORS[sis];
      const counts: Record<string, number> = {};
      for (const entity of CANONICAL_ENTITIES)
        counts[entity] = (await runExtract(a.pool, spec(def, entity), YEAR)).length;
      expect(counts).toEqual(m.counts);
      // 1500 students, 4 extra rows (2 second ids, 2 null keys).
      // PowerSchool also a student flagged State_ExcludeFromReporting.
      expect(m.counts.student).toBe(sis === 'powerschool' ? 1505 : 1504);
      expect(m.counts.enrollment).toBeGreaterThan(1504);
      // 3 elementary, 1 middle, 1 high, 1 closed; Aeries also the district pseudo-school 999 (do not report),
      // PowerSchool its graduated-students school 999999.
      expect(m.counts.school).toBe(sis === 'infinite_campus' ? 6 : 7);
    });

    it('maps the sample students to the manifest values (inclusive exits, grade crosswalk, status)', async () => {
      const students = new Map((await canonicalRows(a, sis, 'student')).map((r) => [r.student_id, r]));
      const enrollments = await canonicalRows(a, sis, 'enrollment');
      expect(new Set(m.samples.map((s) => s.scenario))).toEqual(
        new Set(['continuing', 'late_entry', 'transfer', 'withdrawn', 'no_show', 'pre_registered']),
      );
      for (const s of m.samples) {
        expect(students.get(s.student_id)).toMatchObject({
          state_student_id: s.state_student_id,
          last_name: s.last_name,
          first_name: s.first_name,
          birth_date: s.birth_date,
          sex: s.sex,
          hispanic: s.hispanic,
          races: s.races,
        });
        const mine = enrollments
          .filter((e) => e.student_id === s.student_id)
          .map((e) => ({
            school_id: e.school_id,
            entry_date: e.entry_date,
            exit_date: e.exit_date,
            grade_level: e.grade_level,
            exit_code: e.exit_code,
            status: e.status,
          }))
          .sort((x, y) => String(x.entry_date).localeCompare(String(y.entry_date)));
        expect(mine).toEqual(s.enrollments.map(({ entry_code: _entry, ...e }) => e));
      }
    });

    it('carries the injected junk through to the extract', async () => {
      const students = await canonicalRows(a, sis, 'student');
      const enrollments = await canonicalRows(a, sis, 'enrollment');
      expect(students.filter((r) => r.student_id === null)).toHaveLength(2);
      const byKind = (k: string): string[] =>
        m.defects.filter((d) => d.kind === k).map((d) => String(d.student_id));
      for (const id of byKind('unmapped_exit_code')) {
        expect(enrollments.find((e) => e.student_id === id)).toMatchObject({
          exit_code: null,
          status: 'inactive',
        });
      }
      for (const id of byKind('invalid_grade_code'))
        expect(enrollments.find((e) => e.student_id === id)?.grade_level).toBeNull();
      for (const id of byKind('impossible_date'))
        expect(enrollments.find((e) => e.student_id === id)?.entry_date).toBe('1899-12-30');
      for (const id of byKind('missing_birth_date'))
        expect(students.find((s) => s.student_id === id)?.birth_date).toBeNull();
      for (const id of byKind('exit_code_without_date')) {
        expect(enrollments.find((e) => e.student_id === id)).toMatchObject({
          exit_date: null,
          exit_code: 'T160',
          status: 'active',
        });
      }
      const closed = m.defects.filter((d) => d.kind === 'enrolled_inactive_school');
      expect(closed.map((d) => d.school_id)).toEqual(['106', '106']); // the closed school comes after the 5 open ones
      for (const d of closed)
        expect(enrollments.find((e) => e.student_id === d.student_id)?.school_id).toBe('106');
      const ssids = students.map((s) => s.state_student_id).filter((x) => x !== null);
      expect(ssids.length - new Set(ssids).size).toBe(2);
      const sections = await canonicalRows(a, sis, 'section');
      expect(
        sections
          .filter((s) => s.teacher_staff_id === null)
          .map((s) => s.section_id)
          .sort(),
      ).toEqual(
        m.defects
          .filter((d) => d.kind === 'section_without_teacher')
          .map((d) => d.section_id)
          .sort(),
      );
    });
  });

  it('Aeries: soft-deleted rows exist natively and are ignored by every query', async () => {
    const m = await generateDistrict(a.pool, { sis: 'aeries', students: 1500, seed: 'del', ...YEAR });
    const { rows } = await a.pool.query<{ n: string }>(`SELECT count(*) AS n FROM STU WHERE DEL = 1`);
    expect(Number(rows[0].n)).toBeGreaterThan(3);
    expect(m.nativeRows.STU).toBeGreaterThan(m.counts.student);
    const students = await canonicalRows(a, 'aeries', 'student');
    expect(students).toHaveLength(m.counts.student);
    expect(new Set(students.map((s) => s.student_id)).size).toBe(students.length);
    expect(students.filter((s) => String(s.last_name).endsWith('X'))).toHaveLength(0);
    const programs = await canonicalRows(a, 'aeries', 'program');
    expect(programs).toHaveLength(m.counts.program);
  });

  it('PowerSchool: exit dates are written exclusive, no-shows with ExitDate = EntryDate, drops with negative SectionID', async () => {
    const m = await generateDistrict(a.pool, {
      sis: 'powerschool',
      students: 1500,
      seed: 'ps-native',
      ...YEAR,
    });
    const withdrawn = m.samples.find((s) => s.scenario === 'withdrawn');
    const noShow = m.samples.find((s) => s.scenario === 'no_show');
    if (!withdrawn || !noShow) throw new Error('samples missing');
    const native = async (
      id: string,
    ): Promise<{ entrydate: string; exitdate: string; enroll_status: string }> =>
      (
        await a.pool.query(
          `SELECT EntryDate::text AS entrydate, ExitDate::text AS exitdate, Enroll_Status::text AS enroll_status FROM STUDENTS WHERE Student_Number = $1`,
          [id],
        )
      ).rows[0];
    const w = await native(withdrawn.student_id);
    const exit = withdrawn.enrollments[0].exit_date as string;
    expect(w.exitdate).toBe(day(new Date(Date.parse(`${exit}T00:00:00`) + 86_400_000)));
    expect(w.enroll_status).toBe('2');
    const n = await native(noShow.student_id);
    expect(n.exitdate).toBe(n.entrydate);
    const dropped = await a.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM CC WHERE SectionID < 0 AND TermID < 0`,
    );
    expect(Number(dropped.rows[0].n)).toBeGreaterThan(0);
    const ended = (await canonicalRows(a, 'powerschool', 'student_section')).filter(
      (r) => r.end_date !== null,
    );
    expect(ended).toHaveLength(Number(dropped.rows[0].n));
    for (const r of ended) expect(String(r.end_date) >= String(r.begin_date)).toBe(true);
  });

  it('PowerSchool California: co-teachers from SECTIONTEACHER, ELAS start dates, rows excluded from state reporting', async () => {
    const m = await generateDistrict(a.pool, { sis: 'powerschool', students: 400, seed: 'ps-ca', ...YEAR });
    const staff = await canonicalRows(a, 'powerschool', 'section_staff');
    expect(staff).toHaveLength(m.counts.section_staff);
    const co = staff.filter((r) => r.role === 'co_teacher');
    expect(co.length).toBeGreaterThan(0);
    for (const r of co) {
      expect(r.begin_date).not.toBeNull();
      // A co-teacher is never the section's lead.
      const lead = staff.find((x) => x.section_id === r.section_id && x.role === 'teacher');
      expect(lead?.staff_id).not.toBe(r.staff_id);
    }
    // Leads without a SECTIONTEACHER row come from SECTIONS.Teacher, undated.
    const leads = staff.filter((r) => r.role === 'teacher');
    expect(leads.some((r) => r.begin_date === null)).toBe(true);
    expect(leads.some((r) => r.begin_date !== null)).toBe(true);
    expect(staff.every((r) => r.role === 'teacher' || r.role === 'co_teacher')).toBe(true);

    const students = await canonicalRows(a, 'powerschool', 'student');
    expect(students.filter((r) => r.state_reporting_excluded === true)).toHaveLength(1);
    // The current ELAS record (latest start) wins over the EL record an RFEP student ended.
    const rfep = students.filter((r) => r.el_status === 'RFEP');
    expect(rfep.length).toBeGreaterThan(0);
    const history = await a.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM S_CA_STU_ELA_C WHERE ELAStatus = 'EL' AND ELAStatusEndDate IS NOT NULL`,
    );
    expect(Number(history.rows[0].n)).toBe(rfep.length);
    for (const r of students.filter((x) => x.student_id !== null)) expect(r.elas_start_date).not.toBeNull();
    const schools = await canonicalRows(a, 'powerschool', 'school');
    expect(schools.filter((r) => r.state_reporting_excluded === true).map((r) => r.school_id)).toEqual([
      '999999',
    ]);
    expect(schools.every((r) => !('active' in r) || r.active === undefined)).toBe(true);
    // SPED, 504 and meals from S_CA_STU_CALPADSPROGRAMS_C beside SPENROLLMENTS, one canonical program each.
    const calpads = await a.pool.query<{ n: string }>(`SELECT count(*) AS n FROM S_CA_STU_CALPADSPROGRAMS_C`);
    expect(Number(calpads.rows[0].n)).toBeGreaterThan(0);
    const programs = await canonicalRows(a, 'powerschool', 'program');
    expect(programs).toHaveLength(m.counts.program);
    expect(programs.some((r) => ['144', '101', '181', '182'].includes(String(r.program_code)))).toBe(true);
  });

  it('PowerSchool California: the staff SEID from the CA_SEID custom field, SIF_StatePrid where it is blank or absent', async () => {
    await generateDistrict(a.pool, { sis: 'powerschool', students: 100, seed: 'ps-seid', ...YEAR });
    const def = CONNECTORS.powerschool;
    const staffSpec = spec(def, 'staff');
    const seids = async (absent: string[] = []): Promise<Map<string, unknown>> => {
      const s = { ...staffSpec, query: queryFor(staffSpec, absent) };
      const rows = (await runExtract(a.pool, s, YEAR)).map((r) => canonicalize(def, s, r));
      return new Map(rows.map((r) => [String(r.staff_id), r.state_staff_id]));
    };
    const native = await a.pool.query<{ staff_id: string; sif: string | null; custom: string | null }>(
      `SELECT tc.TeacherNumber AS staff_id, tc.SIF_StatePrid AS sif, ux.CA_SEID AS custom
       FROM TEACHERS tc LEFT JOIN U_DEF_EXT_USERS ux ON ux.UsersDCID = tc.Users_DCID ORDER BY tc.ID`,
    );
    // The replica holds all three cases: the custom field alone, a stale SIF_StatePrid beside it, SIF alone.
    const stale = native.rows.filter((r) => r.custom !== null && r.sif !== null);
    const sifOnly = native.rows.filter((r) => r.custom === null);
    expect(stale.length).toBeGreaterThan(0);
    expect(sifOnly.length).toBeGreaterThan(0);
    expect(native.rows.some((r) => r.custom !== null && r.sif === null)).toBe(true);
    // CA_SEID wins; SIF_StatePrid fills in without it: every teacher has a 10-digit SEID.
    const full = await seids();
    expect(full.size).toBe(native.rows.length);
    for (const r of native.rows)
      expect([r.staff_id, full.get(r.staff_id)]).toEqual([r.staff_id, r.custom ?? r.sif]);
    for (const v of full.values()) expect(String(v)).toMatch(/^\d{10}$/);
    // A blank custom field falls back to SIF_StatePrid.
    await a.pool.query(
      `UPDATE U_DEF_EXT_USERS SET CA_SEID = '  ' WHERE UsersDCID = (SELECT Users_DCID FROM TEACHERS WHERE TeacherNumber = $1)`,
      [stale[0].staff_id],
    );
    expect((await seids()).get(stale[0].staff_id)).toBe(stale[0].sif);
    // Without the custom field (an edition without it) SIF_StatePrid alone, and no field is lost.
    const sifAlone = await seids(['U_DEF_EXT_USERS.CA_SEID']);
    for (const r of native.rows) expect(sifAlone.get(r.staff_id) ?? null).toBe(r.sif);
    expect(staffSpec.native?.optional?.find((o) => o.name === 'U_DEF_EXT_USERS.CA_SEID')?.fields).toEqual([]);
  });
});
