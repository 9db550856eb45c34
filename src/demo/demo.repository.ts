import type { Pool } from 'pg';

export const DEMO_DISTRICT_NAME = 'Sierra Vista Unified School District (demo)';

export interface DemoLinkSpec {
  role: 'old' | 'new';
  sisKind: 'aeries' | 'powerschool';
  name: string;
  port: number;
}

export interface DemoUserRow {
  email: string;
  role: string;
  school_ids: string[];
  program_codes: string[];
}

/** SQL of the demo seeding, against the service database. */
export class DemoRepository {
  constructor(private readonly pool: Pool) {}

  async findDistrict(): Promise<string | null> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM districts WHERE name = $1', [
      DEMO_DISTRICT_NAME,
    ]);
    return rows[0]?.id ?? null;
  }

  async countDistricts(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM districts');
    return Number(rows[0].n);
  }

  async createDistrict(schoolYear: number): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO districts (name, state, edition, time_zone, nightly_at, off_season, school_year)
       VALUES ($1, 'CA', 'full', 'America/Los_Angeles', '02:00', $2, $3) RETURNING id`,
      [
        DEMO_DISTRICT_NAME,
        JSON.stringify([{ from: '06-20', to: '08-05', reason: 'summer break' }]),
        schoolYear,
      ],
    );
    return rows[0].id;
  }

  async addContact(districtId: string, name: string, email: string, kind: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO district_contacts (district_id, name, email, kind) VALUES ($1, $2, $3, $4)`,
      [districtId, name, email, kind],
    );
  }

  async addUser(u: {
    email: string;
    name: string;
    role: string;
    districtId: string | null;
    schoolIds?: string[];
    programCodes?: string[];
    passwordHash: string;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO users (email, display_name, role, district_id, school_ids, program_codes, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING`,
      [u.email, u.name, u.role, u.districtId, u.schoolIds ?? [], u.programCodes ?? [], u.passwordHash],
    );
  }

  /** The demo's logins as stored (a restart prints them again, with their scopes). */
  async users(): Promise<DemoUserRow[]> {
    const { rows } = await this.pool.query<DemoUserRow>(
      `SELECT email, role, school_ids, program_codes FROM users WHERE email LIKE '%@demo.sis-certify.local'
       ORDER BY array_position(ARRAY['support', 'district_admin', 'school_user', 'program_user'], role), email`,
    );
    return rows;
  }

  async addLink(districtId: string, l: DemoLinkSpec): Promise<void> {
    await this.pool.query(
      `INSERT INTO sis_links (district_id, name, role, sis_kind, transport, settings, probe_interval_seconds)
       VALUES ($1, $2, $3, $4, 'direct', $5, 60)`,
      [districtId, l.name, l.role, l.sisKind, JSON.stringify(settingsFor(l.port))],
    );
  }

  /** The demo SIS servers listen on a new port at every start; their links follow. */
  async updateLinkPort(districtId: string, role: string, port: number): Promise<void> {
    await this.pool.query(`UPDATE sis_links SET settings = $3 WHERE district_id = $1 AND role = $2`, [
      districtId,
      role,
      JSON.stringify(settingsFor(port)),
    ]);
  }
}

function settingsFor(port: number): Record<string, unknown> {
  return {
    driver: 'pg',
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: 'postgres',
    connectTimeoutMs: 5000,
  };
}
