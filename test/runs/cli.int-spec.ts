import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { CliContext } from 'src/cli/cli-context';
import { crosswalkImport, crosswalkList, crosswalkReport } from 'src/comparison/id-crosswalk.cli';
import { compareCommand, runCommand } from 'src/runs/runs.cli';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink } from 'test/runs/run-fixtures';

/** The functions behind `sis-certify run`, `sis-certify compare` and `sis-certify crosswalk`. */
describe('run and compare from the CLI', () => {
  let db: TestDatabase;
  let replica: TestDatabase;
  let ctx: CliContext;
  let lines: string[];
  let write: jest.SpyInstance;

  beforeAll(async () => {
    [db, replica] = await Promise.all([createTestDatabase(), createTestDatabase({ scratch: true })]);
    await generateDistrict(replica.url, {
      sis: 'aeries',
      students: 150,
      seed: 'cli',
      schoolYear: 2026,
      asOf: '2026-11-01',
    });
    ctx = new CliContext({
      DATABASE_URL: db.url,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
    });
  });

  beforeEach(() => {
    lines = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
  });

  afterEach(() => write.mockRestore());

  afterAll(async () => {
    await ctx?.close();
    await db?.drop();
    await replica?.drop();
  });

  it('executes a migration run in-process and prints the comparison', async () => {
    const d = await factory.district(db.pool);
    await replicaLink(db.pool, d.id, replica, { role: 'old', sis: 'aeries' });
    await replicaLink(db.pool, d.id, replica, { role: 'new', sis: 'aeries' });
    const run = await runCommand(ctx, { districtId: d.id, asOf: '2026-11-01' });
    expect(run).toMatchObject({
      status: 'done',
      triggerKind: 'cli',
      oldLinkId: expect.any(String),
      newLinkId: expect.any(String),
    });
    expect(lines.join('')).toMatch(/comparison [0-9a-f-]{36}/);
    // Same replica on both sides: everything matches.
    expect(lines.join('')).toMatch(/student\s+150\s+150\s+150\s+0\s+0\s+0/);

    const { rows } = await db.pool.query<{ link: string; id: string }>(
      `SELECT l.role AS link, s.id FROM snapshots s JOIN sis_links l ON l.id = s.link_id WHERE s.run_id = $1`,
      [run.id],
    );
    const snap = Object.fromEntries(rows.map((r) => [r.link, r.id]));
    const id = await compareCommand(ctx, {
      districtId: d.id,
      oldSnapshotId: snap.old,
      newSnapshotId: snap.new,
      studentKeys: ['student_id'],
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      compareCommand(ctx, { districtId: d.id, oldSnapshotId: snap.old, newSnapshotId: d.id }),
    ).rejects.toThrow('new snapshot not found');

    // The vendor's student crosswalk, through the same service as the API: imported, listed, reported.
    const ids = (
      await db.pool.query<{ student_id: string }>(
        `SELECT student_id FROM snap_student WHERE snapshot_id = $1 ORDER BY student_id LIMIT 2`,
        [snap.old],
      )
    ).rows.map((r) => r.student_id);
    const dir = await mkdtemp(join(tmpdir(), 'crosswalk-'));
    try {
      const file = join(dir, 'students.csv');
      await writeFile(file, `old_id,new_id\n${ids[0]},${ids[0]}\n${ids[1]},${ids[1]}\nNOPE1,NOPE2\n`);
      lines.length = 0;
      await crosswalkImport(ctx, { districtId: d.id, entity: 'student', file });
      expect(lines.join('')).toContain('student: 3 mappings read, 3 inserted, 0 updated, 0 removed');
      lines.length = 0;
      await crosswalkList(ctx, { districtId: d.id, entity: 'student' });
      expect(lines.join('')).toContain(`student: 3 mappings`);
      expect(lines.join('')).toContain(`  NOPE1 -> NOPE2`);
      lines.length = 0;
      await crosswalkReport(ctx, { districtId: d.id, entity: 'student', runId: run.id });
      expect(lines.join('')).toContain('old ids found in the old SIS: 2 of 3');
      expect(lines.join('')).toContain('unknown new ids (first 1): NOPE2');
      await expect(crosswalkList(ctx, { districtId: d.id, entity: 'pets' })).rejects.toThrow(
        'entity must be one of',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
