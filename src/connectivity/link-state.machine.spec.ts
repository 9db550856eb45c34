import {
  incidentAction,
  nextLinkHealth,
  type HealthEvent,
  type LinkHealthState,
} from 'src/connectivity/link-state.machine';

const t0 = new Date('2026-11-02T10:00:00Z');
const at = (s: number): Date => new Date(t0.getTime() + s * 1000);
const probe = (ok: boolean, s: number, inMaintenance = false): HealthEvent => ({
  kind: 'probe',
  ok,
  at: at(s),
  inMaintenance,
});

function run(start: LinkHealthState, events: HealthEvent[], n = 3): LinkHealthState[] {
  const out: LinkHealthState[] = [];
  let cur = start;
  for (const ev of events) {
    cur = nextLinkHealth(cur, ev, n);
    out.push(cur);
  }
  return out;
}

describe('link state machine', () => {
  const up: LinkHealthState = { state: 'UP', since: t0, consecutiveFailures: 0 };

  it('goes PENDING on the first failures and DOWN only after N consecutive failures', () => {
    const states = run(up, [probe(false, 1), probe(false, 2), probe(false, 3), probe(false, 4)]);
    expect(states.map((s) => [s.state, s.consecutiveFailures])).toEqual([
      ['PENDING', 1],
      ['PENDING', 2],
      ['DOWN', 3],
      ['DOWN', 4],
    ]);
    expect(states[2].since).toEqual(at(3));
    expect(states[3].since).toEqual(at(3));
  });

  it('absorbs a flap: a success before N failures returns to UP and resets the count', () => {
    const states = run(up, [
      probe(false, 1),
      probe(false, 2),
      probe(true, 3),
      probe(false, 4),
      probe(false, 5),
    ]);
    expect(states.map((s) => s.state)).toEqual(['PENDING', 'PENDING', 'UP', 'PENDING', 'PENDING']);
    expect(states[4].consecutiveFailures).toBe(2);
  });

  it('recovers from DOWN on one good probe', () => {
    const down: LinkHealthState = { state: 'DOWN', since: t0, consecutiveFailures: 7 };
    const [next] = run(down, [probe(true, 9)]);
    expect(next).toEqual({ state: 'UP', since: at(9), consecutiveFailures: 0 });
  });

  it('holds MAINTENANCE inside a window, counting failures, and goes DOWN on the first failure after it', () => {
    const states = run(up, [
      probe(false, 1, true),
      probe(false, 2, true),
      probe(false, 3, true),
      probe(false, 4, true),
      probe(false, 5),
    ]);
    expect(states.map((s) => s.state)).toEqual([
      'MAINTENANCE',
      'MAINTENANCE',
      'MAINTENANCE',
      'MAINTENANCE',
      'DOWN',
    ]);
    expect(states[1].since).toEqual(at(1));
  });

  it('follows the agent: DOWN with it, PENDING when it is back until the next probe', () => {
    const states = run(up, [
      { kind: 'agent_down', at: at(1) },
      { kind: 'agent_up', at: at(2) },
      probe(true, 3),
    ]);
    expect(states.map((s) => s.state)).toEqual(['DOWN', 'PENDING', 'UP']);
  });

  it('treats N=1 as "first failure is DOWN"', () => {
    expect(run(up, [probe(false, 1)], 1)[0].state).toBe('DOWN');
  });

  it('opens an incident on a probe-driven DOWN, never for agent-driven DOWN, and closes on a good probe', () => {
    const down: LinkHealthState = { state: 'DOWN', since: t0, consecutiveFailures: 3 };
    expect(incidentAction(down, probe(false, 1), false)).toBe('open');
    expect(incidentAction(down, probe(false, 1), true)).toBe('none');
    expect(incidentAction(down, { kind: 'agent_down', at: at(1) }, false)).toBe('none');
    expect(incidentAction({ ...up }, probe(true, 2), true)).toBe('close');
    expect(
      incidentAction({ state: 'MAINTENANCE', since: t0, consecutiveFailures: 0 }, probe(true, 2, true), true),
    ).toBe('close');
    expect(
      incidentAction(
        { state: 'MAINTENANCE', since: t0, consecutiveFailures: 4 },
        probe(false, 2, true),
        false,
      ),
    ).toBe('none');
  });
});
