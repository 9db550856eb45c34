/**
 * The peer: what a data engineer would do by hand — export the snapshot to CSV, load it into DuckDB, and write
 * the same rule checks as plain SQL. The checks mirror the rule packs' definitions (same `when`, same blank,
 * range and overlap semantics), so their failure counts must equal the engine's; the benchmark prints both.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CANONICAL_ENTITIES, snapshotTable } from 'connectors/sdk/canonical';

/** One hand-written check: the failing rows of `entity` in schema `s` (columns row_no, source_key). */
export interface PeerRule {
  id: string;
  kind: string;
  sql: (s: string, today: string) => string;
}

const NAME = `'^[^0-9!@#$%&*()_+=<>?/|~";:,{}^]*$'`;
const blank = (c: string): string => `(${c} IS NULL OR trim(${c}) = '')`;

/** No overlap per key: the engine's definition (spans ordered by start, row_no; an open end is infinity). */
function overlap(
  s: string,
  table: string,
  keys: string[],
  start: string,
  end: string,
  where: string,
): string {
  const w = `PARTITION BY ${keys.join(', ')} ORDER BY ${start}, row_no`;
  return `SELECT row_no, source_key FROM (
      SELECT row_no, source_key, ${start}, ${end},
             max(coalesce(${end}, 'infinity'::date)) OVER (${w} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end,
             lead(${start}) OVER (${w}) AS next_start
        FROM ${s}.${table}
       WHERE ${where} ${keys.map((k) => `AND ${k} IS NOT NULL`).join(' ')} AND ${start} IS NOT NULL
         AND (${end} IS NULL OR ${end} >= ${start})) y
    WHERE coalesce(prev_end >= ${start} OR next_start <= coalesce(${end}, 'infinity'::date), false)`;
}

function duplicates(s: string, table: string, keys: string[]): string {
  const notNull = keys.map((k) => `${k} IS NOT NULL`).join(' AND ');
  return `SELECT row_no, source_key FROM (
      SELECT row_no, source_key, count(*) OVER (PARTITION BY ${keys.join(', ')}) AS n FROM ${s}.${table} WHERE ${notNull}) d
    WHERE n > 1`;
}

/** The rules in the peer: every rule kind the issue names (required … exists), on every large entity. */
export const PEER_RULES: PeerRule[] = [
  {
    id: 'COM-STU-001',
    kind: 'required',
    sql: (s) => `SELECT row_no, source_key FROM ${s}.student WHERE ${blank('state_student_id')}`,
  },
  {
    id: 'COM-STU-002',
    kind: 'required',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.student WHERE ${blank('last_name')} OR ${blank('first_name')}`,
  },
  {
    id: 'COM-ENR-001',
    kind: 'required',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.enrollment
        WHERE ${blank('student_id')} OR ${blank('school_id')} OR entry_date IS NULL OR ${blank('grade_level')}`,
  },
  {
    id: 'COM-ENR-003',
    kind: 'allowed',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.enrollment WHERE grade_level IS NOT NULL AND grade_level NOT IN
        ('IT','PR','PK','TK','KG','01','02','03','04','05','06','07','08','09','10','11','12','13','UG','AD')`,
  },
  {
    id: 'COM-STU-005',
    kind: 'allowed',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.student WHERE sex IS NOT NULL AND sex NOT IN ('F','M','X','U')`,
  },
  {
    id: 'COM-STU-006',
    kind: 'pattern',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.student WHERE last_name IS NOT NULL AND NOT regexp_matches(last_name, ${NAME})`,
  },
  {
    id: 'COM-STU-015',
    kind: 'pattern',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.student
        WHERE state_student_id IS NOT NULL AND NOT regexp_matches(state_student_id, '^[A-Za-z0-9]+$')`,
  },
  {
    id: 'COM-STF-003',
    kind: 'pattern',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.staff
        WHERE email IS NOT NULL AND NOT regexp_matches(email, '^[^@ ]+@[^@ ]+[.][A-Za-z]{2,}$')`,
  },
  {
    id: 'COM-STU-009',
    kind: 'range',
    sql: (s, today) =>
      `SELECT row_no, source_key FROM ${s}.student WHERE birth_date IS NOT NULL AND birth_date > DATE '${today}'`,
  },
  {
    id: 'COM-ENR-006',
    kind: 'compare',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.enrollment
        WHERE coalesce(coalesce(exit_code, '-') <> 'N470', false)
          AND exit_date IS NOT NULL AND entry_date IS NOT NULL AND NOT (exit_date >= entry_date)`,
  },
  {
    id: 'COM-PRG-002',
    kind: 'compare',
    sql: (s) =>
      `SELECT row_no, source_key FROM ${s}.program
        WHERE end_date IS NOT NULL AND start_date IS NOT NULL AND NOT (end_date >= start_date)`,
  },
  { id: 'COM-STU-013', kind: 'unique', sql: (s) => duplicates(s, 'student', ['state_student_id']) },
  {
    id: 'COM-ENR-010',
    kind: 'unique',
    sql: (s) => duplicates(s, 'enrollment', ['student_id', 'school_id', 'entry_date']),
  },
  {
    id: 'COM-ENR-022',
    kind: 'no_overlap',
    sql: (s) => overlap(s, 'enrollment', ['student_id'], 'entry_date', 'exit_date', 'TRUE'),
  },
  {
    id: 'COM-PRG-007',
    kind: 'no_overlap',
    sql: (s) => overlap(s, 'program', ['student_id', 'program_code'], 'start_date', 'end_date', 'TRUE'),
  },
  {
    id: 'COM-ENR-014',
    kind: 'exists',
    sql: (s) =>
      `SELECT e.row_no, e.source_key FROM ${s}.enrollment e
        WHERE e.student_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${s}.student t WHERE t.student_id = e.student_id)`,
  },
  {
    id: 'COM-STU-018',
    kind: 'exists',
    sql: (s) =>
      `SELECT t.row_no, t.source_key FROM ${s}.student t
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.enrollment e WHERE e.student_id = t.student_id)`,
  },
  {
    id: 'COM-SCH-005',
    kind: 'exists',
    sql: (s) =>
      `SELECT r.row_no, r.source_key FROM ${s}.student_section r
        WHERE r.student_id IS NOT NULL AND r.school_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${s}.enrollment e WHERE e.student_id = r.student_id AND e.school_id = r.school_id)`,
  },
];

const DUCK_TYPE: Record<string, string> = {
  integer: 'BIGINT',
  bigint: 'BIGINT',
  smallint: 'BIGINT',
  date: 'DATE',
  boolean: 'BOOLEAN',
  uuid: 'VARCHAR',
};

export interface PeerSide {
  side: string;
  snapshotId: string;
}

export interface PeerResult {
  exportMs: number;
  loadMs: number;
  rulesMs: number;
  /** side → rule id → failing rows. */
  failed: Map<string, Map<string, number>>;
}

/** Exports both snapshots to CSV (timed), loads them into DuckDB (timed), runs the peer rules (timed). */
export async function runPeer(pool: Pool, sides: PeerSide[], today: string): Promise<PeerResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sisc-bench-peer-'));
  try {
    const files: Array<{ side: string; entity: string; file: string; columns: string }> = [];
    const t0 = performance.now();
    for (const { side, snapshotId } of sides) {
      for (const entity of CANONICAL_ENTITIES) {
        const table = snapshotTable(entity);
        const { rows: cols } = await pool.query<{ column_name: string; data_type: string }>(
          `SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
        const file = join(dir, `${side}_${entity}.csv`);
        const client = await pool.connect();
        try {
          const id = snapshotId.replace(/[^0-9a-f-]/g, '');
          await pipeline(
            client.query(
              copyTo(
                `COPY (SELECT * FROM ${table} WHERE snapshot_id = '${id}') TO STDOUT WITH (FORMAT csv, HEADER)`,
              ),
            ),
            createWriteStream(file),
          );
        } finally {
          client.release();
        }
        const columns = cols.map((c) => `'${c.column_name}': '${DUCK_TYPE[c.data_type] ?? 'VARCHAR'}'`);
        files.push({ side, entity, file, columns: `{${columns.join(', ')}}` });
      }
    }
    const exportMs = performance.now() - t0;

    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    try {
      const t1 = performance.now();
      for (const side of new Set(sides.map((s) => s.side))) await conn.run(`CREATE SCHEMA ${side}`);
      for (const f of files) {
        await conn.run(
          `CREATE TABLE ${f.side}.${f.entity} AS SELECT * FROM read_csv('${f.file}', header = true,
             allow_quoted_nulls = false, columns = ${f.columns})`,
        );
      }
      const loadMs = performance.now() - t1;

      const t2 = performance.now();
      await conn.run(
        `CREATE TABLE exceptions (side VARCHAR, rule_id VARCHAR, row_no BIGINT, source_key VARCHAR)`,
      );
      for (const { side } of sides)
        for (const r of PEER_RULES)
          await conn.run(
            `INSERT INTO exceptions SELECT '${side}', '${r.id}', row_no, source_key FROM (${r.sql(side, today)}) f`,
          );
      const counts = await conn.runAndReadAll(
        `SELECT side, rule_id, count(*)::INTEGER AS n FROM exceptions GROUP BY side, rule_id`,
      );
      const rulesMs = performance.now() - t2;

      const failed = new Map<string, Map<string, number>>();
      for (const { side } of sides) failed.set(side, new Map(PEER_RULES.map((r) => [r.id, 0])));
      for (const row of counts.getRowObjects())
        failed.get(String(row.side))?.set(String(row.rule_id), Number(row.n));
      return { exportMs, loadMs, rulesMs, failed };
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
