/** Pure helpers of the benchmark (no I/O): parameter inlining for COPY, rates, ratios, markdown. */

/**
 * An extract query with its `:name` parameters written as quoted literals, for `COPY (…) TO STDOUT`, which
 * takes no bound parameters. A quoted literal is of type unknown, like an untyped bound parameter, so the
 * server resolves it from its context exactly as it does for the driver's `$n`. String literals, quoted
 * identifiers, comments and `::` casts are left alone. Only for the benchmark's own values (never user input).
 */
export function inlineNamedParams(sql: string, params: Record<string, string | number>): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      const end = close < 0 ? sql.length : close + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === ':' && sql[i + 1] === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      let j = i + 2;
      while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j])) j += 1;
      const name = sql.slice(i + 1, j);
      if (!(name in params)) throw new Error(`parameter :${name} has no value`);
      out += `'${String(params[name]).replace(/'/g, "''")}'`;
      i = j;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Rows per second, rounded; '' when there is no duration to divide by. */
export function rate(rows: number, ms: number): string {
  if (!(ms > 0)) return '';
  return String(Math.round((rows * 1000) / ms));
}

/** `a / b` with two decimals, or '' when b is zero. */
export function ratio(a: number, b: number): string {
  if (!(b > 0)) return '';
  return (a / b).toFixed(2);
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** A markdown table; cells are written as given. */
export function table(
  head: string[],
  align: Array<'l' | 'r'>,
  rows: Array<Array<string | number>>,
): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Wall time of overlapping intervals: from the earliest start to the latest end (ms since epoch). */
export function span(intervals: Array<{ start: number; end: number }>): number {
  if (intervals.length === 0) return 0;
  return Math.max(...intervals.map((i) => i.end)) - Math.min(...intervals.map((i) => i.start));
}

/** Per-rule failed counts of two engines side by side, and whether they agree. */
export function agreement(
  ours: Map<string, number>,
  peer: Map<string, number>,
): { rows: Array<[string, number | null, number | null, boolean]>; agree: number; total: number } {
  const ids = [...new Set([...ours.keys(), ...peer.keys()])].sort();
  const rows = ids.map((id): [string, number | null, number | null, boolean] => {
    const a = ours.get(id) ?? null;
    const b = peer.get(id) ?? null;
    return [id, a, b, a !== null && a === b];
  });
  return { rows, agree: rows.filter((r) => r[3]).length, total: rows.length };
}
