/**
 * The benchmark: a generated migration pair (old Aeries, new PowerSchool) of N students, one full validation
 * run through the real pipeline (both links extracted, every selected rule on both snapshots, the side-by-side
 * comparison), then in the same invocation the data-movement floor and the DuckDB peer. See bench/README.md.
 *
 *   npm run bench -- --students 100000 [--out bench/results/x.md] [--profile] [--keep]
 *   npm run bench -- --students 10000,100000          # several sizes: rows/s per entity side by side
 *
 * Three processes: this one (orchestration, floor, peer), the generator, and the service (the run), so the
 * service's peak memory is its own. It needs a PostgreSQL server and drops the three databases it creates.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Client, type Pool } from 'pg';
import { agreement, rate, ratio, seconds, span, table } from 'bench/bench.util';
import { child, createBenchDatabases, runBenchDistrict, SIDES, TIME_ZONE } from 'bench/harness';
import { measureFloor, type FloorResult } from 'bench/floor';
import { PEER_RULES, runPeer, type PeerResult } from 'bench/peer';
import type { ServiceOutput } from 'bench/service.child';
import { errorText } from 'src/common/error-text.util';
import { localToday } from 'src/runs/nightly-schedule.util';

interface Options {
  students: string;
  adminUrl: string;
  out?: string;
  keep?: boolean;
  profile?: boolean;
  peer: boolean;
  floor: boolean;
  reuse?: boolean;
  nightly?: string;
}

interface EntityFigure {
  side: string;
  entity: string;
  rows: number;
  ms: number;
}

interface SizeResult {
  students: number;
  text: string;
  entities: EntityFigure[];
}

async function benchOne(students: number, o: Options): Promise<SizeResult> {
  const db = await createBenchDatabases(o.adminUrl, o.reuse ? students : undefined);
  const { names, urls } = db;
  let pool: Pool | undefined;
  try {
    const profileDir = join(process.cwd(), 'var', 'bench-prof');
    if (o.profile) mkdirSync(profileDir, { recursive: true });
    const bench = await runBenchDistrict(db, o.adminUrl, {
      students,
      serviceNodeArgs: o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      // Nightly measurement: every row of the new replica stamped a day ago, so the full run's clock is after all.
      beforeRun: o.nightly ? () => ageReplica(urls.new) : undefined,
    });
    const { gen, svc } = bench;
    pool = bench.pool;
    const [loadBefore, loadAfter] = bench.load;

    const run = (
      await pool.query<{ school_year: number; as_of: string }>(
        `SELECT school_year, as_of::text FROM runs WHERE id = $1`,
        [svc.runId],
      )
    ).rows[0];
    const steps = (
      await pool.query<{ step: string; target: string; ref_id: string | null; start: number; end: number }>(
        `SELECT step, target, ref_id::text, extract(epoch FROM started_at) * 1000 AS start,
                extract(epoch FROM completed_at) * 1000 AS end
           FROM run_checkpoints WHERE run_id = $1 AND completed_at IS NOT NULL ORDER BY started_at`,
        [svc.runId],
      )
    ).rows.map((r) => ({ ...r, start: Number(r.start), end: Number(r.end) }));
    const snapshotOf = new Map(
      steps.filter((s) => s.step === 'extract').map((s) => [s.target, s.ref_id ?? '']),
    );
    const entities: EntityFigure[] = (
      await pool.query<{ side: string; entity: string; rows: string; ms: number }>(
        `SELECT c.target AS side, k.entity, k.row_count::text AS rows, k.duration_ms AS ms
           FROM run_checkpoints c JOIN snapshot_checkpoints k ON k.snapshot_id = c.ref_id
          WHERE c.run_id = $1 AND c.step = 'extract' ORDER BY k.started_at`,
        [svc.runId],
      )
    ).rows.map((r) => ({ side: r.side, entity: r.entity, rows: Number(r.rows), ms: r.ms }));
    const findings = (
      await pool.query<{ side: string; rules: string; failed: string; exceptions: string; digest: string }>(
        `SELECT c.target AS side, count(*)::text AS rules, sum(r.failed)::text AS failed,
                (SELECT count(*) FROM rule_exceptions x WHERE x.evaluation_id = c.ref_id)::text AS exceptions,
                md5(string_agg(r.rule_id || ':' || r.checked || ':' || r.failed || ':' || r.status, ',' ORDER BY r.rule_id)) AS digest
           FROM run_checkpoints c JOIN rule_results r ON r.evaluation_id = c.ref_id
          WHERE c.run_id = $1 AND c.step = 'evaluate' GROUP BY c.target, c.ref_id ORDER BY 1 DESC`,
        [svc.runId],
      )
    ).rows;
    const ruleFailed = new Map<string, Map<string, number>>();
    for (const r of (
      await pool.query<{ side: string; rule_id: string; failed: string }>(
        `SELECT c.target AS side, r.rule_id, r.failed::text FROM run_checkpoints c
           JOIN rule_results r ON r.evaluation_id = c.ref_id
          WHERE c.run_id = $1 AND c.step = 'evaluate' AND r.rule_id = ANY($2)`,
        [svc.runId, PEER_RULES.map((p) => p.id)],
      )
    ).rows) {
      if (!ruleFailed.has(r.side)) ruleFailed.set(r.side, new Map());
      ruleFailed.get(r.side)?.set(r.rule_id, Number(r.failed));
    }
    const sizes = (
      await pool.query<{ name: string; mb: string }>(
        `SELECT datname AS name, round(pg_database_size(datname) / 1048576.0)::text AS mb FROM pg_database WHERE datname = ANY($1)`,
        [Object.values(names)],
      )
    ).rows;

    const sides = SIDES.map((s) => ({ ...s, snapshotId: snapshotOf.get(s.side) ?? '' }));
    const figures = {
      students,
      gen,
      svc,
      steps,
      entities,
      findings,
      ruleFailed,
      sizes,
      names,
      load: [loadBefore[0], loadAfter[0]] as [number, number],
    };
    // The run's figures before the floor and the peer (at L they take minutes more).
    if (o.out) writeFileSync(`${o.out}.run-only.md`, report({ ...figures, floor: null, peer: null }));
    const floor: FloorResult | null = o.floor
      ? await measureFloor(
          pool,
          sides.map((s) => ({ ...s, replicaUrl: urls[s.side] })),
          { schoolYear: run.school_year, asOf: run.as_of },
        )
      : null;
    const peer: PeerResult | null = o.peer
      ? await runPeer(pool, sides, localToday(new Date(), TIME_ZONE))
      : null;

    const nightly = o.nightly
      ? await nightlyRun(pool, urls, bench.districtId, Number(o.nightly), svc.runMs)
      : '';
    const text = report({ ...figures, floor, peer }) + nightly;
    return { students, text, entities };
  } finally {
    await pool?.end();
    await db.drop(o.keep);
  }
}

interface ReportInput {
  students: number;
  gen: { ms: number; maxRssMb: number; reused?: boolean };
  svc: ServiceOutput;
  steps: Array<{ step: string; target: string; start: number; end: number }>;
  entities: EntityFigure[];
  findings: Array<{ side: string; rules: string; failed: string; exceptions: string; digest: string }>;
  ruleFailed: Map<string, Map<string, number>>;
  sizes: Array<{ name: string; mb: string }>;
  names: { svc: string; old: string; new: string };
  floor: FloorResult | null;
  peer: PeerResult | null;
  load: [number, number];
}

function report(r: ReportInput): string {
  const rows = r.entities.reduce((n, e) => n + e.rows, 0);
  const phase = (step: string): number => span(r.steps.filter((s) => s.step === step));
  const one = (step: string, target: string): number => {
    const s = r.steps.find((x) => x.step === step && x.target === target);
    return s ? s.end - s.start : 0;
  };
  const extractMs = phase('extract');
  const evaluateMs = phase('evaluate');
  const compareMs = phase('compare');
  const mb = (n: string): string => `${r.sizes.find((s) => s.name === n)?.mb ?? '?'} MB`;
  const lines = [
    `# Benchmark ${new Date().toISOString().slice(0, 10)}: ${r.students} students, Aeries → PowerSchool`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}.`,
    `Load average (1 min) before / after the run: ${r.load[0].toFixed(1)} / ${r.load[1].toFixed(1)} (other work on the machine).`,
    `Run ${r.svc.runId}: ${r.svc.status}. ${r.gen.reused ? 'Replicas reused from an earlier invocation (--reuse).' : `Generation ${seconds(r.gen.ms)} s in its own process (peak ${Math.round(r.gen.maxRssMb)} MB, not counted below).`}`,
    `**Peak RSS of the service process (the whole run): ${Math.round(r.svc.maxRssMb)} MB.**`,
    `Database size after the run: service ${mb(r.names.svc)}, old replica ${mb(r.names.old)}, new replica ${mb(r.names.new)}.`,
    '',
    '## Phases',
    '',
    ...table(
      ['phase', 's', 'rows', 'rows/s'],
      ['l', 'r', 'r', 'r'],
      [
        ['validation run (total)', seconds(r.svc.runMs), rows, rate(rows, r.svc.runMs)],
        ['extract (both sides, concurrent)', seconds(extractMs), rows, rate(rows, extractMs)],
        [
          '  extract old',
          seconds(one('extract', 'old')),
          sideRows(r, 'old'),
          rate(sideRows(r, 'old'), one('extract', 'old')),
        ],
        [
          '  extract new',
          seconds(one('extract', 'new')),
          sideRows(r, 'new'),
          rate(sideRows(r, 'new'), one('extract', 'new')),
        ],
        ['evaluate (both sides, concurrent)', seconds(evaluateMs), rows, rate(rows, evaluateMs)],
        [
          '  evaluate old',
          seconds(one('evaluate', 'old')),
          sideRows(r, 'old'),
          rate(sideRows(r, 'old'), one('evaluate', 'old')),
        ],
        [
          '  evaluate new',
          seconds(one('evaluate', 'new')),
          sideRows(r, 'new'),
          rate(sideRows(r, 'new'), one('evaluate', 'new')),
        ],
        ['compare old-new', seconds(compareMs), rows, rate(rows, compareMs)],
        ['retention', seconds(phase('retention')), '', ''],
      ],
    ),
    '',
    `Peak RSS of the service per phase (sampled every 250 ms): ${['extract', 'evaluate', 'compare']
      .map((step) => {
        const w = r.steps.filter((s) => s.step === step);
        const from = Math.min(...w.map((s) => s.start));
        const to = Math.max(...w.map((s) => s.end));
        const inside = r.svc.rss.filter(([t]) => t >= from && t <= to).map(([, v]) => v);
        return `${step} ${inside.length ? Math.round(Math.max(...inside)) : '?'} MB`;
      })
      .join(', ')}.`,
    '',
    '## Extraction per entity (against the floor)',
    '',
    ...table(
      ['side', 'entity', 'rows', 'ms', 'rows/s', 'floor read ms', 'floor write ms', 'ms / floor'],
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
      r.entities.map((e) => {
        const f = r.floor?.entities.find((x) => x.side === e.side && x.entity === e.entity);
        return [
          e.side,
          e.entity,
          e.rows,
          e.ms,
          rate(e.rows, e.ms),
          f ? Math.round(f.readMs) : '',
          f ? Math.round(f.writeMs) : '',
          f ? ratio(e.ms, f.readMs + f.writeMs) : '',
        ];
      }),
    ),
    '',
  ];
  if (r.floor) {
    const f = r.floor.totalMs;
    lines.push(
      '## Floor',
      '',
      `Every entity's extract query read once with COPY (…) TO STDOUT (discarded) and its snapshot rows written once with COPY FROM, one statement at a time: **${seconds(f)} s** for both sides.`,
      '',
      ...table(
        ['ratio', 'value'],
        ['l', 'r'],
        [
          ['**total / floor**', `**${ratio(r.svc.runMs, f)}**`],
          ['extract phase (both sides, concurrent) / floor', ratio(extractMs, f)],
          [
            'extract old + extract new (sum) / floor',
            ratio(one('extract', 'old') + one('extract', 'new'), f),
          ],
        ],
      ),
      '',
    );
  }
  lines.push(
    '## Findings',
    '',
    ...table(
      ['side', 'rules', 'failed records', 'exception rows', 'results digest (rule:checked:failed:status)'],
      ['l', 'r', 'r', 'r', 'l'],
      r.findings.map((x) => [x.side, x.rules, x.failed, x.exceptions, `\`${x.digest}\``]),
    ),
    '',
  );
  if (r.peer) {
    const p = r.peer;
    const kinds = [...new Set(PEER_RULES.map((x) => x.kind))].join(', ');
    const rowsFor = SIDES.flatMap(({ side }) => {
      const a = agreement(r.ruleFailed.get(side) ?? new Map(), p.failed.get(side) ?? new Map());
      return a.rows.map(([id, ours, peer, ok]) => [
        side,
        id,
        ours ?? 'not selected',
        peer ?? '',
        ok ? 'yes' : '**no**',
      ]);
    });
    const agree = rowsFor.filter((x) => x[4] === 'yes').length;
    lines.push(
      '## DuckDB peer',
      '',
      `${PEER_RULES.length} rules per side written by hand as DuckDB SQL (${kinds}): ${PEER_RULES.map((x) => x.id).join(', ')}. ` +
        `Snapshot exported to CSV ${seconds(p.exportMs)} s, loaded into DuckDB ${seconds(p.loadMs)} s, rules ${seconds(p.rulesMs)} s ` +
        `(both sides, failing rows materialised into a table).`,
      '',
      ...table(
        ['ratio', 'value'],
        ['l', 'r'],
        [
          ['**our engine, the same rules / DuckDB rules**', `**${ratio(r.svc.peerRulesMs, p.rulesMs)}**`],
          [
            'our engine, the same rules / DuckDB load + rules',
            ratio(r.svc.peerRulesMs, p.loadMs + p.rulesMs),
          ],
          ['our whole rule phase (all rules) / DuckDB rules (peer rules)', ratio(evaluateMs, p.rulesMs)],
        ],
      ),
      '',
      `Our engine on the peer's rules alone: ${seconds(r.svc.peerRulesMs)} s (both sides concurrently, exceptions written with their values). ` +
        `Failure counts agree on ${agree} of ${rowsFor.length} (side, rule) pairs:`,
      '',
      ...table(['side', 'rule', 'ours (run)', 'DuckDB', 'agree'], ['l', 'l', 'r', 'r', 'l'], rowsFor),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** PowerSchool stamps TRANSACTION_DATE itself; the replica's triggers would stamp now, so they are off here. */
const PS_TABLES = [
  'SCHOOLS',
  'STUDENTS',
  'REENROLLMENTS',
  'StudentRace',
  'GEN',
  'SPENROLLMENTS',
  'TERMS',
  'COURSES',
  'SECTIONS',
  'CC',
  'TEACHERS',
  'S_CA_STU_X',
];

async function ageReplica(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SET session_replication_role = replica`);
    for (const t of PS_TABLES)
      await c.query(`UPDATE ${t} SET TRANSACTION_DATE = LOCALTIMESTAMP - INTERVAL '1 day'`);
    await c.query(`VACUUM ANALYZE`);
  } finally {
    await c.end();
  }
}

/**
 * The night after the full run: `percent` % of the new SIS's students, enrollments, programs and schedule rows
 * updated (the triggers stamp them, as PowerSchool does), then a nightly run. Returns the report section.
 */
async function nightlyRun(
  pool: Pool,
  urls: { svc: string; new: string },
  districtId: string,
  percent: number,
  fullMs: number,
): Promise<string> {
  const every = Math.max(1, Math.round(100 / percent));
  const c = new Client({ connectionString: urls.new });
  await c.connect();
  const touched: Array<[string, number]> = [];
  try {
    for (const [table, set] of [
      ['STUDENTS', `Last_Name = Last_Name || 'n'`],
      ['REENROLLMENTS', `ExitComment = 'nightly'`],
      ['SPENROLLMENTS', `GradeLevel = GradeLevel`],
      ['CC', `DateEnrolled = DateEnrolled`],
    ] as const) {
      const r = await c.query(`UPDATE ${table} SET ${set} WHERE mod(ID, ${every}) = 0`);
      touched.push([table, r.rowCount ?? 0]);
    }
  } finally {
    await c.end();
  }
  const loadBefore = loadavg()[0];
  const svc = await child<ServiceOutput>('service.child.ts', {
    svcUrl: urls.svc,
    districtId,
    timeZone: TIME_ZONE,
    kind: 'nightly',
    runOnly: true,
  });
  const loadAfter = loadavg()[0];
  const steps = (
    await pool.query<{ step: string; target: string; ms: number }>(
      `SELECT step, target, extract(epoch FROM completed_at - started_at) * 1000 AS ms
         FROM run_checkpoints WHERE run_id = $1 AND completed_at IS NOT NULL ORDER BY started_at`,
      [svc.runId],
    )
  ).rows;
  const entities = (
    await pool.query<{
      side: string;
      base: string | null;
      entities: Array<{ entity: string; rows: number; changed?: number; durationMs: number }>;
    }>(
      `SELECT c.target AS side, s.base_snapshot_id::text AS base, s.report->'entities' AS entities
         FROM run_checkpoints c JOIN snapshots s ON s.id = c.ref_id
        WHERE c.run_id = $1 AND c.step = 'extract' ORDER BY c.target DESC`,
      [svc.runId],
    )
  ).rows;
  const ms = (step: string, target?: string): number =>
    steps
      .filter((x) => x.step === step && (!target || x.target === target))
      .reduce((m, x) => Math.max(m, Number(x.ms)), 0);
  return [
    '',
    `## Nightly run (${percent} % of the new SIS's rows changed)`,
    '',
    `Updated in the new replica: ${touched.map(([t, n]) => `${t} ${n}`).join(', ')} rows. Then a nightly run (${svc.status}); load average ${loadBefore.toFixed(1)} / ${loadAfter.toFixed(1)}; peak RSS ${Math.round(svc.maxRssMb)} MB.`,
    'The new side (PowerSchool, change tracking) extracts incrementally; the old side (Aeries, none) in full.',
    '',
    ...table(
      ['phase', 'nightly s', 'full s', 'nightly / full'],
      ['l', 'r', 'r', 'r'],
      [
        ['run total', seconds(svc.runMs), seconds(fullMs), ratio(svc.runMs, fullMs)],
        ['extract old (full)', seconds(ms('extract', 'old')), '', ''],
        ['extract new (incremental)', seconds(ms('extract', 'new')), '', ''],
        ['evaluate old', seconds(ms('evaluate', 'old')), '', ''],
        ['evaluate new', seconds(ms('evaluate', 'new')), '', ''],
        ['compare', seconds(ms('compare')), '', ''],
      ],
    ),
    '',
    ...table(
      ['side', 'base snapshot', 'entity', 'rows', 'read from the SIS', 'ms'],
      ['l', 'l', 'l', 'r', 'r', 'r'],
      entities.flatMap((e) =>
        (e.entities ?? []).map((x) => [
          e.side,
          e.base ? 'yes' : 'no (full)',
          x.entity,
          x.rows,
          x.changed ?? x.rows,
          x.durationMs,
        ]),
      ),
    ),
    '',
  ].join('\n');
}

function sideRows(r: ReportInput, side: string): number {
  return r.entities.filter((e) => e.side === side).reduce((n, e) => n + e.rows, 0);
}

/** rows/s per entity at each size, side by side: a square law shows as rows/s falling with N. */
function scaling(results: SizeResult[]): string {
  const keys = [...new Set(results.flatMap((x) => x.entities.map((e) => `${e.side} ${e.entity}`)))];
  const lines = [
    '## rows/s per entity by size',
    '',
    ...table(
      ['side entity', ...results.map((x) => `${x.students}`)],
      ['l', ...results.map((): 'r' => 'r')],
      keys.map((k) => [
        k,
        ...results.map((x) => {
          const e = x.entities.find((y) => `${y.side} ${y.entity}` === k);
          return e ? rate(e.rows, e.ms) : '';
        }),
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(o: Options): Promise<void> {
  const sizes = o.students.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--students: positive integers, comma separated');
  const results: SizeResult[] = [];
  for (const n of sizes) {
    const r = await benchOne(n, o);
    process.stdout.write(r.text);
    results.push(r);
  }
  const all = results.map((r) => r.text).join('\n') + (results.length > 1 ? `\n${scaling(results)}` : '');
  if (results.length > 1) process.stdout.write(`\n${scaling(results)}`);
  if (o.out) writeFileSync(o.out, all);
}

const program = new Command('bench')
  .option('--students <n>', 'students in the generated district (comma separated for several sizes)', '20000')
  .option(
    '--admin-url <url>',
    'PostgreSQL admin URL',
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--out <file>', 'also write the results (markdown) to this file')
  .option('--keep', 'keep the service and replica databases for inspection')
  .option('--profile', 'write a CPU profile of the service process to var/bench-prof/')
  .option(
    '--reuse',
    'keep the generated replicas (sisc_bench_old_n<N>, sisc_bench_new_n<N>) and reuse them in later invocations',
  )
  .option(
    '--nightly <percent>',
    'after the full run, change this % of the new SIS rows and measure a nightly (incremental) run',
  )
  .option('--no-floor', 'skip the data-movement floor')
  .option('--no-peer', 'skip the DuckDB peer')
  .action((o: Options) => main(o));
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${errorText(err, { stack: true })}\n`);
  process.exitCode = 1;
});
