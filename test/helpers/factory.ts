import type { Pool } from 'pg';

/** Test factories writing straight to the service schema: `factory.district(pool, { state: 'TX' })`. */
export interface DistrictRow {
  id: string;
  name: string;
  state: string;
  edition: string;
  time_zone: string;
}

export interface LinkRow {
  id: string;
  district_id: string;
  role: string;
  sis_kind: string;
  transport: string;
}

let seq = 0;

async function district(pool: Pool, o: Partial<Omit<DistrictRow, 'id'>> = {}): Promise<DistrictRow> {
  seq += 1;
  const { rows } = await pool.query<DistrictRow>(
    `INSERT INTO districts (name, state, edition, time_zone) VALUES ($1, $2, $3, $4)
     RETURNING id, name, state, edition, time_zone`,
    [
      o.name ?? `Test District ${seq}`,
      o.state ?? 'CA',
      o.edition ?? 'full',
      o.time_zone ?? 'America/Los_Angeles',
    ],
  );
  return rows[0];
}

async function link(
  pool: Pool,
  districtId: string,
  o: Partial<Omit<LinkRow, 'id' | 'district_id'>> & { settings?: Record<string, unknown> } = {},
): Promise<LinkRow> {
  const { rows } = await pool.query<LinkRow>(
    `INSERT INTO sis_links (district_id, name, role, sis_kind, transport, settings)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, district_id, role, sis_kind, transport`,
    [
      districtId,
      `${o.sis_kind ?? 'aeries'} ${o.role ?? 'current'}`,
      o.role ?? 'current',
      o.sis_kind ?? 'aeries',
      o.transport ?? 'direct',
      JSON.stringify(o.settings ?? { driver: 'pg' }),
    ],
  );
  return rows[0];
}

async function snapshot(
  pool: Pool,
  districtId: string,
  linkId: string,
  o: { sisKind?: string; schoolYear?: number; asOf?: string; status?: string } = {},
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO snapshots (district_id, link_id, sis_kind, school_year, as_of, status)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      districtId,
      linkId,
      o.sisKind ?? 'aeries',
      o.schoolYear ?? 2026,
      o.asOf ?? '2026-11-01',
      o.status ?? 'complete',
    ],
  );
  return rows[0].id;
}

export const factory = { district, link, snapshot };
