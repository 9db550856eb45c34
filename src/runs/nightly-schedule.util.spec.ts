import { dueSlot, offSeasonReason, schoolYearFor } from 'src/runs/nightly-schedule.util';

describe('nightly schedule', () => {
  it('finds the slot of today in the district time zone once its local time has passed', () => {
    // 10:05 UTC = 02:05 in Los Angeles (PST, UTC-8) on 2026-01-15.
    const sut = dueSlot(new Date('2026-01-15T10:05:00Z'), 'America/Los_Angeles', '02:00', 60);
    expect(sut).toEqual({ scheduledFor: new Date('2026-01-15T10:00:00Z'), localDate: '2026-01-15' });
  });

  it('uses the district time zone, not the server one', () => {
    const now = new Date('2026-01-15T08:30:00Z');
    expect(dueSlot(now, 'America/Chicago', '02:00', 60)).toEqual({
      scheduledFor: new Date('2026-01-15T08:00:00Z'),
      localDate: '2026-01-15',
    });
    // Still 00:30 in Los Angeles: yesterday's 02:00 slot is 22.5 hours old, outside the grace period.
    expect(dueSlot(now, 'America/Los_Angeles', '02:00', 60)).toBeNull();
  });

  it('follows daylight saving time', () => {
    // 2026-07-01 is PDT (UTC-7): 02:00 local = 09:00 UTC.
    expect(
      dueSlot(new Date('2026-07-01T09:01:00Z'), 'America/Los_Angeles', '02:00', 60)?.scheduledFor,
    ).toEqual(new Date('2026-07-01T09:00:00Z'));
  });

  it('does nothing before the slot or after the grace period', () => {
    expect(dueSlot(new Date('2026-01-15T09:59:00Z'), 'America/Los_Angeles', '02:00', 60)).toBeNull();
    expect(dueSlot(new Date('2026-01-15T17:00:00Z'), 'America/Los_Angeles', '02:00', 360)).toBeNull();
  });

  it('recognises off-season windows, also across the new year', () => {
    const windows = [
      { from: '06-15', to: '08-10', reason: 'summer break' },
      { from: '12-20', to: '01-05', reason: 'winter break' },
    ];
    expect(offSeasonReason('2026-07-01', windows)).toBe('summer break');
    expect(offSeasonReason('2026-12-31', windows)).toBe('winter break');
    expect(offSeasonReason('2027-01-03', windows)).toBe('winter break');
    expect(offSeasonReason('2026-09-01', windows)).toBeNull();
  });

  it('derives the school year from the date when the district has none', () => {
    expect(schoolYearFor('2026-11-01', null)).toBe(2026);
    expect(schoolYearFor('2027-03-01', null)).toBe(2026);
    expect(schoolYearFor('2026-11-01', 2025)).toBe(2025);
  });
});
