import {
  formatDuration,
  renderIncidentAlert,
  type AlertContext,
  type AlertItem,
} from 'src/notifications/incident-alert.template';

const item = (o: Partial<AlertItem> = {}): AlertItem => ({
  incidentId: 'inc-1',
  subjectKind: 'link',
  name: 'PowerSchool (new)',
  sisKind: 'powerschool',
  transport: 'direct',
  host: 'ps-db.district.local',
  dbUser: 'certify_ro',
  agentHostname: null,
  openedAt: new Date('2026-11-02T15:00:00Z'),
  closedAt: null,
  causeCode: 'UNREACHABLE',
  cause: 'cannot reach ps-db.district.local:1521: NJS-503',
  lastLatencyMs: 12,
  recentProbes: [{ at: new Date('2026-11-02T15:00:00Z'), ok: false, latencyMs: 3, errorCode: 'UNREACHABLE' }],
  linksBehind: [],
  ...o,
});

const ctx = (o: Partial<AlertContext> = {}): AlertContext => ({
  kind: 'open',
  audience: 'district',
  districtName: 'Lakeside USD',
  timeZone: 'America/Los_Angeles',
  statusUrl: 'https://certify.example.org/status',
  now: new Date('2026-11-02T15:05:00Z'),
  items: [item()],
  ...o,
});

describe('incident alert template', () => {
  it('formats durations compactly', () => {
    expect([0, 12_000, 192_000, 3_900_000, 90_061_000].map(formatDuration)).toEqual([
      '0s',
      '12s',
      '3m 12s',
      '1h 5m',
      '1d 1h 1m',
    ]);
  });

  it('tells district staff what broke, since when (local time), what to do, and where the status page is', () => {
    const m = renderIncidentAlert(ctx());
    expect(m.subject).toBe('[sis-certify] DOWN: Lakeside USD — PowerSchool (new)');
    expect(m.text).toContain('not reachable since 2026-11-02 07:00:00 PST');
    expect(m.text).toContain('Reconnect the PowerSchool VPN');
    expect(m.text).toContain('https://certify.example.org/status');
    expect(m.text).not.toContain('UNREACHABLE');
    expect(m.html).toContain('href="https://certify.example.org/status"');
  });

  it('gives support the codes, host, latency and probe history', () => {
    const m = renderIncidentAlert(ctx({ audience: 'support' }));
    expect(m.text).toContain('cause: UNREACHABLE — cannot reach ps-db.district.local:1521: NJS-503');
    expect(m.text).toContain('host: ps-db.district.local');
    expect(m.text).toContain('last latency: 12 ms');
    expect(m.text).toContain('2026-11-02T15:00:00.000Z  FAIL  3 ms  UNREACHABLE');
  });

  it('advises per cause: expired password, dead agent', () => {
    expect(renderIncidentAlert(ctx({ items: [item({ causeCode: 'AUTH_FAILED' })] })).text).toContain(
      'refused the sis-certify login (user certify_ro)',
    );
    const agent = renderIncidentAlert(
      ctx({
        items: [
          item({
            subjectKind: 'agent',
            name: 'agent office',
            agentHostname: 'sis-app01',
            transport: null,
            linksBehind: ['Aeries (current)'],
          }),
        ],
      }),
    );
    expect(agent.text).toContain('Restart the sis-certify agent service on sis-app01');
    expect(agent.text).toContain('Connections through this agent: Aeries (current).');
  });

  it('groups several incidents and reports the downtime on recovery', () => {
    const closed = { closedAt: new Date('2026-11-02T15:03:12Z') };
    const m = renderIncidentAlert(
      ctx({
        kind: 'recovery',
        items: [item(closed), item({ ...closed, incidentId: 'inc-2', name: 'Aeries (old)' })],
      }),
    );
    expect(m.subject).toBe('[sis-certify] RECOVERED: Lakeside USD — 2 connections');
    expect(m.text.match(/after 3m 12s of downtime/g)).toHaveLength(2);
  });

  it('escapes HTML in names', () => {
    expect(renderIncidentAlert(ctx({ items: [item({ name: '<b>x</b>' })] })).html).toContain(
      '&lt;b&gt;x&lt;/b&gt;',
    );
  });
});
