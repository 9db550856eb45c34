import { Injectable } from '@nestjs/common';
import { SqlRunner } from 'src/database/sql-runner';

export interface CustomRuleRow {
  id: string;
  districtId: string;
  ruleId: string;
  definition: unknown;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Raw {
  id: string;
  district_id: string;
  rule_id: string;
  definition: unknown;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, district_id, rule_id, definition, created_by, created_at, updated_at';

function map(r: Raw): CustomRuleRow {
  return {
    id: r.id,
    districtId: r.district_id,
    ruleId: r.rule_id,
    definition: r.definition,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A district's own rules. Tenant isolation: every statement filters on district_id. */
@Injectable()
export class CustomRulesRepository {
  constructor(private readonly sql: SqlRunner) {}

  async list(districtId: string): Promise<CustomRuleRow[]> {
    const rows = await this.sql.query<Raw>(
      `SELECT ${COLUMNS} FROM custom_rules WHERE district_id = $1 ORDER BY rule_id`,
      [districtId],
    );
    return rows.map(map);
  }

  async find(districtId: string, ruleId: string): Promise<CustomRuleRow | null> {
    const rows = await this.sql.query<Raw>(
      `SELECT ${COLUMNS} FROM custom_rules WHERE district_id = $1 AND rule_id = $2`,
      [districtId, ruleId],
    );
    return rows[0] ? map(rows[0]) : null;
  }

  /** null when the district already has a rule with this id. */
  async insert(
    districtId: string,
    ruleId: string,
    definition: unknown,
    createdBy: string | null,
  ): Promise<CustomRuleRow | null> {
    const rows = await this.sql.query<Raw>(
      `INSERT INTO custom_rules (district_id, rule_id, definition, created_by) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (district_id, rule_id) DO NOTHING RETURNING ${COLUMNS}`,
      [districtId, ruleId, JSON.stringify(definition), createdBy],
    );
    return rows[0] ? map(rows[0]) : null;
  }

  async update(districtId: string, ruleId: string, definition: unknown): Promise<CustomRuleRow | null> {
    const rows = await this.sql.query<Raw>(
      `UPDATE custom_rules SET definition = $3::jsonb, updated_at = now() WHERE district_id = $1 AND rule_id = $2 RETURNING ${COLUMNS}`,
      [districtId, ruleId, JSON.stringify(definition)],
    );
    return rows[0] ? map(rows[0]) : null;
  }

  async delete(districtId: string, ruleId: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `DELETE FROM custom_rules WHERE district_id = $1 AND rule_id = $2 RETURNING id`,
      [districtId, ruleId],
    );
    return rows.length > 0;
  }
}
