import type { Pool } from 'pg';
import type { TestDatabase } from 'test/helpers/database';

/** A direct pg link to a generated replica database. */
export async function replicaLink(
  pool: Pool,
  districtId: string,
  replica: TestDatabase,
  o: { role: 'current' | 'old' | 'new'; sis: string; isTestCopy?: boolean; snapshotsToKeep?: number },
): Promise<string> {
  const u = new URL(replica.url);
  const settings = {
    driver: 'pg',
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    database: u.pathname.slice(1),
  };
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sis_links (district_id, name, role, sis_kind, transport, settings, is_test_copy, snapshots_to_keep)
     VALUES ($1, $2, $3, $4, 'direct', $5, $6, $7) RETURNING id`,
    [
      districtId,
      `${o.sis} ${o.role}`,
      o.role,
      o.sis,
      JSON.stringify(settings),
      o.isTestCopy ?? false,
      o.snapshotsToKeep ?? 3,
    ],
  );
  return rows[0].id;
}

export interface RunRow {
  id: string;
  status: string;
  phase: string | null;
  percent: string;
  kind: string;
  skip_reason: string | null;
  error: string | null;
  attempts: number;
  catch_up_of: string | null;
  trigger_kind: string;
  scheduled_for: Date | null;
}

export async function runRow(pool: Pool, runId: string): Promise<RunRow> {
  const { rows } = await pool.query<RunRow>(`SELECT * FROM runs WHERE id = $1`, [runId]);
  return rows[0];
}

/** Polls the run until `until` holds (default: a final status). */
export async function waitForRun(
  pool: Pool,
  runId: string,
  timeoutMs = 300_000,
  until: (r: RunRow) => boolean = (r) => ['done', 'failed', 'skipped', 'cancelled'].includes(r.status),
): Promise<RunRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await runRow(pool, runId);
    if (r && until(r)) return r;
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} still ${r?.status}/${r?.phase} after ${timeoutMs} ms (error: ${r?.error ?? '-'})`,
      );
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** HH:MM in the zone, shifted by `minutes`. */
export function localHHMM(timeZone: string, minutes: number, now = new Date()): string {
  const t = new Date(now.getTime() + minutes * 60_000);
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(t);
}

/** The result fingerprint of a run's evaluations and snapshots, for comparing two runs of the same data. */
export async function runResults(
  pool: Pool,
  runId: string,
): Promise<{
  rows: Record<string, Record<string, number>>;
  rules: Record<string, Record<string, { checked: number; failed: number }>>;
  fingerprints: Record<string, string[]>;
}> {
  const cps = await pool.query<{ target: string; ref_id: string; step: string }>(
    `SELECT step, target, ref_id FROM run_checkpoints WHERE run_id = $1 ORDER BY step, target`,
    [runId],
  );
  const out = {
    rows: {} as Record<string, Record<string, number>>,
    rules: {} as Record<string, Record<string, { checked: number; failed: number }>>,
    fingerprints: {} as Record<string, string[]>,
  };
  for (const cp of cps.rows) {
    if (cp.step === 'extract') {
      const counts: Record<string, number> = {};
      for (const e of ['school', 'student', 'enrollment', 'program', 'section', 'student_section', 'staff']) {
        const { rows } = await pool.query<{ n: string; d: string }>(
          `SELECT count(*) AS n, count(DISTINCT row_no) AS d FROM snap_${e} WHERE snapshot_id = $1`,
          [cp.ref_id],
        );
        counts[e] = Number(rows[0].n);
        counts[`${e}_distinct_row_no`] = Number(rows[0].d);
      }
      out.rows[cp.target] = counts;
    }
    if (cp.step === 'evaluate') {
      const r = await pool.query<{ rule_id: string; checked: string; failed: string }>(
        `SELECT rule_id, checked, failed FROM rule_results WHERE evaluation_id = $1 ORDER BY rule_id`,
        [cp.ref_id],
      );
      out.rules[cp.target] = Object.fromEntries(
        r.rows.map((x) => [x.rule_id, { checked: Number(x.checked), failed: Number(x.failed) }]),
      );
      const f = await pool.query<{ fingerprint: string }>(
        `SELECT fingerprint FROM rule_exceptions WHERE evaluation_id = $1 ORDER BY fingerprint`,
        [cp.ref_id],
      );
      out.fingerprints[cp.target] = f.rows.map((x) => x.fingerprint);
    }
  }
  return out;
}
