import { checkRuleSql, expandRuleSql } from 'src/rule-engine/compiler/sql-guard.util';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';

function refusal(sql: string): string {
  try {
    checkRuleSql(sql);
  } catch (err) {
    if (err instanceof ExpressionError) return err.message;
    throw err;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe('sql rule guard', () => {
  it('accepts selects over placeholders, CTEs, joins, subqueries and whitelisted functions', () => {
    expect(
      checkRuleSql(`with c as (select e.school_id, count(*) as n from {{enrollment}} e group by e.school_id)
        select s.row_no from {{school}} s left join c on c.school_id = s.school_id, {{student}} st
        where coalesce(c.n, 0) = 0 and extract(year from now()) > 2000 and s.school_id is distinct from 'x'
          and exists (select 1 from {{program}} p where p.school_id = s.school_id)`).sort(),
    ).toEqual(['enrollment', 'program', 'school', 'student']);
  });

  it('expands placeholders to the snapshot, adding an alias where none is written', () => {
    expect(expandRuleSql('select row_no from {{student}} where student_id is null', '$1::uuid')).toBe(
      'select row_no from (SELECT * FROM public.snap_student WHERE snapshot_id = $1::uuid) AS student where student_id is null',
    );
    expect(expandRuleSql('select s.row_no from {{student}} s', '$1::uuid')).toBe(
      'select s.row_no from (SELECT * FROM public.snap_student WHERE snapshot_id = $1::uuid) s',
    );
  });

  it.each([
    ['select row_no from {{student}}; drop table users', "';' is not allowed"],
    ['select row_no from {{student}} -- x', 'comments are not allowed'],
    ['delete from {{student}}', 'an sql rule is one SELECT'],
    [
      'select row_no from {{student}} s, users u',
      "'users': tables are read only through {{entity}} placeholders",
    ],
    ['select row_no from {{student}} s join public.users u on true', "'public': tables are read only"],
    ['select row_no from {{student}} where pg_sleep(10) is null', "function 'pg_sleep' is not allowed"],
    [
      "select row_no from {{student}} where pg_catalog.lower('a') = 'a'",
      'schema-qualified functions are not allowed',
    ],
    [
      'select row_no from {{student}} where exists (select 1 from pg_authid)',
      "'pg_authid': tables are read only",
    ],
    ["select row_no from {{student}} where current_setting('x') = ''", "'current_setting' is not allowed"],
    ['select row_no into t from {{student}}', "'into' is not allowed"],
    ['select row_no from {{student}} where $$x$$ = 1', "'$' is not allowed"],
    ['select "row_no" from {{student}}', 'quoted identifiers are not allowed'],
    [
      "select row_no from {{student}} where name = E'\\''",
      'escape-string and unicode literals are not allowed',
    ],
    ['select row_no from {{students}}', 'unknown entity placeholder {{students}}'],
    ['select 1 as row_no', 'must read at least one {{entity}} placeholder'],
    ['select row_no from {{student}} where (1 = 1', "unbalanced '('"],
    ['select row_no from {{student}} for update', "'update' is not allowed"],
  ])('refuses %j', (sql, fragment) => {
    expect(refusal(sql)).toContain(fragment);
  });
});
