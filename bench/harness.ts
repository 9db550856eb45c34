/**
 * The benchmark's scaffolding, shared by bench/run.ts and bench/load-scorecards.ts: the scratch databases, the
 * child processes (generator, service run, the HTTP service), and the generated district with its two SIS
 * links, run once through the real pipeline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import type { ServiceOutput } from 'bench/service.child';
import { runMigrations } from 'src/database/data-source';

const ROOT = join(__dirname, '..');

export const TIME_ZONE = 'America/Los_Angeles';
export const SIDES = [
  { side: 'old', sis: 'aeries' },
  { side: 'new', sis: 'powerschool' },
] as const;

export function dbUrl(admin: string, name: string): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs a bench/*.child.ts in its own Node process; resolves with the JSON of its last stdout line. */
export function child<T>(file: string, input: object, nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [...nodeArgs, '-r', '@swc-node/register', join(__dirname, file), JSON.stringify(input)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    );
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${file} exited with ${code}: ${stdout.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${file} printed no result: ${stdout.slice(-2000)}`));
      }
    });
  });
}

export interface BenchDatabases {
  names: { svc: string; old: string; new: string };
  urls: { svc: string; old: string; new: string };
  /** Reused replicas that a previous invocation finished generating (never true without reuse). */
  generated: boolean;
  /** Marks the replicas as completely generated (a table bench_generated in each). */
  markGenerated(): Promise<void>;
  /** Drops the three databases (WITH (FORCE)) unless keep, and closes the admin connection. */
  drop(keep?: boolean): Promise<void>;
}

/**
 * Creates the service database and the two replica databases under a random tag. With `reuseFor` (the number
 * of students), the replicas get stable names (sisc_bench_old_n<N>, sisc_bench_new_n<N>) instead, are created
 * only if missing, and are kept at the end: generation at L costs half an hour under load, and the run only
 * reads the replicas. `generated` says whether a previous invocation finished generating them.
 */
export async function createBenchDatabases(adminUrl: string, reuseFor?: number): Promise<BenchDatabases> {
  const tag = randomBytes(3).toString('hex');
  const names = reuseFor
    ? { svc: `sisc_bench_svc_${tag}`, old: `sisc_bench_old_n${reuseFor}`, new: `sisc_bench_new_n${reuseFor}` }
    : { svc: `sisc_bench_svc_${tag}`, old: `sisc_bench_old_${tag}`, new: `sisc_bench_new_${tag}` };
  const urls = {
    svc: dbUrl(adminUrl, names.svc),
    old: dbUrl(adminUrl, names.old),
    new: dbUrl(adminUrl, names.new),
  };
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const existing = new Set(
    (
      await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = ANY($1)`, [
        Object.values(names),
      ])
    ).rows.map((r) => r.datname),
  );
  let generated = false;
  if (reuseFor && existing.has(names.old) && existing.has(names.new)) {
    const marks = await Promise.all(
      [urls.old, urls.new].map(async (url) => {
        const c = new Client({ connectionString: url });
        await c.connect();
        try {
          const { rows } = await c.query<{ t: string | null }>(
            `SELECT to_regclass('bench_generated')::text AS t`,
          );
          return rows[0]?.t !== null;
        } finally {
          await c.end();
        }
      }),
    );
    generated = marks.every(Boolean);
  }
  for (const n of Object.values(names)) {
    if (generated && n !== names.svc) continue;
    // A half-generated replica (an earlier invocation stopped during generation) is generated again from empty.
    if (existing.has(n)) await admin.query(`DROP DATABASE ${n} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${n}`);
  }
  const kept = reuseFor ? [names.old, names.new] : [];
  return {
    names,
    urls,
    generated,
    async markGenerated() {
      if (!reuseFor) return;
      for (const url of [urls.old, urls.new]) {
        const c = new Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(`CREATE TABLE IF NOT EXISTS bench_generated (at timestamptz NOT NULL DEFAULT now())`);
        } finally {
          await c.end();
        }
      }
    },
    async drop(keep = false) {
      const dropped = Object.values(names).filter((n) => !keep && !kept.includes(n));
      const left = Object.values(names).filter((n) => !dropped.includes(n));
      if (left.length) process.stderr.write(`kept databases (drop them yourself): ${left.join(', ')}\n`);
      for (const n of dropped) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The benchmark district and its two SIS links (old Aeries, new PowerSchool) to the replicas; its id. */
export async function insertBenchDistrict(pool: Pool, adminUrl: string, db: BenchDatabases): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO districts (name, state, edition, school_year, time_zone) VALUES ('Benchmark USD', 'CA', 'full', 2026, $1) RETURNING id`,
    [TIME_ZONE],
  );
  const districtId = rows[0].id;
  const u = new URL(adminUrl);
  for (const s of SIDES) {
    await pool.query(
      `INSERT INTO sis_links (district_id, name, role, sis_kind, settings) VALUES ($1, $2, $3, $4, $5)`,
      [
        districtId,
        `${s.sis} (${s.side})`,
        s.side,
        s.sis,
        JSON.stringify({
          driver: 'pg',
          host: u.hostname,
          port: Number(u.port || 5432),
          database: db.names[s.side],
          user: decodeURIComponent(u.username) || 'postgres',
        }),
      ],
    );
  }
  return districtId;
}

export interface BenchRun {
  districtId: string;
  /** A small pool on the service database (idle-client errors ignored: the databases are dropped WITH (FORCE)). */
  pool: Pool;
  gen: { ms: number; maxRssMb: number; reused?: boolean };
  svc: ServiceOutput;
  /** Load average around the service's run: [before, after]. */
  load: [number[], number[]];
}

/**
 * Migrates the service database, generates the two replicas (bench/generate.child.ts), inserts the district
 * and runs it once through the real pipeline (bench/service.child.ts, `serviceNodeArgs` e.g. a CPU profile).
 * The caller ends `pool`.
 */
export async function runBenchDistrict(
  db: BenchDatabases,
  adminUrl: string,
  o: {
    students: number;
    defectsPerKind?: number;
    serviceNodeArgs?: string[];
    /** Runs after generation, before the service's run (e.g. preparing the replicas). */
    beforeRun?: () => Promise<void>;
  },
): Promise<BenchRun> {
  await runMigrations(db.urls.svc);
  const gen: BenchRun['gen'] = db.generated
    ? { ms: 0, maxRssMb: 0, reused: true }
    : await child<{ ms: number; maxRssMb: number }>('generate.child.ts', {
        students: o.students,
        oldUrl: db.urls.old,
        newUrl: db.urls.new,
        ...(o.defectsPerKind === undefined ? {} : { defectsPerKind: o.defectsPerKind }),
      });
  if (!db.generated) await db.markGenerated();
  const pool = new Pool({ connectionString: db.urls.svc, max: 2 });
  pool.on('error', () => undefined);
  try {
    const districtId = await insertBenchDistrict(pool, adminUrl, db);
    await o.beforeRun?.();
    const before = loadavg();
    const svc = await child<ServiceOutput>(
      'service.child.ts',
      { svcUrl: db.urls.svc, districtId, timeZone: TIME_ZONE },
      o.serviceNodeArgs ?? [],
    );
    return { districtId, pool, gen, svc, load: [before, loadavg()] };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a Node script to completion; resolves with its output, rejects with it when the script fails. */
export function execNode(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`)),
    );
  });
}

/** The HTTP service (src/main.ts) on 127.0.0.1:port, runs workers and scheduler off; resolves once /health answers. */
export async function startHttpService(svcUrl: string, port: number): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: svcUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      RUN_WORKERS: 'off',
      RUN_SCHEDULER: 'off',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error(`the service exited with ${p.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.status < 500) return p;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stopProcess(p);
  throw new Error('the service did not answer /health within 120 s');
}

/** SIGTERM, then SIGKILL after 15 s; resolves once the process has exited. */
export function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    p.kill('SIGTERM');
  });
}
