import {
  encodeCopyLine,
  encodeCopyValue,
  escapeCopyText,
  parseCopyLine,
  textArrayLiteral,
} from 'src/extraction/copy-text.util';

describe('COPY text encoding', () => {
  it('escapes backslashes, tabs, newlines and drops NUL', () => {
    expect(escapeCopyText('a\\b\tc\nd\re\0f')).toBe('a\\\\b\\tc\\nd\\re' + 'f');
    expect(escapeCopyText('plain')).toBe('plain');
  });

  it('quotes every array element', () => {
    expect(textArrayLiteral(['a"b', 'c\\d', 'e,f', 'NULL'])).toBe('{"a\\"b","c\\\\d","e,f","NULL"}');
    expect(encodeCopyValue(['x\ty'], 'text[]')).toBe('{"x\\ty"}');
    expect(encodeCopyValue([], 'text[]')).toBe('{}');
  });

  it('writes NULL for missing or ill-typed values', () => {
    expect(encodeCopyValue(null, 'text')).toBe('\\N');
    expect(encodeCopyValue(1.5, 'int')).toBe('\\N');
    expect(encodeCopyValue('2026-1-1', 'date')).toBe('\\N');
    expect(encodeCopyValue('yes', 'bool')).toBe('\\N');
    expect(encodeCopyValue(true, 'bool')).toBe('t');
    expect(encodeCopyValue(' 42 ', 'int')).toBe('42');
  });

  it('builds a line in column order', () => {
    const line = encodeCopyLine('s\t1\tK', { b: null, a: 'x' }, [
      { name: 'a', type: 'text' },
      { name: 'b', type: 'date' },
    ]);
    expect(line).toBe('s\t1\tK\tx\t\\N\n');
  });
});

describe('parseCopyLine', () => {
  it('inverts encodeCopyLine for nulls, escapes, arrays and every column type', () => {
    const columns = [
      { name: 'a', type: 'text' },
      { name: 'b', type: 'int' },
      { name: 'c', type: 'date' },
      { name: 'd', type: 'bool' },
      { name: 'e', type: 'text[]' },
      { name: 'f', type: 'text' },
    ] as const;
    const line = encodeCopyLine(
      'p1\t7\tkey',
      { a: 'tab\there\nnew\\slash', b: 3, c: '2026-10-07', d: true, e: ['700', 'x y'], f: null },
      columns,
    );
    const sut = parseCopyLine(line.replace(/\n$/, ''));
    expect(sut).toEqual([
      'p1',
      '7',
      'key',
      'tab\there\nnew\\slash',
      '3',
      '2026-10-07',
      't',
      '{"700","x y"}',
      null,
    ]);
  });
});
