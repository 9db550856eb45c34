import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from 'src/bootstrap';
import { ProbeSchedulerService } from 'src/connectivity/probe-scheduler.service';
import { createTestApp, type TestApp } from 'test/helpers/app';
import { createTestDatabase, type TestDatabase } from 'test/helpers/database';
import { factory } from 'test/helpers/factory';
import { SmtpCapture, waitFor } from 'test/notifications/support/smtp-capture';
import {
  SUPPORT_EMAIL,
  directLink,
  fastHealthEnv,
  outboxOf,
  technicalContact,
  waitForAlertsSettled,
  waitForMoreProbes,
  waitForState,
} from 'test/connectivity/support/link-health.fixture';
import { TcpProxy } from 'test/connectivity/support/tcp-proxy';

describe('two service instances on one database', () => {
  let t: TestApp;
  let second: NestExpressApplication;
  let replica: TestDatabase;
  let proxy: TcpProxy;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    replica = await createTestDatabase({ scratch: true });
    proxy = await TcpProxy.start('127.0.0.1', 5432);
    smtp = await SmtpCapture.started();
    t = await createTestApp(fastHealthEnv(smtp.url));
    second = await createApp({
      config: t.config,
      databaseUrl: t.db.url,
      secretsKey: t.config.security.SECRETS_KEY ?? '',
    });
    await second.init();
  });

  afterAll(async () => {
    await second?.close();
    await t?.close();
    await proxy?.close();
    await smtp?.stop();
    await replica?.drop();
  });

  it('claims each probe round once, and alerts once, with both instances running', async () => {
    const district = await factory.district(t.db.pool, { name: 'Cedar USD' });
    await technicalContact(t.db.pool, district.id, 'it@cedar.test');
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    await waitForState(t.db.pool, linkId, 'UP');

    proxy.cut();
    await waitFor('DOWN messages', () => smtp.received.length >= 2);
    proxy.restore();
    await waitFor('recovery messages', () => smtp.received.length >= 4);
    // The incident is resolved (the policy has nothing left to send for it) and every outbox row is
    // delivered; then both instances probe the link again: ticks after which a second alert would exist.
    await waitForAlertsSettled(t.db.pool, district.id, 'resolved');
    await waitForMoreProbes(t.db.pool, linkId, 10, true);
    expect(smtp.summary()).toEqual([
      'it@cedar.test | [sis-certify] DOWN: Cedar USD — Aeries (current)',
      'it@cedar.test | [sis-certify] RECOVERED: Cedar USD — Aeries (current)',
      `${SUPPORT_EMAIL} | [sis-certify] DOWN: Cedar USD — Aeries (current)`,
      `${SUPPORT_EMAIL} | [sis-certify] RECOVERED: Cedar USD — Aeries (current)`,
    ]);
    const incidents = await t.db.pool.query(`SELECT id FROM incidents WHERE link_id = $1`, [linkId]);
    expect(incidents.rowCount).toBe(1);
    expect((await outboxOf(t.db.pool, district.id)).map((r) => [r.kind, r.status, r.recipients])).toEqual([
      ['link_open', 'sent', ['it@cedar.test']],
      ['link_open', 'sent', [SUPPORT_EMAIL]],
      ['link_recovery', 'sent', ['it@cedar.test']],
      ['link_recovery', 'sent', [SUPPORT_EMAIL]],
    ]);
  });

  it('never probes one link twice in a round when both instances tick at once', async () => {
    const district = await factory.district(t.db.pool, { name: 'Birch USD' });
    const linkId = await directLink(t.db.pool, district.id, proxy.port, replica.name);
    // A long interval: after one claimed round the link is not due again during this test.
    await t.db.pool.query(`UPDATE sis_links SET probe_interval_seconds = 3600 WHERE id = $1`, [linkId]);
    const saved = t.config.health.PROBE_INTERVAL_OVERRIDE_MS;
    t.config.health.PROBE_INTERVAL_OVERRIDE_MS = undefined;
    try {
      const a = t.app.get(ProbeSchedulerService);
      const b = second.get(ProbeSchedulerService);
      expect(a.instanceId).not.toBe(b.instanceId);
      await Promise.all([a.probeDue(), b.probeDue(), a.probeDue(), b.probeDue()]);
      await waitForState(t.db.pool, linkId, 'UP');
      await Promise.all([a.probeDue(), b.probeDue()]);
      const { rows } = await t.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM probe_results WHERE link_id = $1`,
        [linkId],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      t.config.health.PROBE_INTERVAL_OVERRIDE_MS = saved;
    }
  });
});
