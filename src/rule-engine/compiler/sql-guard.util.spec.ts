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

  it('accepts window clauses, casts, SQL-syntax functions, recursive CTEs and lateral unnest', () => {
    expect(
      checkRuleSql(`with recursive r as (select 1 as n union all select n + 1 from r where n < 3)
        select s.row_no from {{student}} s cross join lateral unnest(array[1, 2]) u(x)
        where substring(s.last_name from 1 for 2) = 'ab' and trim(both ' ' from s.first_name) <> ''
          and position('a' in s.last_name) > 0 and s.birth_date::date < current_date
          and cast(s.row_no as bigint) > 0 and (select max(n) from r) = 3
          and row_number() over w > 0
        window w as (partition by lower(s.last_name) order by s.row_no)`),
    ).toEqual(['student']);
  });

  it('expands placeholders to the per-evaluation views, adding an alias where none is written', () => {
    expect(expandRuleSql('select row_no from {{student}} where student_id is null')).toBe(
      'select row_no from pg_temp.sisc_rule_student AS student where student_id is null',
    );
    expect(expandRuleSql('select s.row_no from {{student}} s')).toBe(
      'select s.row_no from pg_temp.sisc_rule_student s',
    );
  });

  // Issue 12 hole 1: every bypass the probe found, and their neighbours.
  it.each([
    [
      'a WINDOW clause hiding a function',
      'select s.row_no from {{student}} s window w as (partition by pg_sleep(10))',
      "function 'pg_sleep' is not allowed",
    ],
    [
      'a WINDOW clause hiding a table',
      'select count(*) over w as row_no from {{student}} s window w as (order by (select min(password_hash) from users))',
      "'users': tables are read only through {{entity}} placeholders",
    ],
    [
      'a parenthesised join hiding a schema-qualified table',
      'select s.row_no from (public.users u cross join {{student}} s) where u.password_hash is not null',
      "'public.users': schema-qualified tables are not allowed",
    ],
    [
      'a parenthesised join hiding a table',
      'select s.row_no from (users u cross join {{student}} s)',
      "'users': tables are read only",
    ],
    [
      'pg_read_file',
      "select row_no from {{student}} where length(pg_read_file('/etc/passwd')) > 0",
      "function 'pg_read_file' is not allowed",
    ],
    [
      'pg_sleep',
      'select row_no from {{student}} where pg_sleep(10) is null',
      "function 'pg_sleep' is not allowed",
    ],
    [
      'pg_terminate_backend in a lateral sub-select',
      'select s.row_no from {{student}} s, lateral (select pg_terminate_backend(1) as x) t',
      "function 'pg_terminate_backend' is not allowed",
    ],
    [
      'another district’s snapshot rows',
      'select row_no from snap_student',
      "'snap_student': tables are read only",
    ],
    [
      'users.password_hash in a sub-select',
      'select s.row_no from {{student}} s where s.last_name = (select min(password_hash) from users)',
      "'users': tables are read only",
    ],
    [
      'sis_links.secret_ciphertext in a CTE',
      'with x as (select secret_ciphertext from sis_links) select s.row_no from {{student}} s, x',
      "'sis_links': tables are read only",
    ],
    [
      'user_sessions via TABLE',
      'select s.row_no from {{student}} s where exists (table user_sessions)',
      "'user_sessions': tables are read only",
    ],
    [
      'a CTE shadowing a table before it is defined',
      'with a as (select * from users), users as (select 1 as x) select s.row_no from {{student}} s, a',
      "'users': tables are read only",
    ],
    [
      'a data-modifying CTE',
      'with d as (delete from {{student}} returning row_no) select row_no from d',
      'a CTE must be a SELECT',
    ],
    [
      'TABLESAMPLE',
      'select row_no from {{student}} tablesample system (10)',
      'RangeTableSample is not allowed',
    ],
    [
      'a cast to a catalog type',
      "select row_no from {{student}} where 'users'::regclass is not null",
      "type 'regclass' is not allowed",
    ],
    [
      'current_user',
      "select row_no from {{student}} where current_user = 'x'",
      'SVFOP_CURRENT_USER is not allowed',
    ],
    [
      'a schema-qualified operator',
      'select row_no from {{student}} where row_no operator(pg_catalog.=) 1',
      'schema-qualified operators are not allowed',
    ],
    ['the reserved placeholder identifier', 'select row_no from sisc_entity_student', 'is reserved'],
    ['two statements', 'select row_no from {{student}}; drop table users', "';' is not allowed"],
    ['a comment', 'select row_no from {{student}} -- x', 'comments are not allowed'],
    ['a DELETE', 'delete from {{student}}', 'an sql rule is one SELECT'],
    [
      'a join on a table',
      'select row_no from {{student}} s join public.users u on true',
      'schema-qualified tables',
    ],
    [
      'a schema-qualified function',
      "select row_no from {{student}} where pg_catalog.lower('a') = 'a'",
      'schema-qualified functions are not allowed',
    ],
    [
      'a catalog table',
      'select row_no from {{student}} where exists (select 1 from pg_authid)',
      "'pg_authid'",
    ],
    [
      'current_setting',
      "select row_no from {{student}} where current_setting('x') = ''",
      "'current_setting' is not allowed",
    ],
    ['INTO', 'select row_no into t from {{student}}', "'into' is not allowed"],
    ['dollar quoting', 'select row_no from {{student}} where $$x$$ = 1', "'$' is not allowed"],
    ['a quoted identifier', 'select "row_no" from {{student}}', 'quoted identifiers are not allowed'],
    [
      'an escape string',
      "select row_no from {{student}} where name = E'\\''",
      'escape-string and unicode literals',
    ],
    ['an unknown placeholder', 'select row_no from {{students}}', 'unknown entity placeholder {{students}}'],
    ['no placeholder', 'select 1 as row_no', 'must read at least one {{entity}} placeholder'],
    ['bad syntax', 'select row_no from {{student}} where (1 = 1', 'syntax error'],
    ['FOR UPDATE', 'select row_no from {{student}} for update', 'FOR UPDATE/SHARE is not allowed'],
  ])('refuses %s', (_what, sql, fragment) => {
    expect(refusal(sql)).toContain(fragment);
  });

  it('locates a refusal in the rule text, past the placeholders', () => {
    const sql = 'select s.row_no from {{student}} s where pg_sleep(1) is null';
    try {
      checkRuleSql(sql);
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as ExpressionError).position).toBe(sql.indexOf('pg_sleep'));
    }
  });
});
