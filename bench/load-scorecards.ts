/**
 * Load on the read side: a generated district of N students run once through the real pipeline (as
 * bench/run.ts does), then the service on a free port under autocannon — the scorecard, the first page of
 * exceptions as a district admin, and the same page as a school user (scoped to one school).
 *
 *   npm run bench:load -- --students 20000 [--defects-per-kind N] [--connections 50] [--duration 20] [--out file.md] [--keep]
 *
 * Each of the generator's defect kinds is planted on N students (default students / 200: at 20,000 students 100
 * per kind, about 8,000 findings per side), not the two of bench/run.ts — the exceptions list is read at a
 * realistic size.
 *
 * Needs a PostgreSQL server (trust auth); drops the three databases it creates and stops every process it
 * started. Writes bench/results/<date>-load-scorecards-<N>.md unless --out says otherwise.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import type { Pool } from 'pg';
import { seconds, table } from 'bench/bench.util';
import {
  createBenchDatabases,
  execNode,
  freePort,
  runBenchDistrict,
  startHttpService,
  stopProcess,
} from 'bench/harness';
import { errorText } from 'src/common/error-text.util';

interface Options {
  students: string;
  defectsPerKind?: string;
  adminUrl: string;
  connections: string;
  duration: string;
  out?: string;
  keep?: boolean;
}

const ROOT = join(__dirname, '..');
const PASSWORD = 'bench-load-password-1';

/** The part of autocannon's --json output this script reads. */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}

interface EndpointFigure {
  name: string;
  path: string;
  result: CannonResult;
}

/** A user created with the service's own CLI (`sis-certify user create`), as an operator would. */
async function createUser(
  svcUrl: string,
  districtId: string,
  email: string,
  role: string,
  schools?: string,
): Promise<void> {
  await execNode(
    [
      join(ROOT, 'bin', 'sis-certify.js'),
      'user',
      'create',
      '--email',
      email,
      '--role',
      role,
      '--district',
      districtId,
      ...(schools ? ['--schools', schools] : []),
    ],
    { ...process.env, DATABASE_URL: svcUrl, SIS_CERTIFY_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' },
  );
}

/** Logs in through POST /api/auth/login; the Cookie header of the session. */
async function login(base: string, email: string): Promise<string> {
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`login ${email}: HTTP ${r.status} ${await r.text()}`);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function cannon(
  url: string,
  cookie: string,
  connections: number,
  duration: number,
): Promise<CannonResult> {
  const out = await execNode(
    [
      require.resolve('autocannon/autocannon.js'),
      '--json',
      '-c',
      String(connections),
      '-d',
      String(duration),
      '-H',
      `Cookie=${cookie}`,
      url,
    ],
    process.env,
  );
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`autocannon printed no result: ${out.slice(-2000)}`);
  return JSON.parse(line) as CannonResult;
}

async function main(o: Options): Promise<void> {
  const students = Number(o.students);
  const connections = Number(o.connections);
  const duration = Number(o.duration);
  if (!Number.isInteger(students) || students < 1) throw new Error('--students: a positive integer');
  const defectsPerKind = Number(o.defectsPerKind ?? Math.max(2, Math.round(students / 200)));
  if (!Number.isInteger(defectsPerKind) || defectsPerKind < 0)
    throw new Error('--defects-per-kind: a non-negative integer');
  const started: ChildProcess[] = [];
  const db = await createBenchDatabases(o.adminUrl);
  const { urls } = db;
  let pool: Pool | undefined;
  try {
    const bench = await runBenchDistrict(db, o.adminUrl, { students, defectsPerKind });
    const { districtId, gen, svc } = bench;
    pool = bench.pool;
    process.stdout.write(
      `generated ${students} students in ${seconds(gen.ms)} s; run ${svc.runId} ${svc.status} in ${seconds(svc.runMs)} s\n`,
    );
    const counts = (
      await pool.query<{ exceptions: string; school: string | null; in_school: string | null }>(
        `SELECT (SELECT count(*) FROM rule_exceptions)::text AS exceptions, s.school_id AS school, s.n::text AS in_school
           FROM (SELECT 1) one LEFT JOIN LATERAL (
             SELECT school_id, count(*) AS n FROM rule_exceptions WHERE school_id IS NOT NULL
              GROUP BY school_id ORDER BY count(*) DESC LIMIT 1) s ON TRUE`,
      )
    ).rows[0];
    if (!counts.school) throw new Error('the run recorded no exception with a school');

    const adminEmail = 'load-admin@bench.k12.ca.us';
    const schoolEmail = 'load-school@bench.k12.ca.us';
    await createUser(urls.svc, districtId, adminEmail, 'district_admin');
    await createUser(urls.svc, districtId, schoolEmail, 'school_user', counts.school);

    const port = await freePort();
    const service = await startHttpService(urls.svc, port);
    started.push(service);
    const base = `http://127.0.0.1:${port}`;
    const adminCookie = await login(base, adminEmail);
    const schoolCookie = await login(base, schoolEmail);
    const page = 'page=1&pageSize=50';
    const targets = [
      // The floor: an authenticated request that does nothing but look up its session. On a shared machine its
      // latency is what the load alone costs; the endpoints below are read against it.
      { name: 'floor: who am I (district admin)', path: `/api/auth/me`, cookie: adminCookie },
      {
        name: 'scorecard (district admin)',
        path: `/api/districts/${districtId}/scorecard`,
        cookie: adminCookie,
      },
      {
        name: 'exceptions page 1 (district admin)',
        path: `/api/districts/${districtId}/exceptions?${page}`,
        cookie: adminCookie,
      },
      {
        name: `exceptions page 1 (school user, school ${counts.school})`,
        path: `/api/districts/${districtId}/exceptions?${page}`,
        cookie: schoolCookie,
      },
    ];
    for (const t of targets) {
      const r = await fetch(`${base}${t.path}`, { headers: { cookie: t.cookie } });
      if (r.status !== 200) throw new Error(`${t.path}: HTTP ${r.status} ${(await r.text()).slice(0, 500)}`);
    }
    const loadBefore = loadavg();
    const figures: EndpointFigure[] = [];
    for (const t of targets) {
      process.stdout.write(`${t.name}: ${connections} connections for ${duration} s …\n`);
      figures.push({
        name: t.name,
        path: t.path,
        result: await cannon(`${base}${t.path}`, t.cookie, connections, duration),
      });
    }
    const loadAfter = loadavg();
    await stopProcess(service);

    const text = report({
      students,
      connections,
      duration,
      figures,
      runMs: svc.runMs,
      genMs: gen.ms,
      exceptions: counts.exceptions,
      defectsPerKind,
      inSchool: counts.in_school ?? '0',
      load: [loadBefore, loadAfter],
    });
    process.stdout.write(text);
    const out =
      o.out ??
      join(
        ROOT,
        'bench',
        'results',
        `${new Date().toISOString().slice(0, 10)}-load-scorecards-${students}.md`,
      );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    process.stdout.write(`written to ${out}\n`);
  } finally {
    for (const p of started) await stopProcess(p);
    await pool?.end();
    await db.drop(o.keep);
  }
}

interface ReportInput {
  students: number;
  connections: number;
  duration: number;
  figures: EndpointFigure[];
  runMs: number;
  genMs: number;
  exceptions: string;
  defectsPerKind: number;
  inSchool: string;
  load: [number[], number[]];
}

function report(r: ReportInput): string {
  const la = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  const [floor, ...endpoints] = r.figures;
  const worst = Math.max(...endpoints.map((f) => f.result.latency.p99));
  const lines = [
    `# Load: scorecard and exceptions, ${r.students} students (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB memory (${Math.round(freemem() / 2 ** 30)} GiB free at the end); Node ${process.version}.`,
    `Load average (1 / 5 / 15 min) before the load: ${la(r.load[0])}; after: ${la(r.load[1])} (other work shares the machine; autocannon runs on it too).`,
    `District generated in ${seconds(r.genMs)} s, ${r.defectsPerKind} students per defect kind, one validation run through the real pipeline in ${seconds(r.runMs)} s: ${r.exceptions} exception rows (both sides), ${r.inSchool} in the school user's school.`,
    `autocannon: ${r.connections} concurrent connections, ${r.duration} s per endpoint, one endpoint at a time, against the service started on 127.0.0.1 (runs workers and scheduler off), with a session cookie from POST /api/auth/login.`,
    '',
    ...table(
      [
        'endpoint',
        'requests/s',
        'p50 ms',
        'p99 ms',
        'p99 / floor p99',
        'max ms',
        'requests',
        'errors',
        'timeouts',
        'non-2xx',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      r.figures.map((f) => [
        `${f.name}<br>\`GET ${f.path.replace(/[0-9a-f-]{36}/, ':id')}\``,
        f.result.requests.average.toFixed(1),
        f.result.latency.p50,
        f.result.latency.p99,
        floor.result.latency.p99 > 0 ? (f.result.latency.p99 / floor.result.latency.p99).toFixed(2) : '—',
        f.result.latency.max,
        f.result.requests.total,
        f.result.errors,
        f.result.timeouts,
        f.result.non2xx,
      ]),
    ),
    '',
    `Worst p99: ${worst} ms — ${worst < 300 ? 'under' : '**over**'} the 300 ms target; the floor's p99 under the same load: ${floor.result.latency.p99} ms.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

const program = new Command('bench:load')
  .option('--students <n>', 'students in the generated district', '20000')
  .option('--defects-per-kind <n>', 'students given each defect kind (default students / 200)')
  .option(
    '--admin-url <url>',
    'PostgreSQL admin URL',
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--connections <n>', 'concurrent connections', '50')
  .option('--duration <s>', 'seconds per endpoint', '20')
  .option('--out <file>', 'the results file (default bench/results/<date>-load-scorecards-<N>.md)')
  .option('--keep', 'keep the databases for inspection')
  .action((o: Options) => main(o));
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${errorText(err, { stack: true })}\n`);
  process.exitCode = 1;
});
