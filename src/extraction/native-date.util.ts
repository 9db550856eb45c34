import { pad2 } from 'connectors/sdk/drivers/driver.util';

export type DateParse = { ok: true; date: string } | { ok: false; kind: 'invalid_date' | 'impossible_date' };

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:$|\s)/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function build(y: number, m: number, d: number): DateParse {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return { ok: false, kind: 'invalid_date' };
  // Before 1900 are the engines' zero dates (SQL Server 1900-01-01 aside, OLE 1899-12-30, 0001-01-01): no
  // date at all. A year after 2100 is a real, mistyped date (a birth date typed 2105): data to certify, kept.
  if (y < 1900) return { ok: false, kind: 'impossible_date' };
  return { ok: true, date: `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}` };
}

/**
 * A calendar date from a native value: Date (its UTC calendar day; drivers hand dates on as text), ISO text
 * (`YYYY-MM-DD[ T…]`), `YYYYMMDD` or `M/D/YYYY`. Years before 1900 are impossible (zero dates); any later
 * calendar date up to 9999 is a date, however odd.
 */
export function parseNativeDate(v: string | number | boolean | Date): DateParse {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return { ok: false, kind: 'invalid_date' };
    return build(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate());
  }
  const s = String(v).trim();
  let m = ISO.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]));
  m = COMPACT.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]));
  m = US.exec(s);
  if (m) return build(Number(m[3]), Number(m[1]), Number(m[2]));
  return { ok: false, kind: 'invalid_date' };
}

/** The ISO date `days` calendar days away (exclusive end → inclusive end is -1). */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${String(t.getUTCFullYear()).padStart(4, '0')}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}
