import { agreement, inlineNamedParams, rate, ratio, span, table } from 'bench/bench.util';

describe('benchmark helpers', () => {
  it('inlines named parameters as quoted literals, leaving casts, strings, identifiers and comments alone', () => {
    const sql = `SELECT x::text, ':asOf' AS s, ":asOf" AS q -- :asOf
      FROM t WHERE y = :schoolYear AND d <= :asOf /* :schoolYear */ AND n = 'it''s :asOf'`;
    expect(inlineNamedParams(sql, { schoolYear: 2026, asOf: '2026-11-01' })).toBe(
      `SELECT x::text, ':asOf' AS s, ":asOf" AS q -- :asOf
      FROM t WHERE y = '2026' AND d <= '2026-11-01' /* :schoolYear */ AND n = 'it''s :asOf'`,
    );
  });

  it('refuses a parameter without a value and doubles quotes in values', () => {
    expect(() => inlineNamedParams('SELECT :missing', {})).toThrow(':missing');
    expect(inlineNamedParams('SELECT :v', { v: "o'k" })).toBe(`SELECT 'o''k'`);
  });

  it('computes rates, ratios and the wall time of overlapping steps', () => {
    expect(rate(5000, 2000)).toBe('2500');
    expect(rate(10, 0)).toBe('');
    expect(ratio(3, 2)).toBe('1.50');
    expect(ratio(3, 0)).toBe('');
    expect(
      span([
        { start: 10, end: 50 },
        { start: 20, end: 80 },
      ]),
    ).toBe(70);
    expect(span([])).toBe(0);
  });

  it('writes a markdown table', () => {
    expect(table(['a', 'b'], ['l', 'r'], [['x', 1]])).toEqual(['| a | b |', '|---|---:|', '| x | 1 |']);
  });

  it('pairs the engine and the peer per rule and counts agreement', () => {
    const a = agreement(
      new Map([
        ['R1', 3],
        ['R2', 0],
      ]),
      new Map([
        ['R1', 3],
        ['R2', 1],
        ['R3', 0],
      ]),
    );
    expect(a.rows).toEqual([
      ['R1', 3, 3, true],
      ['R2', 0, 1, false],
      ['R3', null, 0, false],
    ]);
    expect([a.agree, a.total]).toEqual([1, 3]);
  });
});
