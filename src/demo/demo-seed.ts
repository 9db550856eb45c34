import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { generatePair } from 'connectors/generator/district-generator.service';
import { hashPassword } from 'src/auth/password.util';
import type { AppConfig } from 'src/config/config.service';
import type { ResolvedDatabase } from 'src/database/database-bootstrap';
import { startEmbeddedPostgres, type EmbeddedPostgres } from 'src/database/embedded/embedded-postgres';
import { DemoRepository } from 'src/demo/demo.repository';

/** Demo logins, printed at start-up; the demo only runs on a development machine. */
export const DEMO_PASSWORD = 'sis-certify-demo';
export const DEMO_USERS = {
  support: 'support@demo.sis-certify.local',
  admin: 'admin@demo.sis-certify.local',
  school: 'registrar@demo.sis-certify.local',
};

export interface DemoHandle {
  districtId: string;
  /** True when this start created the demo (first start on a fresh database). */
  created: boolean;
  stop(): Promise<void>;
}

const DEMO_SCHOOL_YEAR = 2026;

/**
 * The demo district migrating from Aeries to PowerSchool. Each SIS is a PostgreSQL replica of its native
 * schema in its own embedded server under `var/demo-sis/` (standing in for the district's SQL Server and
 * Oracle databases), generated with realistic defects and migration differences by connectors/generator.
 */
export async function seedDemoIfWanted(config: AppConfig, db: ResolvedDatabase): Promise<DemoHandle | null> {
  const wanted =
    config.demo.SEED_DEMO === 'true' || (config.demo.SEED_DEMO === 'auto' && db.embedded !== null);
  if (!wanted) return null;
  const logger = new Logger('Demo');
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const repo = new DemoRepository(pool);
  const existing = await repo.findDistrict();
  if (!existing && (await repo.countDistricts()) > 0) {
    await pool.end();
    return null; // a database someone already uses: never add a demo to it
  }
  const base = join(dirname(config.database.EMBEDDED_DATA_DIR), 'demo-sis');
  mkdirSync(base, { recursive: true });
  const fresh = !existsSync(join(base, 'aeries')) || !existsSync(join(base, 'powerschool'));
  const servers: EmbeddedPostgres[] = [];
  try {
    servers.push(await startEmbeddedPostgres(join(base, 'aeries'), 10));
    servers.push(await startEmbeddedPostgres(join(base, 'powerschool'), 10));
    const [aeries, powerschool] = servers;
    const portOf = (s: EmbeddedPostgres): number => Number(new URL(s.url).port);
    let districtId = existing;
    if (!districtId || fresh) {
      logger.log(
        `generating the demo district (${config.demo.DEMO_STUDENTS} students, Aeries → PowerSchool)…`,
      );
      await generatePair({
        oldSis: 'aeries',
        newSis: 'powerschool',
        students: config.demo.DEMO_STUDENTS,
        seed: 'demo',
        oldUrl: aeries.url,
        newUrl: powerschool.url,
        schoolYear: DEMO_SCHOOL_YEAR,
        defects: 'all',
        differences: { missing_in_new: 6, missing_in_old: 2, field_drift: 12 },
        // pglite-socket cannot carry COPY FROM STDIN (electric-sql/pglite#1028): batched INSERTs instead.
        method: 'insert',
      });
    }
    if (!districtId) {
      districtId = await seed(repo, portOf(aeries), portOf(powerschool));
      logger.log(
        `demo district created. Log in at ${config.http.PUBLIC_URL} with ${DEMO_USERS.support}, ${DEMO_USERS.admin} ` +
          `or ${DEMO_USERS.school} and the password '${DEMO_PASSWORD}'`,
      );
    } else {
      await repo.updateLinkPort(districtId, 'old', portOf(aeries));
      await repo.updateLinkPort(districtId, 'new', portOf(powerschool));
    }
    return {
      districtId,
      created: !existing,
      stop: async () => {
        for (const s of servers) await s.stop();
      },
    };
  } catch (err) {
    for (const s of servers) await s.stop();
    throw err;
  } finally {
    await pool.end();
  }
}

async function seed(repo: DemoRepository, aeriesPort: number, powerschoolPort: number): Promise<string> {
  const districtId = await repo.createDistrict(DEMO_SCHOOL_YEAR);
  await repo.addContact(
    districtId,
    'Dana Whitfield (SIS coordinator)',
    'dana.whitfield@demo.sis-certify.local',
    'administrative',
  );
  await repo.addContact(districtId, 'Luis Ortega (network)', 'it-help@demo.sis-certify.local', 'technical');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await repo.addUser({
    email: DEMO_USERS.support,
    name: 'Demo support engineer',
    role: 'support',
    districtId: null,
    passwordHash,
  });
  await repo.addUser({
    email: DEMO_USERS.admin,
    name: 'Dana Whitfield',
    role: 'district_admin',
    districtId,
    passwordHash,
  });
  await repo.addUser({
    email: DEMO_USERS.school,
    name: 'Sam Registrar',
    role: 'school_user',
    districtId,
    schoolIds: ['1'],
    passwordHash,
  });
  await repo.addLink(districtId, {
    role: 'old',
    sisKind: 'aeries',
    name: 'Aeries (on premises, retiring)',
    port: aeriesPort,
  });
  await repo.addLink(districtId, {
    role: 'new',
    sisKind: 'powerschool',
    name: 'PowerSchool (hosted)',
    port: powerschoolPort,
  });
  return districtId;
}
