import { compileCondition, type ExprScope } from 'src/rule-engine/expression/expression-sql.util';
import { parseExpression } from 'src/rule-engine/expression/expression-parser.util';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';
import { SqlParams } from 'src/rule-engine/sql-params.util';

function scope(): ExprScope {
  return {
    default: { entity: 'enrollment', alias: 't' },
    qualified: { enrollment: { entity: 'enrollment', alias: 't' } },
    reads: new Set(),
  };
}

function compile(src: string): { sql: string; params: unknown[]; reads: string[] } {
  const p = new SqlParams();
  const s = scope();
  const sql = compileCondition(src, s, p);
  return {
    sql,
    params: p.slots.map((x) => (x.kind === 'literal' ? x.value : `ctx:${x.name}`)),
    reads: [...s.reads].sort(),
  };
}

function failure(src: string): string {
  try {
    compile(src);
  } catch (err) {
    if (err instanceof ExpressionError) return err.message;
    throw err;
  }
  throw new Error(`expected "${src}" to be rejected`);
}

describe('expression language → SQL', () => {
  it('compiles comparisons, null tests and boolean logic with every literal bound as a parameter', () => {
    const sut = compile("exit_date is not null and (grade_level = 'KG' or not school_year > 2025)");
    expect(sut.sql).toBe(
      '((t.exit_date IS NOT NULL) AND ((t.grade_level = $1::text) OR (NOT (t.school_year > $2::int))))',
    );
    expect(sut.params).toEqual(['KG', 2025]);
    expect(sut.reads).toEqual(['enrollment.exit_date', 'enrollment.grade_level', 'enrollment.school_year']);
  });

  it('compiles in-lists to one array parameter, between, like, matches and date arithmetic', () => {
    expect(compile("grade_level not in ('KG', '01')")).toEqual({
      sql: '(NOT (t.grade_level = ANY($1::text[])))',
      params: [['KG', '01']],
      reads: ['enrollment.grade_level'],
    });
    expect(compile('entry_date between 2026-07-01 and as_of + 30 days').sql).toBe(
      '(t.entry_date BETWEEN $1::date AND ($2::date + $3::int))',
    );
    expect(compile('entry_date between 2026-07-01 and as_of + 30 days').params).toEqual([
      '2026-07-01',
      'ctx:as_of',
      30,
    ]);
    expect(compile("entry_code like 'E1%' or exit_code matches '^T[0-9]{3}$'").params).toEqual([
      'E1%',
      '^T[0-9]{3}$',
    ]);
    expect(compile("entry_date >= '2026-08-01'").sql).toBe('(t.entry_date >= $1::date)');
    expect(compile('days_between(entry_date, exit_date) <= 400').sql).toBe(
      '((t.exit_date - t.entry_date) <= $1::int)',
    );
    expect(compile('school_year_start(school_year) <= entry_date').sql).toBe(
      '(make_date(t.school_year, 7, 1) <= t.entry_date)',
    );
  });

  it('keeps quotes inside string literals as data', () => {
    const sut = compile("status = 'x'' OR ''1''=''1'");
    expect(sut.sql).toBe('(t.status = $1::text)');
    expect(sut.params).toEqual(["x' OR '1'='1"]);
  });

  it.each([
    [
      'exit_date is null; drop table snapshots',
      "at column 18: unexpected ';' (statement separators are not allowed)",
    ],
    ['exit_date is null -- comment', 'at column 19: comments are not allowed'],
    ['exit_date is null /* x */', 'at column 19: comments are not allowed'],
    [
      'pg_sleep(1) is null',
      "at column 1: unknown function 'pg_sleep' (allowed: age_on, year, month, days_between, length, upper, lower, trim, coalesce, cardinality, school_year_start)",
    ],
    ["status = 'a' or 1=1) or (1=1", "at column 20: unexpected ')' after a complete expression"],
    [
      '"snapshots".id is null',
      'at column 1: unexpected double quotes (quoted identifiers are not allowed; strings use single quotes)',
    ],
    ["status = 'unterminated", 'at column 10: unterminated string'],
    ['exit_dat is null', "at column 1: unknown field 'exit_dat' of enrollment"],
    ['users.password is null', "at column 1: unknown entity 'users' (allowed here: enrollment)"],
    ['status::text is null', "at column 7: unexpected ':' (casts are not allowed)"],
    ['$1 is null', "at column 1: unexpected '$' (parameters and dollar quoting are not allowed)"],
    ["status = E'\\x27'", "at column 11: unexpected '\\x27' after a complete expression"],
    ['exit_date = null', "at column 11: comparing with null is never true; use 'is null' / 'is not null'"],
    ['grade_level = 12', "at column 13: cannot compare text with int using '='"],
    ['entry_date + 1 > exit_date', "at column 12: cannot apply '+' to date and int (write '1 days')"],
    ['school_year', 'at column 1: expected a true/false condition, got a int value'],
    [
      "exit_code matches '(['",
      'at column 11: invalid regular expression: Invalid regular expression: /([/: Unterminated character class',
    ],
    ['', 'at column 1: empty expression'],
  ])('rejects %j', (src, message) => {
    expect(failure(src)).toBe(message);
  });

  it('limits nesting depth', () => {
    expect(failure(`${'('.repeat(100)}exit_date is null${')'.repeat(100)}`)).toMatch(/nested too deeply/);
  });

  it('parses keywords case-insensitively', () => {
    expect(parseExpression('Exit_Date IS NOT NULL').kind).toBe('is_null');
  });
});
