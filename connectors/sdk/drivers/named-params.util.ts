import type { Dialect } from 'connectors/sdk/connector.types';

export interface RewrittenSql {
  sql: string;
  /** Distinct parameter names in first-use order; for postgres, name i is `$${i + 1}`. */
  names: string[];
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

function skipQuoted(sql: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else j += 1;
  }
  return j;
}

function skipComment(sql: string, i: number): number {
  if (sql.startsWith('--', i)) {
    const nl = sql.indexOf('\n', i);
    return nl < 0 ? sql.length : nl;
  }
  const end = sql.indexOf('*/', i + 2);
  return end < 0 ? sql.length : end + 2;
}

function placeholder(dialect: Dialect, name: string, index: number): string {
  switch (dialect) {
    case 'postgres':
      return `$${index + 1}`;
    case 'mssql':
      return `@${name}`;
    case 'oracle':
      return `:${name}`;
    case 'edfi':
      throw new Error('Ed-Fi queries take no SQL parameters');
  }
}

/**
 * Rewrites `:name` parameters for a dialect ($1… / @name / :name), ignoring string literals, quoted
 * identifiers, comments and PostgreSQL `::` casts. Values are bound by the caller in `names` order.
 */
export function rewriteNamedParams(sql: string, dialect: Dialect): RewrittenSql {
  const names: string[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    let next = i + 1;
    if (c === "'" || c === '"') next = skipQuoted(sql, i, c);
    else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) next = skipComment(sql, i);
    else if (c === ':' && sql[i + 1] === ':') next = i + 2;
    else if (c === ':' && IDENT_START.test(sql[i + 1] ?? '')) {
      let j = i + 2;
      while (j < sql.length && IDENT.test(sql[j])) j += 1;
      const name = sql.slice(i + 1, j);
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      out += placeholder(dialect, name, index);
      i = j;
      continue;
    }
    out += sql.slice(i, next);
    i = next;
  }
  return { sql: out, names };
}
