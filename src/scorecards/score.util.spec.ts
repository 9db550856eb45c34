import { certificationScore, checkedInScope } from 'src/scorecards/score.util';

describe('certificationScore', () => {
  it('is 100 without open findings, whatever is excluded', () => {
    expect(certificationScore([])).toBe(100);
    expect(
      certificationScore([{ severity: 'fatal', status: 'fail', checked: 100, open: 0, excluded: 5 }]),
    ).toBe(100);
  });

  it('weighs a fatal finding ten times a warning', () => {
    const fatal = certificationScore([
      { severity: 'fatal', status: 'fail', checked: 100, open: 10, excluded: 0 },
      { severity: 'warning', status: 'pass', checked: 100, open: 0, excluded: 0 },
    ]);
    const warning = certificationScore([
      { severity: 'fatal', status: 'pass', checked: 100, open: 0, excluded: 0 },
      { severity: 'warning', status: 'warn', checked: 100, open: 10, excluded: 0 },
    ]);
    // fatal: 1 − 10·10 / (10·100 + 1·100) = 90.9; warning: 1 − 10 / 1100 = 99.1
    expect(fatal).toBe(90.9);
    expect(warning).toBe(99.1);
  });

  it('leaves out rules that failed to run or were skipped', () => {
    expect(
      certificationScore([
        { severity: 'error', status: 'error', checked: 0, open: 0, excluded: 0 },
        { severity: 'error', status: 'skipped', checked: 10, open: 10, excluded: 0 },
        { severity: 'error', status: 'fail', checked: 10, open: 5, excluded: 0 },
      ]),
    ).toBe(50);
  });

  it('scales checked records to the scope but never below its findings', () => {
    const r = { severity: 'error' as const, status: 'fail', checked: 1000, open: 30, excluded: 0 };
    expect(checkedInScope(r, 0.1)).toBe(100);
    expect(checkedInScope(r, 0.01)).toBe(30);
    expect(certificationScore([r], 0.1)).toBe(70);
    expect(certificationScore([r], 0.01)).toBe(0);
  });

  it('never rounds up to 100 while a finding is open', () => {
    expect(
      certificationScore([{ severity: 'fatal', status: 'fail', checked: 100_000, open: 1, excluded: 0 }]),
    ).toBe(99.9);
  });
});
