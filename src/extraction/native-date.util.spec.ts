import { addDays, parseNativeDate } from 'src/extraction/native-date.util';

describe('parseNativeDate', () => {
  it.each([
    ['2026-08-12', '2026-08-12'],
    ['2026-08-12T00:00:00', '2026-08-12'],
    ['2026-08-12 13:45:00+00', '2026-08-12'],
    ['20240229', '2024-02-29'],
    ['8/1/2026', '2026-08-01'],
  ])('reads %s', (input, date) => {
    expect(parseNativeDate(input)).toEqual({ ok: true, date });
  });

  it('reads a Date by its UTC calendar day', () => {
    expect(parseNativeDate(new Date(Date.UTC(2026, 0, 31)))).toEqual({ ok: true, date: '2026-01-31' });
  });

  it.each(['2026-02-30', 'tomorrow', '2026-13-01', ''])('rejects %s as invalid', (input) => {
    expect(parseNativeDate(input)).toEqual({ ok: false, kind: 'invalid_date' });
  });

  it.each(['1899-12-31', '1899-12-30', '0001-01-01'])('rejects %s as impossible', (input) => {
    expect(parseNativeDate(input)).toEqual({ ok: false, kind: 'impossible_date' });
  });

  it.each(['2101-01-01', '2105-03-04', '9999-12-31'])('keeps the odd but real date %s', (input) => {
    expect(parseNativeDate(input)).toEqual({ ok: true, date: input });
  });

  it('moves across month and leap-year boundaries', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});
