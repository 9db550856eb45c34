import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { CLOCK, type Clock } from 'src/common/tokens';
import { IncidentsRepository, type AlertCandidateRow } from 'src/connectivity/incidents.repository';
import { LinkHealthRepository } from 'src/connectivity/link-health.repository';
import {
  renderIncidentAlert,
  type AlertAudience,
  type AlertItem,
  type AlertKind,
} from 'src/notifications/incident-alert.template';
import { OutboxService } from 'src/notifications/outbox.service';
import { SqlRunner, type SqlSession } from 'src/database/sql-runner';

/** What the policy needs of incidents: the pass's districts, the lock, the candidates and the decisions. */
export type AlertIncidents = Pick<
  IncidentsRepository,
  | 'districtsWithAlertWork'
  | 'tryLockDistrict'
  | 'alertCandidates'
  | 'markNotified'
  | 'markReminded'
  | 'markResolved'
  | 'alertDistrict'
>;
export type AlertProbes = Pick<LinkHealthRepository, 'recentProbes'>;
export type AlertOutbox = Pick<OutboxService, 'enqueue'>;
/** One transaction per district in the periodic pass. */
export interface AlertTransactions {
  transaction<T>(work: (q: SqlSession) => Promise<T>): Promise<T>;
}

/**
 * Alertmanager-like policy over incidents: open incidents of a district are grouped (group wait) into one
 * message, reminded every repeat interval while open, and followed by one recovery message. Muted
 * incidents (maintenance, silence, behind a DOWN agent) wait; an incident that closes before anyone was
 * told stays quiet. Decisions and outbox rows are written in one transaction under a per-district lock.
 */
@Injectable()
export class AlertPolicyService {
  constructor(
    @Inject(SqlRunner) private readonly sql: AlertTransactions,
    @Inject(IncidentsRepository) private readonly incidents: AlertIncidents,
    @Inject(LinkHealthRepository) private readonly health: AlertProbes,
    @Inject(OutboxService) private readonly outbox: AlertOutbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Periodic pass over every district with outstanding alert work. */
  async evaluateAll(): Promise<void> {
    const now = this.clock.now();
    for (const districtId of await this.incidents.districtsWithAlertWork(
      now,
      this.config.health.ALERT_REPEAT_INTERVAL_MS,
    )) {
      await this.sql.transaction((m) => this.evaluateDistrict(m, districtId, now));
    }
  }

  /** Runs inside the caller's transaction (the one that changed an incident) or the periodic pass. */
  async evaluateDistrict(q: SqlSession, districtId: string, now: Date): Promise<void> {
    if (!(await this.incidents.tryLockDistrict(q, districtId))) return;
    const rows = await this.incidents.alertCandidates(q, districtId, now);
    if (rows.length === 0) return;
    const h = this.config.health;
    const groupedBefore = now.getTime() - h.ALERT_GROUP_WAIT_MS;
    const remindBefore = now.getTime() - h.ALERT_REPEAT_INTERVAL_MS;

    const opens = rows.filter((r) => r.notify_state === 'pending' && !r.closed_at && !r.muted);
    if (opens.length > 0 && Math.min(...opens.map((r) => r.opened_at.getTime())) <= groupedBefore) {
      await this.send(q, districtId, 'open', opens, now, '');
      await this.incidents.markNotified(
        q,
        opens.map((r) => r.id),
        now,
      );
    }
    const due = rows.filter(
      (r) =>
        r.notify_state === 'notified' &&
        !r.closed_at &&
        !r.muted &&
        r.last_notified_at !== null &&
        r.last_notified_at.getTime() <= remindBefore,
    );
    if (due.length > 0) {
      await this.send(
        q,
        districtId,
        'reminder',
        due,
        now,
        String(Math.max(...due.map((r) => r.reminders_sent)) + 1),
      );
      await this.incidents.markReminded(
        q,
        due.map((r) => r.id),
        now,
      );
    }
    const recovered = rows.filter((r) => r.notify_state === 'notified' && r.closed_at);
    if (
      recovered.length > 0 &&
      Math.min(...recovered.map((r) => r.closed_at?.getTime() ?? now.getTime())) <= groupedBefore
    ) {
      await this.send(q, districtId, 'recovery', recovered, now, '');
      await this.incidents.markResolved(
        q,
        recovered.map((r) => r.id),
      );
    }
  }

  private async send(
    q: SqlSession,
    districtId: string,
    kind: AlertKind,
    rows: AlertCandidateRow[],
    now: Date,
    salt: string,
  ): Promise<void> {
    const info = await this.incidents.alertDistrict(q, districtId);
    const items = await Promise.all(rows.map((r) => this.item(q, r)));
    const ids = rows
      .map((r) => r.id)
      .sort()
      .join(',');
    const key = createHash('sha256').update(`${ids}:${salt}`).digest('hex').slice(0, 32);
    const recipients: Record<AlertAudience, string[]> = {
      support: this.config.mail.SUPPORT_EMAILS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      district: info.contacts ?? [],
    };
    for (const audience of ['support', 'district'] as const) {
      const mail = renderIncidentAlert({
        kind,
        audience,
        districtName: info.name,
        timeZone: info.time_zone,
        statusUrl: `${this.config.http.PUBLIC_URL.replace(/\/+$/, '')}/status`,
        now,
        items,
      });
      await this.outbox.enqueue(
        {
          dedupeKey: `alert:${kind}:${key}:${audience}`,
          districtId,
          kind: `link_${kind}`,
          to: recipients[audience],
          ...mail,
        },
        q,
      );
    }
  }

  private async item(q: SqlSession, r: AlertCandidateRow): Promise<AlertItem> {
    const probes = r.link_id ? await this.health.recentProbes(r.link_id, 5, q) : [];
    return {
      incidentId: r.id,
      subjectKind: r.subject_kind,
      name: r.subject_name,
      sisKind: r.sis_kind,
      transport: r.subject_kind === 'agent' ? null : r.transport,
      host: r.host,
      dbUser: r.db_user,
      agentHostname: r.agent_hostname,
      openedAt: r.opened_at,
      closedAt: r.closed_at,
      causeCode: r.cause_code,
      cause: r.cause,
      lastLatencyMs: r.last_latency_ms,
      recentProbes: probes.map((p) => ({
        at: p.probed_at,
        ok: p.ok,
        latencyMs: p.latency_ms,
        errorCode: p.error_code,
      })),
      linksBehind: r.links_behind ?? [],
    };
  }
}
