import type { CanonicalRow } from 'connectors/sdk/connector.types';

/**
 * The comparison window every extract query is scoped by: the school years `:firstYear`..`:schoolYear`
 * (4-digit start years) and the same span as dates, `:windowStart` (July 1 of the first year) to
 * `:windowEnd` (June 30 after the last year). Connectors select by this scope only, never by whether a
 * record's data is valid: a record whose exit precedes its entry, or whose dates are odd, is still extracted.
 */
export interface WindowParams {
  schoolYear: number;
  firstYear: number;
  windowStart: string;
  windowEnd: string;
}

/** The default window: the current and the prior school year. */
export const DEFAULT_WINDOW_YEARS = 2;
export const MAX_WINDOW_YEARS = 10;

/** The window of `years` school years ending with `schoolYear` (1 = the school year alone). */
export function windowParams(schoolYear: number, years: number): WindowParams {
  const firstYear = schoolYear - Math.max(1, Math.floor(years)) + 1;
  return {
    schoolYear,
    firstYear,
    windowStart: `${firstYear}-07-01`,
    windowEnd: `${schoolYear + 1}-06-30`,
  };
}

/**
 * A dated record (enrollment, program) belongs to the window when it starts inside it, or started before and
 * is still running at the window's start. Written on the native columns, portable, and blind to validity: a
 * record starting in the window is kept whatever its end says. `exclusiveEnd` for PowerSchool's day-after ends.
 */
export function inWindow(start: string, end: string, exclusiveEnd = false): string {
  const endsAfterStart = exclusiveEnd ? `${end} > :windowStart` : `${end} >= :windowStart`;
  return `((${start} >= :windowStart AND ${start} <= :windowEnd)
    OR (${start} < :windowStart AND (${end} IS NULL OR ${endsAfterStart}))
    OR (${start} IS NULL AND (${end} IS NULL OR ${endsAfterStart})))`;
}

/**
 * The school year (4-digit start year, July–June) of an ISO date, as CALPADS and PEIMS count it; null
 * without a date.
 */
export function schoolYearOf(iso: unknown): number | null {
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
  const year = Number(iso.slice(0, 4));
  return Number(iso.slice(5, 7)) >= 7 ? year : year - 1;
}

/** CALPADS completer exit (E230): whatever the native status flag says, the enrollment ended in graduation. */
export const COMPLETER_EXIT_CODES = new Set(['E230']);

/**
 * One canonical status across connectors: an ended enrollment whose exit code is a completer exit is
 * `graduated` (Aeries and Infinite Campus derive every exit as left, PowerSchool records Enroll_Status 3).
 */
export function refineGraduation(row: CanonicalRow): void {
  if (typeof row['exit_code'] === 'string' && COMPLETER_EXIT_CODES.has(row['exit_code']))
    row['status'] = 'graduated';
}

/**
 * One canonical state school id: California's is the 7-digit school part of the CDS code. Aeries builds the
 * 14-digit county-district-school code, PowerSchool districts store either form; 14 digits become the last 7.
 * Other forms (a Texas 9-digit campus id) pass unchanged.
 */
export function refineStateSchoolId(row: CanonicalRow): void {
  const v = row['state_school_id'];
  if (typeof v === 'string' && /^\d{14}$/.test(v)) row['state_school_id'] = v.slice(7);
}
