import { backoffDelayMs } from 'src/notifications/backoff.util';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 100, capMs: 1_000, jitter: 0 };

  it('doubles per failed attempt until the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, policy))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('treats attempt 0 or negative as the first retry and survives huge attempt counts', () => {
    expect(backoffDelayMs(0, policy)).toBe(100);
    expect(backoffDelayMs(-3, policy)).toBe(100);
    expect(backoffDelayMs(10_000, policy)).toBe(1_000);
  });

  it('draws jittered delays within [exp·(1−jitter), exp]', () => {
    const jittered = { ...policy, jitter: 0.5 };
    expect(backoffDelayMs(3, jittered, () => 0)).toBe(200);
    expect(backoffDelayMs(3, jittered, () => 1)).toBe(400);
    expect(backoffDelayMs(3, jittered, () => 0.5)).toBe(300);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelayMs(4, jittered);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });
});
