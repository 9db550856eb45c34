import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from 'src/database/data-source';
import { DataSourceSqlRunner } from 'src/database/sql-runner';
import { AgentRelayRepository } from 'src/agent-gateway/agent-relay.repository';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { waitFor } from 'test/notifications/support/smtp-capture';

/**
 * The relay's claims between instances, on the real table: one holder at a time, a lapsed lease is claimed
 * again by the next instance (whose work then counts), and the one that lost it can no longer finish.
 */
describe('agent relay requests', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: AgentRelayRepository;
  let districtId: string;
  let linkId: string;
  const agentId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 4).initialize();
    repo = new AgentRelayRepository(new DataSourceSqlRunner(ds));
    districtId = (await factory.district(db.pool)).id;
    linkId = (await factory.link(db.pool, districtId, { sis_kind: 'aeries', transport: 'agent' })).id;
  });
  beforeEach(async () => {
    await db.pool.query('DELETE FROM agent_extract_requests');
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function request(): Promise<string> {
    const snapshotId = await factory.snapshot(db.pool, districtId, linkId, { status: 'extracting' });
    await repo.request({
      snapshotId,
      districtId,
      runId: null,
      linkId,
      agentId,
      schoolYear: 2026,
      asOf: '2026-11-01',
      windowYears: 3,
    });
    return snapshotId;
  }

  it('gives a request to one instance at a time, and only for the agents connected to it', async () => {
    const snapshotId = await request();
    expect(await repo.claim([randomUUID()], 'instance-b', 10_000)).toBeNull();
    const [a, b] = await Promise.all([
      repo.claim([agentId], 'instance-a', 10_000),
      repo.claim([agentId], 'instance-b', 10_000),
    ]);
    const winners = [a, b].filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    // The asking run's comparison window travels with the request (the holder extracts those years).
    expect(winners[0]).toMatchObject({
      snapshotId,
      status: 'running',
      attempts: 1,
      leaseValid: true,
      windowYears: 3,
    });
    const holder = a ? 'instance-a' : 'instance-b';
    await repo.finish(snapshotId, holder, { totalRows: 3, entities: { school: 3 } });
    expect(await repo.find(snapshotId)).toMatchObject({ status: 'done', report: { totalRows: 3 } });
    // Asking again for a finished snapshot leaves it finished.
    await repo.request({
      snapshotId,
      districtId,
      runId: null,
      linkId,
      agentId,
      schoolYear: 2026,
      asOf: '2026-11-01',
    });
    expect((await repo.find(snapshotId))?.status).toBe('done');
  });

  it('lets another instance take over a lapsed lease; the old holder can neither renew nor finish', async () => {
    const snapshotId = await request();
    expect(await repo.claim([agentId], 'dead-instance', 3_000)).toMatchObject({ snapshotId, attempts: 1 });
    expect(await repo.claim([agentId], 'instance-b', 10_000)).toBeNull();
    // The relay's own view of the row: the dead holder's lease has lapsed (the database clock decides).
    await waitFor('the lapsed lease', async () => (await repo.find(snapshotId))?.leaseValid === false);
    expect(await repo.claim([agentId], 'instance-b', 10_000)).toMatchObject({
      snapshotId,
      attempts: 2,
      claimedBy: 'instance-b',
    });
    expect(await repo.renew(snapshotId, 'dead-instance', 10_000, null)).toBe(false);
    await repo.finish(snapshotId, 'dead-instance', { totalRows: 1, entities: {} });
    expect((await repo.find(snapshotId))?.status).toBe('running');
    expect(
      await repo.renew(snapshotId, 'instance-b', 10_000, { fraction: 0.5, message: 'extracting student' }),
    ).toBe(true);
    await repo.fail(snapshotId, 'instance-b', 'UNREACHABLE', 'the agent went away');
    expect(await repo.find(snapshotId)).toMatchObject({
      status: 'failed',
      errorCode: 'UNREACHABLE',
      progress: { fraction: 0.5 },
    });
    // A failed request asked for again (the run's next attempt) is pending once more.
    await repo.request({
      snapshotId,
      districtId,
      runId: null,
      linkId,
      agentId,
      schoolYear: 2026,
      asOf: '2026-11-01',
    });
    expect(await repo.find(snapshotId)).toMatchObject({ status: 'pending', errorCode: null });
  });

  it('gives up only on a request nobody holds', async () => {
    const snapshotId = await request();
    await repo.claim([agentId], 'instance-a', 10_000);
    expect(await repo.abandon(snapshotId, 'nobody took it')).toBe(false);
    await repo.fail(snapshotId, 'instance-a', 'TIMEOUT', 'slow');
    const unclaimed = await request();
    expect(await repo.abandon(unclaimed, 'the agent is not connected to any service instance')).toBe(true);
    expect(await repo.find(unclaimed)).toMatchObject({ status: 'failed', errorCode: 'UNREACHABLE' });
  });
});
