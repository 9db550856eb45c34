import { DateTime } from 'luxon';
import { defectKindsFor, type DefectSpec } from 'connectors/generator/generator.types';

/**
 * The demo's defects: every California defect kind three times, planned once for the seed. Each step of the
 * history withholds some of them (connectors/generator `withheldDefects`), so from one step to the next a
 * few defects are fixed and a few introduced while every other defect stays on the same record — the real
 * pipeline then finds persisting, new and resolved findings with stable fingerprints. No result is made up:
 * every step is a real generation of both SIS replicas followed by a real run.
 */
export const DEMO_DEFECTS: DefectSpec = Object.fromEntries(defectKindsFor('CA').map((k) => [k, 3]));

export interface DemoHistoryStep {
  /** The run's as-of date: this many weeks before the last one. */
  weeksAgo: number;
  withheld: DefectSpec;
  story: string;
}

/** Oldest first; the last step is the state the demo SIS replicas keep. */
export const DEMO_HISTORY: readonly DemoHistoryStep[] = [
  {
    weeksAgo: 3,
    withheld: { overlapping_enrollment: 3, roster_without_enrollment: 3, section_without_teacher: 3 },
    story: 'first certification of the legacy data',
  },
  {
    weeksAgo: 2,
    withheld: {
      overlapping_enrollment: 3,
      roster_without_enrollment: 3,
      section_without_teacher: 3,
      missing_birth_date: 2,
      future_birth_date: 3,
      invalid_grade_code: 2,
    },
    story: 'birth dates and grade codes corrected',
  },
  {
    weeksAgo: 1,
    withheld: {
      overlapping_enrollment: 1,
      roster_without_enrollment: 3,
      missing_birth_date: 3,
      future_birth_date: 3,
      invalid_grade_code: 3,
      exit_date_without_code: 2,
      missing_state_id: 2,
    },
    story: 'exit codes and state ids corrected; a schedule change left sections without teachers',
  },
  {
    weeksAgo: 0,
    withheld: {
      missing_birth_date: 3,
      future_birth_date: 3,
      invalid_grade_code: 3,
      exit_date_without_code: 2,
      missing_state_id: 2,
      duplicate_state_id: 1,
      roster_without_enrollment: 1,
    },
    story: 'this week: overlapping enrollments and rosters from the new schedule',
  },
];

/** The demo's school year (2026-27) and its last school day. */
const FIRST_AS_OF = '2026-09-14';
const LAST_AS_OF = '2027-06-04';

/** As-of date of a step: weekly, ending today in the district's zone (kept inside the demo's school year). */
export function demoAsOf(step: DemoHistoryStep, now: Date, timeZone: string): string {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? FIRST_AS_OF;
  const end = today < FIRST_AS_OF ? FIRST_AS_OF : today > LAST_AS_OF ? LAST_AS_OF : today;
  return DateTime.fromISO(end).minus({ weeks: step.weeksAgo }).toISODate() ?? end;
}
