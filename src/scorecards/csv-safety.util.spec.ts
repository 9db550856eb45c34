import { stringify } from 'csv-stringify/sync';
import { csvCell, neutraliseCell } from 'src/scorecards/csv-safety.util';

describe('CSV formula neutralisation', () => {
  it.each(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://evil","x")'])(
    'prefixes %j with an apostrophe',
    (v) => {
      expect(neutraliseCell(v)).toBe(`'${v}`);
    },
  );

  it.each(['Garcia', '12', '', ' =1', "'=1", 'a=b', '2026-11-01'])('leaves %j alone', (v) => {
    expect(neutraliseCell(v)).toBe(v);
  });

  it('neutralises numbers, booleans and JSON as text and empties null', () => {
    expect(csvCell(-5)).toBe("'-5");
    expect(csvCell(7)).toBe('7');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell({ a: 1 })).toBe('{"a":1}');
  });

  it('still quotes what CSV needs quoted after neutralising', () => {
    const line = stringify([[csvCell('=1,2'), csvCell('say "hi"'), csvCell('-\nx')]]);
    expect(line).toBe(`"'=1,2","say ""hi""","'-\nx"\n`);
  });
});
