import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAskTed, parseAskTedGradeRange, splitCsvLine } from 'src/reference-data/askted-directory.parser';

const EXTRACT = readFileSync(
  join(__dirname, '..', '..', 'test', 'fixtures', 'reference', 'tx-askted-extract.csv'),
  'utf8',
);

/** A row in the extract's layout (its first campus) with the given cells replaced. */
function row(cells: Record<string, string>): string {
  const lines = EXTRACT.split('\n');
  const header = splitCsvLine(lines[0]) ?? [];
  const base = splitCsvLine(lines[1]) ?? [];
  return header.map((h, i) => cells[h] ?? base[i]).join(',');
}

describe('parseAskTed', () => {
  it('reads the real extract: 9-digit campus ids without the apostrophe, status, grade range, type, dates', () => {
    const { schools, problems } = parseAskTed(EXTRACT);
    expect(problems).toEqual([]);
    expect(schools.map((s) => [s.schoolCode, s.lowGrade, s.highGrade, s.schoolType])).toEqual([
      ['001902001', '09', '12', 'REGULAR INSTRUCTIONAL'],
      ['001902041', '06', '08', 'REGULAR INSTRUCTIONAL'],
      ['001902103', 'PR', '05', 'REGULAR INSTRUCTIONAL'],
      ['001903002', 'KG', '12', 'DAEP INSTRUCTIONAL'],
      ['001907102', 'PR', 'PK', 'REGULAR INSTRUCTIONAL'],
      ['003801001', '07', '12', 'REGULAR INSTRUCTIONAL'],
    ]);
    expect(schools[1]).toEqual({
      schoolCode: '001902041',
      fullCode: '001902041',
      name: 'CAYUGA MIDDLE',
      districtName: 'CAYUGA ISD',
      status: 'open',
      lowGrade: '06',
      highGrade: '08',
      schoolType: 'REGULAR INSTRUCTIONAL',
      openDate: '1996-03-11',
      closedDate: null,
    });
    // A blank (single space) School Status Date is no date.
    expect(schools[0].openDate).toBeNull();
  });

  it('reads a closed campus with its closing date; repeats of a campus keep the first row', () => {
    const closed = row({
      'School Number': "'001902105",
      'School Name': 'CAYUGA PRI',
      'School Status': 'Closed',
      'School Status Date': '06/30/2014',
    });
    const text = `${EXTRACT}${closed}\n${row({})}\n`;
    const { schools, problems } = parseAskTed(text);
    expect(problems).toEqual([]);
    expect(schools.find((s) => s.schoolCode === '001902105')).toMatchObject({
      status: 'closed',
      closedDate: '2014-06-30',
      openDate: null,
    });
    expect(schools.filter((s) => s.schoolCode === '001902001')).toHaveLength(1);
  });

  it('reports bad lines with their line number and loads the others', () => {
    const text = [
      EXTRACT.trimEnd(),
      row({ 'School Number': "'1902001" }),
      row({ 'School Number': "'001902106", 'School Status': 'Merged' }),
      row({ 'School Number': "'001902107", 'Grade Range': "'K5-12" }),
      row({ 'School Number': "'001902001", 'School Status': 'Closed' }),
      '"unterminated,quote',
    ].join('\n');
    const { schools, problems } = parseAskTed(text);
    expect(problems).toEqual([
      { line: 8, message: "School Number '1902001' is not a 9-digit campus id" },
      {
        line: 9,
        message: "School Status 'Merged' is not Active, Closed, Inactive or Under Construction",
      },
      { line: 10, message: "Grade Range 'K5-12' not understood; loaded without one" },
      {
        line: 11,
        message: 'campus 001902001 listed again with status Closed; the first row (open) is kept',
      },
      { line: 12, message: 'unterminated quoted field' },
    ]);
    expect(schools).toHaveLength(7);
    expect(schools[6]).toMatchObject({ schoolCode: '001902107', lowGrade: null, highGrade: null });
  });

  it('refuses a file that is not an AskTED school file, naming the missing columns', () => {
    expect(parseAskTed('CDSCode\tStatusType\tSchool\n')).toEqual({
      schools: [],
      problems: [
        {
          line: 1,
          message:
            'not a TEA AskTED school file: header lacks School Number, School Name, School Status (the CSV "Download School and District Data File" expected)',
        },
      ],
    });
  });

  it('maps TSDS grades (C050) to canonical ones', () => {
    expect(parseAskTedGradeRange("'EE-12")).toEqual({ low: 'PR', high: '12' });
    expect(parseAskTedGradeRange('KG')).toEqual({ low: 'KG', high: 'KG' });
    expect(parseAskTedGradeRange(' ')).toEqual({ low: null, high: null });
    expect(parseAskTedGradeRange('9-14')).toBeNull();
  });

  it('splits quoted CSV cells (AskTED names hold commas when quoted)', () => {
    expect(splitCsvLine('"A, B",C,"say ""hi"""')).toEqual(['A, B', 'C', 'say "hi"']);
  });
});
