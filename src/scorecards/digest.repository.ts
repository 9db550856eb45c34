import { Injectable } from '@nestjs/common';
import type { Role } from 'src/auth/auth.types';
import { SqlRunner } from 'src/database/sql-runner';

export interface DigestRecipient {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  schoolIds: string[];
  programCodes: string[];
}

/** Who gets the nightly digest (active users of the district who have not turned it off) and the opt-outs. */
@Injectable()
export class DigestRepository {
  constructor(private readonly sql: SqlRunner) {}

  async recipients(districtId: string): Promise<DigestRecipient[]> {
    const rows = await this.sql.query<{
      id: string;
      email: string;
      display_name: string;
      role: Role;
      school_ids: string[];
      program_codes: string[];
    }>(
      `SELECT u.id, u.email, u.display_name, u.role, u.school_ids, u.program_codes
       FROM users u LEFT JOIN digest_preferences d ON d.user_id = u.id
       WHERE u.district_id = $1 AND u.active AND u.role IN ('district_admin', 'school_user', 'program_user')
         AND coalesce(d.enabled, true)
       ORDER BY u.email`,
      [districtId],
    );
    return rows.map((r) => ({
      userId: r.id,
      email: r.email,
      displayName: r.display_name,
      role: r.role,
      schoolIds: r.school_ids,
      programCodes: r.program_codes,
    }));
  }

  async enabled(userId: string): Promise<boolean> {
    const rows = await this.sql.query<{ enabled: boolean }>(
      `SELECT enabled FROM digest_preferences WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.enabled ?? true;
  }

  async setEnabled(userId: string, enabled: boolean): Promise<void> {
    await this.sql.query(
      `INSERT INTO digest_preferences (user_id, enabled) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [userId, enabled],
    );
  }
}
