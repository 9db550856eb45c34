/**
 * The benchmark: a generated migration pair (old Aeries, new PowerSchool) of N students, then one full
 * validation run through the real pipeline (extraction of both links, every selected rule on both
 * snapshots, the side-by-side comparison), timed per phase from what the run records.
 *
 *   npm run bench -- --students 20000 [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--out bench/results/x.md]
 *
 * It needs a PostgreSQL server (the embedded database is not a benchmark target) and drops the three
 * databases it creates.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { Client, Pool } from 'pg';
import { generatePair } from 'connectors/generator/district-generator.service';
import { CliContext } from 'src/cli/cli-context';
import { runMigrations } from 'src/database/data-source';
import { runCommand } from 'src/runs/runs.cli';
import { errorText } from 'src/common/error-text.util';

interface Options {
  students: string;
  adminUrl: string;
  out?: string;
  keep?: boolean;
}

function dbUrl(admin: string, name: string): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

async function timed<T>(label: string, timings: Array<[string, number]>, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  timings.push([label, performance.now() - t0]);
  return result;
}

async function main(o: Options): Promise<void> {
  const students = Number(o.students);
  const tag = randomBytes(3).toString('hex');
  const names = { svc: `sisc_bench_svc_${tag}`, old: `sisc_bench_old_${tag}`, new: `sisc_bench_new_${tag}` };
  const admin = new Client({ connectionString: o.adminUrl });
  await admin.connect();
  for (const n of Object.values(names)) await admin.query(`CREATE DATABASE ${n}`);
  const timings: Array<[string, number]> = [];
  try {
    const svcUrl = dbUrl(o.adminUrl, names.svc);
    await runMigrations(svcUrl);
    await timed('generate both replicas', timings, () =>
      generatePair({
        oldSis: 'aeries',
        newSis: 'powerschool',
        students,
        seed: 'bench',
        oldUrl: dbUrl(o.adminUrl, names.old),
        newUrl: dbUrl(o.adminUrl, names.new),
        defects: 'all',
        differences: { missing_in_new: 20, missing_in_old: 5, field_drift: 40 },
      }),
    );
    const pool = new Pool({ connectionString: svcUrl, max: 2 });
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO districts (name, state, edition, school_year) VALUES ('Benchmark USD', 'CA', 'full', 2026) RETURNING id`,
    );
    const districtId = rows[0].id;
    for (const [role, sis, db] of [
      ['old', 'aeries', names.old],
      ['new', 'powerschool', names.new],
    ] as const) {
      const u = new URL(o.adminUrl);
      await pool.query(
        `INSERT INTO sis_links (district_id, name, role, sis_kind, settings) VALUES ($1, $2, $3, $4, $5)`,
        [
          districtId,
          `${sis} (${role})`,
          role,
          sis,
          JSON.stringify({
            driver: 'pg',
            host: u.hostname,
            port: Number(u.port || 5432),
            database: db,
            user: decodeURIComponent(u.username) || 'postgres',
          }),
        ],
      );
    }
    const ctx = new CliContext({ ...process.env, DATABASE_URL: svcUrl, LOG_LEVEL: 'warn' });
    const run = await timed('validation run (total)', timings, async () => {
      try {
        return await runCommand(ctx, { districtId });
      } finally {
        await ctx.close();
      }
    });
    // Per step of the run (run_checkpoints: one row per step and target), then per extracted entity.
    const phases = await pool.query<{ what: string; ms: string; n: string | null }>(
      `SELECT c.step || ' ' || c.target AS what,
              round(extract(epoch FROM c.completed_at - c.started_at) * 1000)::text AS ms,
              NULL AS n, c.started_at
         FROM run_checkpoints c WHERE c.run_id = $1 AND c.completed_at IS NOT NULL
       UNION ALL
       SELECT '  extract ' || s.sis_kind || ' ' || c.entity, c.duration_ms::text, c.row_count::text, c.started_at
         FROM snapshot_checkpoints c JOIN snapshots s ON s.id = c.snapshot_id WHERE s.district_id = $2
       UNION ALL
       SELECT '  findings ' || s.sis_kind || ' (' || count(*) || ' rules)', NULL, sum(r.failed)::text, min(r.created_at)
         FROM rule_results r JOIN snapshots s ON s.id = r.snapshot_id WHERE r.district_id = $2 GROUP BY s.sis_kind
       ORDER BY 4`,
      [run.id, districtId],
    );
    // Where evaluation time goes: rules evaluated in one statement share its duration.
    const slowest = await pool.query<{
      rule_id: string;
      sis_kind: string;
      duration_ms: number;
      checked: string;
    }>(
      `SELECT r.rule_id, s.sis_kind, r.duration_ms, r.checked::text FROM rule_results r JOIN snapshots s ON s.id = r.snapshot_id
        WHERE r.district_id = $1 ORDER BY r.duration_ms DESC LIMIT 10`,
      [districtId],
    );
    await pool.end();
    const lines = [
      `# Benchmark ${new Date().toISOString().slice(0, 10)}: ${students} students, Aeries → PowerSchool`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; run ${run.status}.`,
      `Peak resident memory of the benchmark process (generator + whole run in-process): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.`,
      '',
      '| step | ms | rows / findings |',
      '|---|---:|---:|',
      ...timings.map(([what, ms]) => `| ${what} | ${Math.round(ms)} | |`),
      ...phases.rows.map((p) => `| ${p.what} | ${p.ms ?? ''} | ${p.n ?? ''} |`),
      '',
      'Slowest rules (statement time; row-level rules of one entity share one scan):',
      '',
      '| rule | SIS | ms | records checked |',
      '|---|---|---:|---:|',
      ...slowest.rows.map((r) => `| ${r.rule_id} | ${r.sis_kind} | ${r.duration_ms} | ${r.checked} |`),
    ];
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(text);
    if (o.out) writeFileSync(o.out, text);
  } finally {
    if (o.keep)
      process.stdout.write(`kept databases (drop them yourself): ${Object.values(names).join(', ')}\n`);
    else for (const n of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await admin.end();
  }
}

const program = new Command('bench')
  .option('--students <n>', 'students in the generated district', '20000')
  .option(
    '--admin-url <url>',
    'PostgreSQL admin URL',
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--out <file>', 'also write the results (markdown) to this file')
  .option('--keep', 'keep the service and replica databases for inspection')
  .action((o: Options) => main(o));
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${errorText(err, { stack: true })}\n`);
  process.exitCode = 1;
});
