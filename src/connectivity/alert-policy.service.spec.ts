import { systemClock } from 'src/common/tokens';
import { loadConfig } from 'src/config/config.service';
import {
  AlertPolicyService,
  type AlertIncidents,
  type AlertOutbox,
  type AlertProbes,
  type AlertTransactions,
} from 'src/connectivity/alert-policy.service';
import type { AlertCandidateRow, AlertDistrict } from 'src/connectivity/incidents.repository';
import type { OutboxMessage } from 'src/notifications/outbox.types';
import type { SqlSession } from 'src/database/sql-runner';

const T0 = new Date('2026-11-02T08:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const GROUP_WAIT = 300;
const REPEAT = 60_000;

function incident(id: string, o: Partial<AlertCandidateRow> = {}): AlertCandidateRow {
  return {
    id,
    district_id: 'd1',
    subject_kind: 'link',
    link_id: null,
    agent_id: null,
    subject_name: `Link ${id}`,
    opened_at: T0,
    closed_at: null,
    duration_seconds: null,
    cause_code: 'UNREACHABLE',
    cause: 'connection refused',
    notify_state: 'pending',
    last_notified_at: null,
    reminders_sent: 0,
    muted: false,
    sis_kind: 'aeries',
    transport: 'direct',
    host: '10.0.0.5',
    db_user: 'reader',
    agent_hostname: null,
    last_latency_ms: null,
    links_behind: null,
    ...o,
  };
}

/** Incidents in memory; the policy's decisions are applied to them as the repository would. */
class InMemoryIncidents implements AlertIncidents {
  rows: AlertCandidateRow[] = [];
  locked = false;
  failNextMarkNotified = false;

  districtsWithAlertWork(): Promise<string[]> {
    return Promise.resolve([
      ...new Set(this.rows.filter((r) => r.notify_state !== 'resolved').map((r) => r.district_id)),
    ]);
  }
  tryLockDistrict(): Promise<boolean> {
    return Promise.resolve(!this.locked);
  }
  alertCandidates(_q: SqlSession, districtId: string): Promise<AlertCandidateRow[]> {
    return Promise.resolve(
      this.rows
        .filter((r) => r.district_id === districtId && r.notify_state !== 'resolved')
        .map((r) => ({ ...r })),
    );
  }
  markNotified(_q: SqlSession, ids: string[], when: Date): Promise<void> {
    if (this.failNextMarkNotified) {
      this.failNextMarkNotified = false;
      return Promise.reject(new Error('connection lost'));
    }
    this.update(ids, (r) => Object.assign(r, { notify_state: 'notified', last_notified_at: when }));
    return Promise.resolve();
  }
  markReminded(_q: SqlSession, ids: string[], when: Date): Promise<void> {
    this.update(ids, (r) =>
      Object.assign(r, { last_notified_at: when, reminders_sent: r.reminders_sent + 1 }),
    );
    return Promise.resolve();
  }
  markResolved(_q: SqlSession, ids: string[]): Promise<void> {
    this.update(ids, (r) => Object.assign(r, { notify_state: 'resolved' }));
    return Promise.resolve();
  }
  alertDistrict(): Promise<AlertDistrict> {
    return Promise.resolve({
      name: 'Lakeside USD',
      time_zone: 'America/Los_Angeles',
      contacts: ['it@lakeside.test'],
    });
  }
  private update(ids: string[], f: (r: AlertCandidateRow) => void): void {
    for (const r of this.rows) if (ids.includes(r.id)) f(r);
  }
}

/** The outbox's contract: idempotent by dedupe key, empty recipient lists skipped. */
class RecordingOutbox implements AlertOutbox {
  readonly queued: OutboxMessage[] = [];
  enqueue(m: OutboxMessage): Promise<boolean> {
    if (m.to.length === 0 || this.queued.some((q) => q.dedupeKey === m.dedupeKey))
      return Promise.resolve(false);
    this.queued.push(m);
    return Promise.resolve(true);
  }
  /** `kind → recipient | subject`, in order. */
  lines(): string[] {
    return this.queued.map((m) => `${m.kind} → ${m.to.join(',')} | ${m.subject}`);
  }
}

const noProbes: AlertProbes = { recentProbes: () => Promise.resolve([]) };
const tx: SqlSession = { query: () => Promise.reject(new Error('the policy itself runs no SQL')) };
const transactions: AlertTransactions = { transaction: (work) => work(tx) };

describe('AlertPolicyService', () => {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SUPPORT_EMAILS: 'oncall@certify.test',
    ALERT_GROUP_WAIT_MS: String(GROUP_WAIT),
    ALERT_REPEAT_INTERVAL_MS: String(REPEAT),
    PUBLIC_URL: 'https://certify.example.test',
  });
  let incidents: InMemoryIncidents;
  let outbox: RecordingOutbox;
  let policy: AlertPolicyService;
  const evaluate = (ms: number): Promise<void> => policy.evaluateDistrict(tx, 'd1', at(ms));

  beforeEach(() => {
    incidents = new InMemoryIncidents();
    outbox = new RecordingOutbox();
    policy = new AlertPolicyService(transactions, incidents, noProbes, outbox, config, systemClock);
  });

  it('waits for the group wait, then sends one DOWN message per audience and marks the incident notified', async () => {
    incidents.rows = [incident('a')];
    await evaluate(GROUP_WAIT - 1);
    expect(outbox.queued).toEqual([]);
    await evaluate(GROUP_WAIT);
    expect(outbox.lines()).toEqual([
      'link_open → oncall@certify.test | [sis-certify] DOWN: Lakeside USD — Link a',
      'link_open → it@lakeside.test | [sis-certify] DOWN: Lakeside USD — Link a',
    ]);
    expect(incidents.rows[0]).toMatchObject({ notify_state: 'notified', last_notified_at: at(GROUP_WAIT) });
    await evaluate(GROUP_WAIT + 1000);
    expect(outbox.queued).toHaveLength(2);
  });

  it('groups the incidents of a district opened within the group wait into one message', async () => {
    incidents.rows = [incident('a'), incident('b', { opened_at: at(200) })];
    await evaluate(GROUP_WAIT);
    expect(outbox.queued.map((m) => m.to.join())).toEqual(['oncall@certify.test', 'it@lakeside.test']);
    for (const m of outbox.queued) {
      expect(m.text).toContain('Link a');
      expect(m.text).toContain('Link b');
    }
    expect(incidents.rows.map((r) => r.notify_state)).toEqual(['notified', 'notified']);
  });

  it('stays quiet about muted incidents and about incidents that closed before anyone was told', async () => {
    incidents.rows = [
      incident('muted', { muted: true }),
      incident('flap', { closed_at: at(100), duration_seconds: 0 }),
    ];
    await evaluate(10 * REPEAT);
    expect(outbox.queued).toEqual([]);
    expect(incidents.rows.map((r) => r.notify_state)).toEqual(['pending', 'pending']);
  });

  it('reminds once per repeat interval while the incident stays open', async () => {
    incidents.rows = [incident('a')];
    await evaluate(GROUP_WAIT);
    await evaluate(GROUP_WAIT + REPEAT - 1);
    expect(outbox.queued).toHaveLength(2);
    await evaluate(GROUP_WAIT + REPEAT);
    await evaluate(GROUP_WAIT + REPEAT + 1);
    expect(outbox.lines().slice(2)).toEqual([
      'link_reminder → oncall@certify.test | [sis-certify] Still DOWN: Lakeside USD — Link a',
      'link_reminder → it@lakeside.test | [sis-certify] Still DOWN: Lakeside USD — Link a',
    ]);
    expect(incidents.rows[0].reminders_sent).toBe(1);
    await evaluate(GROUP_WAIT + 2 * REPEAT);
    expect(outbox.queued).toHaveLength(6);
    expect(incidents.rows[0].reminders_sent).toBe(2);
  });

  it('does not remind about a muted incident (maintenance began after the DOWN message)', async () => {
    incidents.rows = [incident('a')];
    await evaluate(GROUP_WAIT);
    incidents.rows[0].muted = true;
    await evaluate(GROUP_WAIT + 5 * REPEAT);
    expect(outbox.queued).toHaveLength(2);
  });

  it('sends one recovery message after the group wait once a notified incident closes', async () => {
    incidents.rows = [incident('a')];
    await evaluate(GROUP_WAIT);
    Object.assign(incidents.rows[0], { closed_at: at(5000), duration_seconds: 5 });
    await evaluate(5000 + GROUP_WAIT - 1);
    expect(outbox.queued).toHaveLength(2);
    await evaluate(5000 + GROUP_WAIT);
    expect(outbox.lines().slice(2)).toEqual([
      'link_recovery → oncall@certify.test | [sis-certify] RECOVERED: Lakeside USD — Link a',
      'link_recovery → it@lakeside.test | [sis-certify] RECOVERED: Lakeside USD — Link a',
    ]);
    expect(incidents.rows[0].notify_state).toBe('resolved');
    await evaluate(5000 + REPEAT * 3);
    expect(outbox.queued).toHaveLength(4);
  });

  it('decides nothing while another instance holds the district', async () => {
    incidents.rows = [incident('a')];
    incidents.locked = true;
    await evaluate(GROUP_WAIT);
    expect(outbox.queued).toEqual([]);
    expect(incidents.rows[0].notify_state).toBe('pending');
  });

  it('queues the same message under the same key when a decision is repeated after a failure', async () => {
    incidents.rows = [incident('a')];
    incidents.failNextMarkNotified = true;
    await expect(evaluate(GROUP_WAIT)).rejects.toThrow('connection lost');
    expect(outbox.queued).toHaveLength(2);
    // The transaction would have rolled back; the next pass decides again and the outbox refuses the copies.
    await evaluate(GROUP_WAIT + 100);
    expect(outbox.queued).toHaveLength(2);
    expect(incidents.rows[0].notify_state).toBe('notified');
  });

  it('passes over every district with alert work, each in its own transaction', async () => {
    incidents.rows = [incident('a', { opened_at: new Date(Date.now() - 10_000) })];
    await policy.evaluateAll();
    expect(outbox.queued.map((m) => m.kind)).toEqual(['link_open', 'link_open']);
  });
});
