import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createServicePool } from 'src/database/service-pool';
import { generatePair } from 'connectors/generator/district-generator.service';
import type { PairManifest } from 'connectors/generator/generator.types';
import { hashPassword } from 'src/auth/password.util';
import type { AppConfig } from 'src/config/config.service';
import type { ResolvedDatabase } from 'src/database/database-bootstrap';
import { startEmbeddedPostgres, type EmbeddedPostgres } from 'src/database/embedded/embedded-postgres';
import { ensureEdfiDemo, type EdfiDemoHandle } from 'src/demo/demo-edfi';
import { DEMO_DEFECTS, DEMO_HISTORY, type DemoHistoryStep } from 'src/demo/demo-history';
import { DemoRepository, type DemoUserRow } from 'src/demo/demo.repository';

/** Demo logins, printed at start-up; the demo only runs on a development machine. */
export const DEMO_PASSWORD = 'sis-certify-demo';
export const DEMO_USERS = {
  support: 'support@demo.sis-certify.local',
  admin: 'admin@demo.sis-certify.local',
  registrar: 'registrar@demo.sis-certify.local',
  coordinator: 'sped.coordinator@demo.sis-certify.local',
};
/** The program the demo coordinator sees: CALPADS 144, special education. */
export const DEMO_PROGRAM = { code: '144', name: 'special education' };

export interface DemoHandle {
  districtId: string;
  /** True when this start created the demo (first start on a fresh database): its history is to be run. */
  created: boolean;
  /** The demo SIS replicas (old = Aeries, new = PowerSchool). */
  oldUrl: string;
  newUrl: string;
  students: number;
  /** The Texas district read through Ed-Fi (Grand Bend sample). */
  edfi: EdfiDemoHandle;
  users: DemoUserRow[];
  stop(): Promise<void>;
}

const DEMO_SCHOOL_YEAR = 2026;
const DEMO_SEED = 'demo';

/** Generates both demo SIS replicas in the state of one history step (drops and recreates their tables). */
export async function generateDemoPair(
  target: { oldUrl: string; newUrl: string; students: number },
  step: DemoHistoryStep,
): Promise<PairManifest> {
  return generatePair({
    oldSis: 'aeries',
    newSis: 'powerschool',
    students: target.students,
    seed: DEMO_SEED,
    oldUrl: target.oldUrl,
    newUrl: target.newUrl,
    schoolYear: DEMO_SCHOOL_YEAR,
    defects: DEMO_DEFECTS,
    withheldDefects: step.withheld,
    differences: { missing_in_new: 6, missing_in_old: 2, field_drift: 12 },
    // pglite-socket cannot carry COPY FROM STDIN (electric-sql/pglite#1028): batched INSERTs instead.
    method: 'insert',
  });
}

/**
 * The demo district migrating from Aeries to PowerSchool. Each SIS is a PostgreSQL replica of its native
 * schema in its own embedded server under `var/demo-sis/` (standing in for the district's SQL Server and
 * Oracle databases), generated with realistic defects and migration differences by connectors/generator.
 * The replicas start in the first state of the demo history (DEMO_HISTORY); main.ts then runs the history.
 * Next to it, a Texas district read through Ed-Fi (src/demo/demo-edfi.ts) gets one run.
 */
export async function seedDemoIfWanted(config: AppConfig, db: ResolvedDatabase): Promise<DemoHandle | null> {
  const wanted =
    config.demo.SEED_DEMO === 'true' || (config.demo.SEED_DEMO === 'auto' && db.embedded !== null);
  if (!wanted) return null;
  const logger = new Logger('Demo');
  const pool = createServicePool(db.url, 'sis-certify-demo', 2);
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
    const target = { oldUrl: aeries.url, newUrl: powerschool.url, students: config.demo.DEMO_STUDENTS };
    let districtId = existing;
    if (!districtId || fresh) {
      logger.log(
        `generating the demo district (${config.demo.DEMO_STUDENTS} students, Aeries → PowerSchool)…`,
      );
      const steps = DEMO_HISTORY;
      // A new demo starts at the first step of its history; replicas lost under an existing demo come back at the last.
      const manifest = await generateDemoPair(target, districtId ? steps[steps.length - 1] : steps[0]);
      if (!districtId) {
        districtId = await seed(repo, portOf(aeries), portOf(powerschool), registrarSchool(manifest));
        logger.log('demo district created');
      }
    }
    await repo.updateLinkPort(districtId, 'old', portOf(aeries));
    await repo.updateLinkPort(districtId, 'new', portOf(powerschool));
    const edfi = await ensureEdfiDemo(repo, () => hashPassword(DEMO_PASSWORD));
    return {
      districtId,
      created: !existing,
      ...target,
      edfi,
      users: await repo.users(),
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

/** The registrar's school: the open school carrying the most injected defects (so their scorecard has work). */
function registrarSchool(manifest: PairManifest): string {
  const closed = new Set(
    manifest.old.defects.filter((d) => d.kind === 'enrolled_inactive_school').map((d) => d.school_id),
  );
  const counts = new Map<string, number>();
  for (const d of manifest.old.defects) {
    if (d.school_id && !closed.has(d.school_id)) counts.set(d.school_id, (counts.get(d.school_id) ?? 0) + 1);
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return best?.[0] ?? '101';
}

async function seed(
  repo: DemoRepository,
  aeriesPort: number,
  powerschoolPort: number,
  schoolId: string,
): Promise<string> {
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
    email: DEMO_USERS.registrar,
    name: 'Sam Registrar',
    role: 'school_user',
    districtId,
    schoolIds: [schoolId],
    passwordHash,
  });
  await repo.addUser({
    email: DEMO_USERS.coordinator,
    name: 'Priya Natarajan (special education)',
    role: 'program_user',
    districtId,
    programCodes: [DEMO_PROGRAM.code],
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
