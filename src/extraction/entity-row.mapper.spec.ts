import type { EntityExtractSpec } from 'connectors/sdk/connector.types';
import { EntityRowMapper } from 'src/extraction/entity-row.mapper';
import type { ExtractionIssue } from 'src/extraction/extraction.types';

const spec: EntityExtractSpec = {
  entity: 'enrollment',
  nativeTables: ['ENR'],
  query: { sql: 'SELECT 1' },
  keyPrefix: 'ENR',
  keyColumns: ['SN'],
  fields: {
    student_id: { column: 'SN' },
    school_year: { column: 'YR' },
    exit_date: { column: 'LD', date: true, adjust: 'exclusive_end' },
    grade_level: { column: 'GR', codeSet: 'grade_level' },
    exit_code: { column: 'ER', codeSet: 'exit_code', label: 'ENR.ER' },
    entry_code: { column: 'EC', codeSet: 'entry_code' },
  },
};

describe('EntityRowMapper', () => {
  it('maps case-insensitively, shifts exclusive ends and prefers overrides over defaults', () => {
    const sut = new EntityRowMapper(
      spec,
      { grade_level: { K: 'KG' }, exit_code: { X7: 'T160' } },
      new Set(['exit_date_raw', 'grade_level_raw', 'exit_code_raw', 'entry_code_raw']),
    );
    const issues: ExtractionIssue[] = [];
    const row = sut.map({ SN: 42, yr: '2026', Ld: '2026-03-01', gr: ' k ', er: 'X7', ec: 'E155' }, issues);
    expect(row).toEqual({
      source_key: 'ENR:SN=42',
      student_id: '42',
      school_year: 2026,
      exit_date: '2026-02-28',
      exit_date_raw: '2026-03-01',
      grade_level: 'KG',
      grade_level_raw: ' k ',
      exit_code: 'T160',
      exit_code_raw: 'X7',
      entry_code: 'E155',
      entry_code_raw: 'E155',
    });
    expect(issues).toEqual([]);
  });

  it('turns junk into null values, issues and counted warnings', () => {
    const sut = new EntityRowMapper(spec, { grade_level: { K: 'KG' }, exit_code: { X7: 'T160' } }, new Set());
    const issues: ExtractionIssue[] = [];
    for (let i = 0; i < 3; i++)
      sut.map({ sn: null, yr: 'abc', ld: '2026-02-31', gr: 'Z', er: 'Q1', ec: null }, issues);
    expect(issues).toHaveLength(15);
    expect(issues.every((i) => i.sourceKey === 'ENR:SN=')).toBe(true);
    expect(sut.warningList()).toEqual([
      'key column ENR.SN is empty (3 rows)',
      "unrecognised value 'abc' in ENR.YR (3 rows)",
      'unreadable date in ENR.LD (3 rows)',
      "grade level 'Z' in ENR.GR has no canonical mapping (3 rows)",
      "exit code 'Q1' in ENR.ER has no canonical mapping (3 rows)",
    ]);
  });

  it('passes codes through when a code set has no map, except closed sets', () => {
    const sut = new EntityRowMapper(spec, {}, new Set());
    const issues: ExtractionIssue[] = [];
    const row = sut.map({ sn: 1, gr: '05', er: 'E230' }, issues);
    expect(row.grade_level).toBe('05');
    expect(row.exit_code).toBe('E230');
    expect(sut.map({ sn: 2, gr: '5' }, issues).grade_level).toBeNull();
    expect(issues.map((i) => i.kind)).toEqual(['unmapped_code']);
  });
});
