import { createTestApp, type TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { SmtpCapture } from 'test/notifications/support/smtp-capture';
import { TcpProxy } from 'test/connectivity/support/tcp-proxy';
import type { Pool } from 'pg';
import { waitFor } from 'test/notifications/support/smtp-capture';

export const SUPPORT_EMAIL = 'oncall@sis-certify.test';

/** Short intervals so a whole outage plays out in seconds; generous bounds everywhere else. */
export function fastHealthEnv(smtpUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SMTP_URL: smtpUrl,
    MAIL_CHANNEL: 'smtp',
    SUPPORT_EMAILS: SUPPORT_EMAIL,
    PUBLIC_URL: 'https://certify.example.test',
    PROBE_TICK_MS: '100',
    PROBE_INTERVAL_OVERRIDE_MS: '200',
    PROBE_TIMEOUT_MS: '3000',
    PROBE_FAILURES_BEFORE_DOWN: '3',
    ALERT_GROUP_WAIT_MS: '300',
    ALERT_TICK_MS: '100',
    ALERT_REPEAT_INTERVAL_MS: '3600000',
    OUTBOX_POLL_MS: '100',
    OUTBOX_RETRY_BASE_MS: '100',
    OUTBOX_RETRY_CAP_MS: '500',
    ...extra,
  };
}

export async function technicalContact(pool: Pool, districtId: string, email: string): Promise<void> {
  await pool.query(
    `INSERT INTO district_contacts (district_id, name, email, kind, receives_alerts) VALUES ($1, 'IT', $2, 'technical', true)`,
    [districtId, email],
  );
}

export async function linkState(pool: Pool, linkId: string): Promise<string | null> {
  const { rows } = await pool.query<{ state: string }>(`SELECT state FROM link_health WHERE link_id = $1`, [
    linkId,
  ]);
  return rows[0]?.state ?? null;
}

export function waitForState(
  pool: Pool,
  linkId: string,
  state: string,
  timeoutMs = 30_000,
): Promise<boolean> {
  return waitFor(`link ${linkId} ${state}`, async () => (await linkState(pool, linkId)) === state, timeoutMs);
}

/** A direct pg link to the replica through the given port (the proxy). */
export async function directLink(
  pool: Pool,
  districtId: string,
  port: number,
  database: string,
  name = 'Aeries (current)',
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sis_links (district_id, name, role, sis_kind, transport, settings)
     VALUES ($1, $2, 'current', 'aeries', 'direct', $3) RETURNING id`,
    [
      districtId,
      name,
      JSON.stringify({
        driver: 'pg',
        host: '127.0.0.1',
        port,
        database,
        user: 'postgres',
        connectTimeoutMs: 1500,
      }),
    ],
  );
  return rows[0].id;
}

/** A service with link health on, a SIS replica behind a TCP proxy (the "VPN") and an SMTP server. */
export interface LinkHealthScenario {
  t: TestApp;
  replica: TestDatabase;
  proxy: TcpProxy;
  smtp: SmtpCapture;
}

/** `smtp: 'down'` reserves the SMTP port without listening, for outage scenarios. */
export async function startLinkHealthScenario(o: { smtp?: 'up' | 'down' } = {}): Promise<LinkHealthScenario> {
  const replica = await createTestDatabase({ scratch: true });
  const proxy = await TcpProxy.start('127.0.0.1', 5432);
  const smtp = o.smtp === 'down' ? await SmtpCapture.reserve() : await SmtpCapture.started();
  const t = await createTestApp(fastHealthEnv(smtp.url));
  return { t, replica, proxy, smtp };
}

export async function stopLinkHealthScenario(s: Partial<LinkHealthScenario>): Promise<void> {
  await s.t?.close();
  await s.proxy?.close();
  await s.smtp?.stop();
  await s.replica?.drop();
}

/** How many probes of the link the probe history holds (only failed or only good ones when `ok` is given). */
export async function probeCount(pool: Pool, linkId: string, ok?: boolean): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM probe_results WHERE link_id = $1 AND ($2::boolean IS NULL OR ok = $2)`,
    [linkId, ok ?? null],
  );
  return rows[0].n;
}

/**
 * Waits for `n` more probes of the link (of the given outcome) than the history holds now: later probe ticks
 * of the running service, the observable event after which an unwanted alert would already have been decided.
 */
export async function waitForMoreProbes(pool: Pool, linkId: string, n: number, ok?: boolean): Promise<void> {
  const target = (await probeCount(pool, linkId, ok)) + n;
  await waitFor(
    `${n} more probes of link ${linkId}`,
    async () => (await probeCount(pool, linkId, ok)) >= target,
  );
}

export interface OutboxEntry {
  kind: string;
  status: string;
  recipients: string[];
}

/** The district's outbox rows (mail only ever leaves through them), in a stable order. */
export async function outboxOf(pool: Pool, districtId: string): Promise<OutboxEntry[]> {
  const { rows } = await pool.query<OutboxEntry>(
    `SELECT kind, status, recipients FROM notification_outbox WHERE district_id = $1 ORDER BY kind, recipients`,
    [districtId],
  );
  return rows;
}

/**
 * Waits until every incident of the district has reached `notifyState` (so the alert policy has nothing left
 * to send for them) and every outbox row of the district has been delivered.
 */
export async function waitForAlertsSettled(
  pool: Pool,
  districtId: string,
  notifyState: 'notified' | 'resolved' | 'quiet' | 'pending',
): Promise<void> {
  await waitFor(`the alerts of district ${districtId} ${notifyState} and delivered`, async () => {
    const { rows } = await pool.query<{ incidents: number; other: number; unsent: number }>(
      `SELECT (SELECT count(*)::int FROM incidents WHERE district_id = $1) AS incidents,
              (SELECT count(*)::int FROM incidents WHERE district_id = $1 AND notify_state <> $2) AS other,
              (SELECT count(*)::int FROM notification_outbox WHERE district_id = $1 AND status <> 'sent') AS unsent`,
      [districtId, notifyState],
    );
    const r = rows[0];
    return r.incidents > 0 && r.other === 0 && r.unsent === 0;
  });
}
