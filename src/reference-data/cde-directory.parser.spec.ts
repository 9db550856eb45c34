import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCdePubschls, parseGradeSpan } from 'src/reference-data/cde-directory.parser';

const EXTRACT = readFileSync(
  join(__dirname, '..', '..', 'test', 'fixtures', 'reference', 'ca-pubschls-extract.txt'),
  'utf8',
);

/** A row in the extract's layout with the given cells replaced. */
function row(cells: Record<string, string>): string {
  const header = EXTRACT.split('\n')[0].split('\t');
  const base = EXTRACT.split('\n')[1].split('\t');
  return header.map((h, i) => cells[h] ?? base[i]).join('\t');
}

describe('parseCdePubschls', () => {
  it('reads the real extract: 7-digit school code, status, grade span, type and dates', () => {
    const { schools, problems } = parseCdePubschls(EXTRACT);
    expect(problems).toEqual([]);
    expect(schools).toHaveLength(3);
    expect(schools[0]).toEqual({
      schoolCode: '0116640',
      fullCode: '10622650116640',
      name: 'Dunlap Leadership Academy',
      districtName: 'Kings Canyon Joint Unified',
      status: 'open',
      lowGrade: '09',
      highGrade: '12',
      schoolType: 'High Schools (Public)',
      openDate: '2008-08-20',
      closedDate: null,
    });
    // GSoffered (K-12) is the span, not GSserved (K-11).
    expect(schools[2]).toMatchObject({ schoolCode: '0133454', lowGrade: 'KG', highGrade: '12' });
  });

  it('maps Closed and Merged to closed, skips district rows, and reports bad lines while loading the rest', () => {
    const text = [
      EXTRACT.trimEnd(),
      row({ CDSCode: '10622650000000', School: 'No Data' }),
      row({ CDSCode: '10622656099999', StatusType: 'Closed', School: 'Old Mill', ClosedDate: '2019-06-30' }),
      row({ CDSCode: '10622656099998', StatusType: 'Merged', School: 'Merged One', GSoffered: 'P-5' }),
      row({ CDSCode: '1062265', School: 'Short Code' }),
      row({ CDSCode: '10622656099997', StatusType: 'Unknown', School: 'Odd' }),
      row({ CDSCode: '10622656099996', School: 'Strange Span', GSoffered: 'K-Z', GSserved: '' }),
    ].join('\n');
    const { schools, problems } = parseCdePubschls(text);
    expect(schools.map((s) => [s.schoolCode, s.status, s.lowGrade, s.highGrade])).toEqual([
      ['0116640', 'open', '09', '12'],
      ['0130880', 'open', 'KG', '12'],
      ['0133454', 'open', 'KG', '12'],
      ['6099999', 'closed', '09', '12'],
      ['6099998', 'closed', 'PR', '05'],
      ['6099996', 'open', null, null],
    ]);
    expect(schools[3].closedDate).toBe('2019-06-30');
    expect(problems.map((p) => p.line)).toEqual([8, 9, 10]);
    expect(problems[0].message).toMatch(/not 14 digits/);
    expect(problems[2].message).toMatch(/grade span 'K-Z'/);
  });

  it('refuses a file that is not the directory', () => {
    const { schools, problems } = parseCdePubschls('Campus\tName\n001\tX\n');
    expect(schools).toEqual([]);
    expect(problems[0]).toMatchObject({ line: 1 });
    expect(problems[0].message).toMatch(/CDSCode/);
  });

  it('parses grade spans', () => {
    expect(parseGradeSpan('Adult')).toEqual({ low: 'AD', high: 'AD' });
    expect(parseGradeSpan('6-8')).toEqual({ low: '06', high: '08' });
    expect(parseGradeSpan('No Data')).toEqual({ low: null, high: null });
    expect(parseGradeSpan('K-13')).toBeNull();
  });
});
