import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Link health (probes, agents, incidents) and the notification outbox. Hand-written: these tables are read
 * and written with SQL only (src/connectivity, src/agent-gateway, src/notifications), so they have no entity.
 */
export class LinkHealthAndAlerts1795398300000 implements MigrationInterface {
  name = 'LinkHealthAndAlerts1795398300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE agents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL,
      token_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      rotated_at timestamptz,
      revoked_at timestamptz,
      last_heartbeat_at timestamptz,
      last_probe_ok boolean,
      last_probe_latency_ms integer,
      last_probe_error text,
      version text,
      hostname text,
      heartbeat_interval_ms integer NOT NULL DEFAULT 15000,
      state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('UP', 'PENDING', 'DOWN')),
      state_since timestamptz NOT NULL DEFAULT now(),
      connected_at timestamptz)`);
    await q.query(`CREATE UNIQUE INDEX ux_agents_token_hash ON agents (token_hash)`);
    await q.query(`CREATE INDEX ix_agents_district ON agents (district_id)`);

    await q.query(`CREATE TABLE link_health (
      link_id uuid PRIMARY KEY REFERENCES sis_links(id) ON DELETE CASCADE,
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('UP', 'PENDING', 'DOWN', 'MAINTENANCE')),
      since timestamptz NOT NULL DEFAULT now(),
      consecutive_failures integer NOT NULL DEFAULT 0,
      last_probe_at timestamptz,
      last_latency_ms integer,
      last_error text,
      last_error_code text,
      next_probe_at timestamptz NOT NULL DEFAULT now(),
      probing_by text,
      probe_lease_until timestamptz)`);
    await q.query(`CREATE INDEX ix_link_health_district ON link_health (district_id)`);
    await q.query(`CREATE INDEX ix_link_health_next_probe ON link_health (next_probe_at)`);

    await q.query(`CREATE TABLE probe_results (
      id bigserial PRIMARY KEY,
      link_id uuid NOT NULL REFERENCES sis_links(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      probed_at timestamptz NOT NULL,
      ok boolean NOT NULL,
      latency_ms integer,
      error_code text,
      error text,
      via text NOT NULL DEFAULT 'direct')`);
    await q.query(`CREATE INDEX ix_probe_results_link_at ON probe_results (link_id, probed_at)`);
    await q.query(`CREATE INDEX ix_probe_results_at ON probe_results (probed_at)`);

    await q.query(`CREATE TABLE probe_rollups (
      link_id uuid NOT NULL REFERENCES sis_links(id) ON DELETE CASCADE,
      district_id uuid NOT NULL,
      hour timestamptz NOT NULL,
      probes integer NOT NULL DEFAULT 0,
      ok integer NOT NULL DEFAULT 0,
      latency_sum bigint NOT NULL DEFAULT 0,
      latency_max integer NOT NULL DEFAULT 0,
      PRIMARY KEY (link_id, hour))`);
    await q.query(`CREATE INDEX ix_probe_rollups_hour ON probe_rollups (hour)`);

    await q.query(`CREATE TABLE incidents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      subject_kind text NOT NULL CHECK (subject_kind IN ('link', 'agent')),
      link_id uuid REFERENCES sis_links(id) ON DELETE CASCADE,
      agent_id uuid REFERENCES agents(id) ON DELETE CASCADE,
      subject_name text NOT NULL,
      opened_at timestamptz NOT NULL,
      closed_at timestamptz,
      duration_seconds integer,
      cause_code text NOT NULL,
      cause text NOT NULL,
      notify_state text NOT NULL DEFAULT 'pending' CHECK (notify_state IN ('pending', 'notified', 'resolved', 'quiet')),
      last_notified_at timestamptz,
      reminders_sent integer NOT NULL DEFAULT 0,
      CHECK ((subject_kind = 'link' AND link_id IS NOT NULL) OR (subject_kind = 'agent' AND agent_id IS NOT NULL)))`);
    await q.query(`CREATE INDEX ix_incidents_district_opened ON incidents (district_id, opened_at DESC)`);
    await q.query(
      `CREATE INDEX ix_incidents_notify ON incidents (notify_state) WHERE notify_state IN ('pending', 'notified')`,
    );
    await q.query(
      `CREATE UNIQUE INDEX ux_incidents_open_link ON incidents (link_id) WHERE closed_at IS NULL AND subject_kind = 'link'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX ux_incidents_open_agent ON incidents (agent_id) WHERE closed_at IS NULL AND subject_kind = 'agent'`,
    );

    await q.query(`CREATE TABLE maintenance_windows (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      link_id uuid REFERENCES sis_links(id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      reason text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at))`);
    await q.query(
      `CREATE INDEX ix_maintenance_windows_district ON maintenance_windows (district_id, ends_at)`,
    );

    await q.query(`CREATE TABLE alert_silences (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      link_id uuid REFERENCES sis_links(id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL DEFAULT now(),
      ends_at timestamptz NOT NULL,
      comment text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at))`);
    await q.query(`CREATE INDEX ix_alert_silences_district ON alert_silences (district_id, ends_at)`);

    await q.query(`CREATE TABLE notification_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dedupe_key text NOT NULL,
      district_id uuid REFERENCES districts(id) ON DELETE CASCADE,
      kind text NOT NULL,
      recipients text[] NOT NULL,
      subject text NOT NULL,
      text text NOT NULL,
      html text,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      locked_by text,
      sent_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX ux_notification_outbox_dedupe ON notification_outbox (dedupe_key)`);
    await q.query(
      `CREATE INDEX ix_notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status IN ('pending', 'sending')`,
    );
    await q.query(
      `CREATE INDEX ix_notification_outbox_district ON notification_outbox (district_id, created_at)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_outbox`);
    await q.query(`DROP TABLE alert_silences`);
    await q.query(`DROP TABLE maintenance_windows`);
    await q.query(`DROP TABLE incidents`);
    await q.query(`DROP TABLE probe_rollups`);
    await q.query(`DROP TABLE probe_results`);
    await q.query(`DROP TABLE link_health`);
    await q.query(`DROP TABLE agents`);
  }
}
