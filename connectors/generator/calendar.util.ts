/** ISO-date arithmetic in UTC day numbers (no time zones involved). */
const DAY_MS = 86_400_000;

export function toDayNumber(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}

export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return fromDayNumber(toDayNumber(iso) + days);
}

export function isWeekday(iso: string): boolean {
  const dow = new Date(`${iso}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** The first weekday on or after `iso` (direction +1) or on or before it (−1). */
export function weekday(iso: string, direction: 1 | -1 = 1): string {
  let d = iso;
  while (!isWeekday(d)) d = addDays(d, direction);
  return d;
}

export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** The school calendar of a year: first and last instructional day, semester boundary. */
export interface SchoolCalendar {
  schoolYear: number;
  firstDay: string;
  lastDay: string;
  s1LastDay: string;
  s2FirstDay: string;
}

export function schoolCalendar(schoolYear: number): SchoolCalendar {
  return {
    schoolYear,
    firstDay: weekday(`${schoolYear}-08-13`),
    lastDay: weekday(`${schoolYear + 1}-06-04`, -1),
    s1LastDay: weekday(`${schoolYear}-12-18`, -1),
    s2FirstDay: weekday(`${schoolYear + 1}-01-06`),
  };
}

/** The school year in progress on a date (a year starts on July 1). */
export function currentSchoolYear(today: Date = new Date()): number {
  return today.getUTCMonth() >= 6 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
}
