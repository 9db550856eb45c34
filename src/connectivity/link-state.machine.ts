/** Link and agent health states. `link_health.state` holds these values (runs skip links that are DOWN). */
export const LINK_STATES = ['UP', 'PENDING', 'DOWN', 'MAINTENANCE'] as const;
export type LinkState = (typeof LINK_STATES)[number];

export interface LinkHealthState {
  state: LinkState;
  since: Date;
  consecutiveFailures: number;
}

export type HealthEvent =
  | { kind: 'probe'; ok: boolean; at: Date; inMaintenance: boolean }
  /** The agent the link is reached through is DOWN: the link is unreachable, whatever it last reported. */
  | { kind: 'agent_down'; at: Date }
  /** The agent is back: the link's state is unknown until the agent's next probe. */
  | { kind: 'agent_up'; at: Date };

/**
 * Flap control like Uptime Kuma's retries: a failing link is PENDING until `failuresBeforeDown`
 * consecutive failures, then DOWN; one good probe makes it UP. Inside a maintenance window the link is
 * MAINTENANCE whatever the probe says, but failures keep counting so a link still broken when the window
 * ends goes DOWN on its next failed probe. `since` changes only when the state changes.
 */
export function nextLinkHealth(
  cur: LinkHealthState,
  ev: HealthEvent,
  failuresBeforeDown: number,
): LinkHealthState {
  const to = (state: LinkState, consecutiveFailures: number): LinkHealthState => ({
    state,
    consecutiveFailures,
    since: state === cur.state ? cur.since : ev.at,
  });
  switch (ev.kind) {
    case 'agent_down':
      return to('DOWN', cur.consecutiveFailures);
    case 'agent_up':
      return cur.state === 'MAINTENANCE' ? to('MAINTENANCE', 0) : to('PENDING', 0);
    case 'probe': {
      const failures = ev.ok ? 0 : cur.consecutiveFailures + 1;
      if (ev.inMaintenance) return to('MAINTENANCE', failures);
      if (ev.ok) return to('UP', 0);
      if (failures >= Math.max(1, failuresBeforeDown) || cur.state === 'DOWN') return to('DOWN', failures);
      return to('PENDING', failures);
    }
    default:
      return cur;
  }
}

/** What an incident should do after a transition: open on DOWN (not caused by the agent), close on UP. */
export function incidentAction(
  next: LinkHealthState,
  ev: HealthEvent,
  hasOpenIncident: boolean,
): 'open' | 'close' | 'none' {
  if (next.state === 'DOWN' && !hasOpenIncident && ev.kind === 'probe') return 'open';
  if (hasOpenIncident && ev.kind === 'probe' && ev.ok) return 'close';
  return 'none';
}
