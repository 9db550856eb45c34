import { randomBytes } from 'node:crypto';
import { generateDistrict } from 'connectors/generator/district-generator.service';
import { CliContext } from 'src/cli/cli-context';
import { compareCommand, runCommand } from 'src/runs/runs.cli';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { replicaLink } from 'test/runs/run-fixtures';

/** The functions behind `sis-certify run` and `sis-certify compare`. */
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
  });
});
