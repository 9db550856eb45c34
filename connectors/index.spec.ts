import { CONNECTORS, getConnector, REPLICA_SIS_KINDS, suppliedFields } from 'connectors/index';
import {
  CANONICAL_ENTITIES,
  CANONICAL_FIELDS,
  CANONICAL_GRADES,
  CANONICAL_SEX,
  ENROLLMENT_STATUSES,
} from 'connectors/sdk/canonical';
import { queryFor } from 'connectors/sdk/native-schema';
import { defaultCodeMapsFor } from 'connectors/sdk/connector.types';
import { AERIES_GRADE_MAP, AERIES_EXIT_CODE_MAP } from 'connectors/aeries/aeries.connector';

describe('connector registry', () => {
  it('returns the connector of each kind and throws a clear error on an unknown kind', () => {
    expect(getConnector('powerschool').title).toBe('PowerSchool SIS');
    expect(getConnector('aeries').dialect).toBe('mssql');
    expect(getConnector('infinite_campus').schoolYear.mode).toBe('column');
    expect(() => getConnector('skyward')).toThrow(
      'unknown SIS kind "skyward" (known: aeries, powerschool, infinite_campus, edfi)',
    );
  });

  it('lists the canonical fields each connector supplies', () => {
    const aeries = suppliedFields(CONNECTORS.aeries);
    expect(aeries.student_section).toEqual([
      'student_id',
      'section_id',
      'school_id',
      'begin_date',
      'end_date',
    ]);
    expect(aeries.enrollment).not.toContain('entry_code');
    expect(suppliedFields(CONNECTORS.powerschool).student_section).toEqual([
      'student_id',
      'section_id',
      'school_id',
      'begin_date',
      'end_date',
    ]);
    expect(suppliedFields(CONNECTORS.infinite_campus).enrollment).toContain('enrollment_type');
  });

  it('maps Aeries grades as Aeries defines them (14 adult, 16 preschool, 17 infant; −2 retired) and 170 to E170', () => {
    expect(AERIES_GRADE_MAP['14']).toBe('AD');
    expect(AERIES_GRADE_MAP['16']).toBe('PR');
    expect(AERIES_GRADE_MAP['17']).toBe('IT');
    expect(AERIES_GRADE_MAP['-2']).toBeUndefined();
    expect(AERIES_EXIT_CODE_MAP['170']).toBe('E170');
  });

  describe.each(REPLICA_SIS_KINDS)('%s definition', (kind) => {
    const def = CONNECTORS[kind];

    it('maps the CALPADS codes real California districts use (E170 exits, programs 108/113/162/174/192)', () => {
      const ca = defaultCodeMapsFor(def, 'CA');
      // An unmapped E170 became a null exit code and falsely tripped SENR0020 (exit date without a reason).
      expect(ca.exit_code?.['E170']).toBe('E170');
      for (const code of ['101', '108', '113', '144', '162', '174', '181', '182', '191', '192', '300'])
        expect([code, ca.program_code?.[code]]).toEqual([code, code]);
      expect(suppliedFields(def).school).toEqual(
        expect.arrayContaining(['directory_status', 'directory_low_grade', 'directory_high_grade']),
      );
    });

    it('has one spec per canonical entity, with canonical fields only and key columns in the result', () => {
      expect(def.entities.map((e) => e.entity)).toEqual([...CANONICAL_ENTITIES]);
      for (const e of def.entities) {
        for (const field of Object.keys(e.fields))
          expect([e.entity, field, field in CANONICAL_FIELDS[e.entity]]).toEqual([e.entity, field, true]);
        for (const col of e.keyColumns) expect(e.query.sql).toMatch(new RegExp(`AS ${col}\\b`));
      }
    });

    it('uses only the bound window parameters, no per-row sub-query and no AS before table aliases (Oracle)', () => {
      for (const e of def.entities) {
        const params = [...e.query.sql.matchAll(/:([A-Za-z]\w*)/g)].map((m) => m[1]);
        const bound = ['schoolYear', 'asOf', 'firstYear', 'windowStart', 'windowEnd'];
        expect(params.filter((p) => !bound.includes(p))).toEqual([]);
        // Linear SQL: no sub-query evaluated per row (EXISTS, scalar sub-selects in a comparison).
        expect(e.query.sql).not.toMatch(/\bEXISTS\s*\(|[=<>]\s*\(\s*SELECT\b/i);
        expect(e.query.sql).not.toMatch(/\b(FROM|JOIN)\s+\w+\s+AS\s/i);
      }
    });

    it('declares the native columns every query reads; without its optional ones the query reads none of them', () => {
      for (const e of def.entities) {
        expect([e.entity, e.native?.required.length ?? 0]).not.toEqual([e.entity, 0]);
        const optional = e.native?.optional ?? [];
        if (optional.length) expect([e.entity, typeof e.queryWithout]).toEqual([e.entity, 'function']);
        for (const o of optional) {
          const sql = queryFor(e, [o.name]).sql;
          const [table, column] = o.name.split('.');
          // A missing table is never joined; a missing column is never read (the alias-qualified name).
          if (column) expect([o.name, new RegExp(`\\.${column}\\b`).test(sql)]).toEqual([o.name, false]);
          else expect([o.name, new RegExp(`\\b${table}\\b`).test(sql)]).toEqual([o.name, false]);
          for (const f of o.fields) expect(Object.keys(e.fields)).toContain(f);
        }
      }
    });

    it('maps codes only to canonical values', () => {
      const maps = def.defaultCodeMaps;
      for (const v of Object.values(maps.grade_level ?? {})) expect(CANONICAL_GRADES).toContain(v);
      for (const v of Object.values(maps.sex ?? {})) expect(CANONICAL_SEX).toContain(v);
      for (const v of Object.values(maps.enrollment_status ?? {})) expect(ENROLLMENT_STATUSES).toContain(v);
      expect(maps.grade_level?.['0']).toBe(kind === 'infinite_campus' ? undefined : 'KG');
    });
  });

  it('encodes SIS specifics in the maps: Aeries 160 → T160 and 14 → AD, PowerSchool −1 → TK and 0/2 status', () => {
    expect(CONNECTORS.aeries.defaultCodeMaps.exit_code?.['160']).toBe('T160');
    expect(CONNECTORS.aeries.defaultCodeMaps.exit_code?.['N470']).toBe('N470');
    expect(CONNECTORS.aeries.defaultCodeMaps.grade_level?.['14']).toBe('AD');
    expect(CONNECTORS.aeries.defaultCodeMaps.grade_level?.['-1']).toBe('TK');
    expect(CONNECTORS.powerschool.defaultCodeMaps.grade_level?.['-1']).toBe('TK');
    expect(CONNECTORS.powerschool.defaultCodeMaps.enrollment_status).toMatchObject({
      '-1': 'pre_registered',
      '0': 'active',
      '2': 'inactive',
      '3': 'graduated',
    });
    expect(CONNECTORS.infinite_campus.defaultCodeMaps.grade_level?.['K']).toBe('KG');
  });

  it('brackets [Identity] in the Infinite Campus SQL Server variants only', () => {
    const student = CONNECTORS.infinite_campus.entities.find((e) => e.entity === 'student');
    expect(student?.query.sql).toMatch(/JOIN Identity i/);
    expect(student?.query.variants?.mssql).toMatch(/JOIN \[Identity\] i/);
    expect(student?.query.variants?.mssql).not.toMatch(/[^[]Identity i/);
  });
});
