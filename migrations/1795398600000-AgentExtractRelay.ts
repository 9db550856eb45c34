import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Extraction requests for agent links, relayed between service instances: the instance running a run asks,
 * the instance the agent is connected to claims the request (a lease), extracts through its WebSocket
 * session into the snapshot and records the outcome. Read and written with SQL only.
 */
export class AgentExtractRelay1795398600000 implements MigrationInterface {
  name = 'AgentExtractRelay1795398600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE agent_extract_requests (
      snapshot_id uuid PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
      district_id uuid NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
      run_id uuid,
      link_id uuid NOT NULL REFERENCES sis_links(id) ON DELETE CASCADE,
      agent_id uuid NOT NULL,
      school_year int NOT NULL,
      as_of date NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
      claimed_by text,
      lease_until timestamptz,
      attempts int NOT NULL DEFAULT 0,
      progress jsonb,
      report jsonb,
      error_code text,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(
      `CREATE INDEX ix_agent_extract_requests_agent ON agent_extract_requests (agent_id, status)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agent_extract_requests`);
  }
}
