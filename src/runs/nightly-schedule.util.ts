import { DateTime } from 'luxon';
import type { SeasonWindow } from 'src/districts/district.types';

export interface DueSlot {
  /** The instant of the nightly run (the unique slot of the district). */
  scheduledFor: Date;
  /** The district's local date of that slot (YYYY-MM-DD): the run's as-of date. */
  localDate: string;
}

/**
 * The latest nightly slot at or before `now` in the district's own time zone, if it is at most `graceMinutes`
 * old. DST: a local time that does not exist that day moves forward (luxon), one that exists twice takes the first.
 */
export function dueSlot(
  now: Date,
  timeZone: string,
  nightlyAt: string,
  graceMinutes: number,
): DueSlot | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(nightlyAt);
  if (!m) return null;
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  if (!local.isValid) return null;
  const at = (d: DateTime): DateTime =>
    d.set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
  let slot = at(local);
  if (slot > local) slot = at(local.minus({ days: 1 }));
  if (local.diff(slot, 'minutes').minutes > graceMinutes) return null;
  return { scheduledFor: slot.toUTC().toJSDate(), localDate: slot.toISODate() ?? '' };
}

/** The reason of the off-season window containing the local date, if any; windows may wrap the new year. */
export function offSeasonReason(localDate: string, windows: readonly SeasonWindow[]): string | null {
  const md = localDate.slice(5);
  for (const w of windows) {
    const inside = w.from <= w.to ? md >= w.from && md <= w.to : md >= w.from || md <= w.to;
    if (inside) return w.reason || 'off season';
  }
  return null;
}

/** Today in the district's time zone (YYYY-MM-DD). */
export function localToday(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? now.toISOString().slice(0, 10);
}

/** The district's school year, else the start year of the school year containing the date (2026 = 2026-27, July 1 boundary). */
export function schoolYearFor(asOf: string, districtSchoolYear: number | null): number {
  if (districtSchoolYear) return districtSchoolYear;
  const [year, month] = asOf.split('-').map(Number);
  return month >= 7 ? year : year - 1;
}
