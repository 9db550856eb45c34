import type { Pool } from 'pg';

export const DEMO_DISTRICT_NAME = 'Sierra Vista Unified School District (demo)';
/** The demo's Texas district read through Ed-Fi (the public Grand Bend sample). */
export const EDFI_DEMO_DISTRICT_NAME = 'Grand Bend ISD (demo, Ed-Fi)';

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
  /** The user's district (null for support). */
  district_name: string | null;
}

/** SQL of the demo seeding, against the service database. */
export class DemoRepository {
  constructor(private readonly pool: Pool) {}

  async findDistrict(name: string = DEMO_DISTRICT_NAME): Promise<string | null> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM districts WHERE name = $1', [
      name,
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

  /** Grand Bend is a fixed sample of 2021-22: no nightly runs (they would read it as of today), year pinned. */
  async createEdfiDistrict(schoolYear: number): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO districts (name, state, edition, time_zone, nightly_at, school_year)
       VALUES ($1, 'TX', 'full', 'America/Chicago', NULL, $2) RETURNING id`,
      [EDFI_DEMO_DISTRICT_NAME, schoolYear],
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
      `SELECT u.email, u.role, u.school_ids, u.program_codes, d.name AS district_name
       FROM users u LEFT JOIN districts d ON d.id = u.district_id
       WHERE u.email LIKE '%@demo.sis-certify.local'
       ORDER BY array_position(ARRAY['support', 'district_admin', 'school_user', 'program_user'], u.role),
                d.name = $1 DESC, u.email`,
      [DEMO_DISTRICT_NAME],
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

  /** The Ed-Fi XML link of the Texas demo district, reading a folder of interchange files on the service host. */
  async addEdfiLink(districtId: string, name: string, path: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO sis_links (district_id, name, role, sis_kind, transport, settings, probe_interval_seconds)
       VALUES ($1, $2, 'current', 'edfi', 'direct', $3, 300)`,
      [districtId, name, JSON.stringify({ driver: 'edfi_xml', path })],
    );
  }

  /**
   * The sample's folder is found from the package root at every start (a moved clone, dist/ or src/); a link
   * switched to uploaded files keeps its folder.
   */
  async updateEdfiPath(districtId: string, path: string): Promise<void> {
    await this.pool.query(
      `UPDATE sis_links SET settings = jsonb_set(settings, '{path}', to_jsonb($2::text))
       WHERE district_id = $1 AND sis_kind = 'edfi' AND settings->>'driver' = 'edfi_xml'
         AND settings->>'path' LIKE '%edfi-grand-bend'`,
      [districtId, path],
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
