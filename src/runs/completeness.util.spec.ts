import { completenessProblems, type CompletenessBaseline } from 'src/runs/completeness.util';

const baseline = (entities: Record<string, number>): CompletenessBaseline => ({
  snapshotId: 's0',
  runId: 'r0',
  entities,
});

describe('completenessProblems', () => {
  it('refuses a snapshot without any row, with or without history', () => {
    expect(completenessProblems({ student: 0, school: 0 }, null, 0.5)).toEqual([
      'the SIS returned no rows at all',
    ]);
    expect(completenessProblems({}, baseline({ student: 10 }), 0.5)).toEqual([
      'the SIS returned no rows at all',
    ]);
  });

  it('passes a first snapshot with rows, and one within the allowed shrink', () => {
    expect(completenessProblems({ student: 3, school: 1 }, null, 0.5)).toEqual([]);
    expect(
      completenessProblems({ student: 50, school: 2 }, baseline({ student: 100, school: 2 }), 0.5),
    ).toEqual([]);
    expect(
      completenessProblems({ student: 120, program: 0 }, baseline({ student: 100, program: 0 }), 0.1),
    ).toEqual([]);
  });

  it('names each entity that fell to zero or shrank past the limit', () => {
    expect(
      completenessProblems(
        { student: 40, school: 3, program: 0, staff: 9 },
        baseline({ student: 100, school: 3, program: 12, staff: 10 }),
        0.5,
      ),
    ).toEqual([
      'program: 0 rows, the last certified snapshot had 12',
      'student: 40 rows, 60% fewer than the 100 of the last certified snapshot (allowed: 50%)',
    ]);
  });

  it('treats a share of 1 as "any shrink but to zero"', () => {
    expect(completenessProblems({ student: 1 }, baseline({ student: 1000 }), 1)).toEqual([]);
    expect(
      completenessProblems({ student: 0, school: 1 }, baseline({ student: 1000, school: 1 }), 1),
    ).toEqual(['student: 0 rows, the last certified snapshot had 1000']);
  });
});
