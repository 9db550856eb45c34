import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { CLOCK, type Clock } from 'src/common/tokens';
import { EDFI_DEMO_AS_OF, type EdfiDemoHandle } from 'src/demo/demo-edfi';
import { DEMO_HISTORY, demoAsOf } from 'src/demo/demo-history';
import { DEMO_PASSWORD, DEMO_PROGRAM, generateDemoPair, type DemoHandle } from 'src/demo/demo-seed';
import { RunsRepository } from 'src/runs/runs.repository';
import { StartRunUseCase } from 'src/runs/start-run.use-case';
import { ACTIVE_RUN_STATUSES, type RunRecord } from 'src/runs/runs.types';

const DEMO_ZONE = 'America/Los_Angeles';
const RUN_DEADLINE_MS = 30 * 60_000;

export interface DemoHistoryReport {
  runs: Array<Pick<RunRecord, 'id' | 'asOf' | 'status'>>;
}

/**
 * Builds the demo's history with the real pipeline: for each step of DEMO_HISTORY (oldest first) the two SIS
 * replicas are generated in that step's state and a migration run (both sides, rules, comparison) is
 * executed as of that step's date; the next step starts once the run has ended. The replicas keep the last
 * step's state, so later nightly runs go on from there.
 */
export async function runDemoHistory(app: INestApplication, demo: DemoHandle): Promise<DemoHistoryReport> {
  const logger = new Logger('Demo');
  const startRun = app.get(StartRunUseCase);
  const runs = app.get(RunsRepository);
  const now = app.get<Clock>(CLOCK).now();
  const report: DemoHistoryReport = { runs: [] };
  for (const [i, step] of DEMO_HISTORY.entries()) {
    // The seed generated the first step's state already.
    if (i > 0) await generateDemoPair(demo, step);
    const asOf = demoAsOf(step, now, DEMO_ZONE);
    const run = await startRun.execute({ districtId: demo.districtId, kind: 'manual', trigger: 'cli', asOf });
    if (!run) break;
    logger.log(`demo history ${i + 1}/${DEMO_HISTORY.length}, as of ${asOf} (${step.story}): run ${run.id}`);
    const end = await waitForEnd(runs, run.id);
    report.runs.push({ id: run.id, asOf, status: end?.status ?? run.status });
    if (end?.status !== 'done') logger.warn(`demo history run ${run.id} ended ${end?.status ?? 'unknown'}`);
  }
  return report;
}

/** The Ed-Fi district's first run: one current-side run of the Grand Bend sample through the real pipeline. */
export async function runEdfiDemo(
  app: INestApplication,
  edfi: EdfiDemoHandle,
): Promise<Pick<RunRecord, 'id' | 'status'> | null> {
  const logger = new Logger('Demo');
  const run = await app
    .get(StartRunUseCase)
    .execute({ districtId: edfi.districtId, kind: 'manual', trigger: 'cli', asOf: EDFI_DEMO_AS_OF });
  if (!run) return null;
  const started = Date.now();
  logger.log(`Ed-Fi demo run ${run.id} (Grand Bend sample as of ${EDFI_DEMO_AS_OF}) queued`);
  const end = await waitForEnd(app.get(RunsRepository), run.id);
  const status = end?.status ?? run.status;
  const took = Math.round((Date.now() - started) / 1000);
  if (status === 'done') logger.log(`Ed-Fi demo run ${run.id} done in ${took} s`);
  else logger.warn(`Ed-Fi demo run ${run.id} ended ${status} after ${took} s`);
  return { id: run.id, status };
}

async function waitForEnd(runs: RunsRepository, runId: string): Promise<RunRecord | null> {
  const deadline = Date.now() + RUN_DEADLINE_MS;
  for (;;) {
    const run = await runs.findById(runId);
    if (!run || !ACTIVE_RUN_STATUSES.includes(run.status) || Date.now() > deadline) return run;
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

export interface StartupLogin {
  role: string;
  email: string;
  scope: string;
}

const ROLE_TITLES: Record<string, string> = {
  support: 'support',
  district_admin: 'district admin',
  school_user: 'registrar',
  program_user: 'program coordinator',
};

/** The logins of the demo users, each with its role and scope, for the start-up block. */
export function demoLogins(
  users: Array<{
    email: string;
    role: string;
    school_ids: string[];
    program_codes: string[];
    district_name: string | null;
  }>,
): StartupLogin[] {
  return users.map((u) => ({
    role: ROLE_TITLES[u.role] ?? u.role,
    email: u.email,
    scope:
      u.role === 'support'
        ? 'every district'
        : u.role === 'school_user'
          ? `school ${u.school_ids.join(', ')}`
          : u.role === 'program_user'
            ? `program ${u.program_codes
                .map((c) => (c === DEMO_PROGRAM.code ? `${c} (${DEMO_PROGRAM.name})` : c))
                .join(', ')}`
            : (u.district_name ?? ''),
  }));
}

/** The one block the start-up log ends with: where to go and how to log in. */
export function startupBlock(o: {
  url: string;
  logins: StartupLogin[];
  password?: string;
  note?: string;
}): string {
  const lines = [`sis-certify is ready: ${o.url}`, `API documentation: ${o.url}/api/docs`];
  if (o.logins.length > 0) {
    const role = Math.max(...o.logins.map((l) => l.role.length));
    const email = Math.max(...o.logins.map((l) => l.email.length));
    lines.push('', `Demo logins (password: ${o.password ?? DEMO_PASSWORD})`);
    for (const l of o.logins) lines.push(`  ${l.role.padEnd(role)}  ${l.email.padEnd(email)}  ${l.scope}`);
  } else {
    lines.push('', 'No demo here: create a support user with `npx sis-certify user create --role support`.');
  }
  if (o.note) lines.push('', ...o.note.split('\n'));
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '='.repeat(width);
  return `\n${rule}\n${lines.map((l) => `  ${l}`).join('\n')}\n${rule}\n\n`;
}
