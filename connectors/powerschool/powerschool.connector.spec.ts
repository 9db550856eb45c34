import type { CanonicalRow } from 'connectors/sdk/connector.types';
import { refineNoShow } from 'connectors/powerschool/powerschool.connector';

describe('PowerSchool no-show refinement', () => {
  it('turns ExitDate = EntryDate into an exit on the entry day with status no_show', () => {
    const row: CanonicalRow = { entry_date: '2026-08-13', exit_date: '2026-08-12', status: 'inactive' };
    refineNoShow(row, { entry_date: '2026-08-13', exit_date_native: '2026-08-13' });
    expect(row).toEqual({ entry_date: '2026-08-13', exit_date: '2026-08-13', status: 'no_show' });
  });

  it('leaves ordinary exits (already shifted to inclusive) alone', () => {
    const row: CanonicalRow = { entry_date: '2026-08-13', exit_date: '2026-10-01', status: 'inactive' };
    refineNoShow(row, { entry_date: '2026-08-13', exit_date_native: '2026-10-02' });
    expect(row).toEqual({ entry_date: '2026-08-13', exit_date: '2026-10-01', status: 'inactive' });
  });

  it('compares Date values too and ignores missing dates', () => {
    const same = { entry_date: new Date(2026, 7, 13), exit_date_native: new Date(2026, 7, 13) };
    const row: CanonicalRow = { entry_date: '2026-08-13', exit_date: '2026-08-12', status: 'inactive' };
    refineNoShow(row, same);
    expect(row.status).toBe('no_show');
    const open: CanonicalRow = { entry_date: '2026-08-13', exit_date: null, status: 'active' };
    refineNoShow(open, { entry_date: '2026-08-13', exit_date_native: null });
    expect(open).toEqual({ entry_date: '2026-08-13', exit_date: null, status: 'active' });
  });
});
