import { DigestService } from 'src/scorecards/digest.service';
import { createTestApp, type TestApp, type TestUser } from 'test/helpers/app';
import { SmtpCapture } from 'test/notifications/support/smtp-capture';
import {
  RUN_ENV,
  runOnce,
  scoredDistrict,
  until,
  type ScoredDistrict,
} from 'test/scorecards/scorecard-fixtures';

const PUBLIC_URL = 'https://certify.example.org';

/**
 * The nightly digest through the outbox to a real SMTP server: one e-mail per user with their scope's score, new
 * and resolved findings, top rules and the scorecard link; none for users who opted out; none when nothing changed;
 * never twice for the same user and run.
 */
describe('nightly digest', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let d: ScoredDistrict & { changedStudentId: string };
  let admin: TestUser;
  let schoolUser: TestUser;
  let optedOut: TestUser;
  let school: string;

  const digestRows = async (runId: string) =>
    (
      await t.db.pool.query<{ dedupe_key: string; recipients: string[] }>(
        `SELECT dedupe_key, recipients FROM notification_outbox WHERE kind = 'digest' AND dedupe_key LIKE $1 ORDER BY dedupe_key`,
        [`digest:${runId}:%`],
      )
    ).rows;

  beforeAll(async () => {
    smtp = await SmtpCapture.started();
    t = await createTestApp({
      ...RUN_ENV,
      SMTP_URL: smtp.url,
      MAIL_CHANNEL: 'smtp',
      OUTBOX_POLL_MS: '200',
      PUBLIC_URL,
    });
    d = await scoredDistrict(t, {
      seed: 'digest',
      name: 'Digest Unified',
      kind: 'nightly',
      before: async (districtId) => {
        admin = await t.user('district_admin', districtId);
        optedOut = await t.user('district_admin', districtId);
        await t.http
          .patch('/api/me/digest')
          .auth(optedOut.token, { type: 'bearer' })
          .send({ enabled: false })
          .expect(200, { enabled: false });
      },
    });
    const { rows } = await t.db.pool.query<{ school_id: string }>(
      `SELECT school_id FROM scorecard_students WHERE district_id = $1 AND student_id = $2 LIMIT 1`,
      [d.districtId, d.changedStudentId],
    );
    school = rows[0].school_id;
  });

  afterAll(async () => {
    await t?.close();
    await d?.replica.drop();
    await smtp?.stop();
  });

  it('mails each user their scope’s score, what is new and resolved, top rules and the scorecard link', async () => {
    const [, second] = d.runIds;
    const card = (
      await t.http
        .get(`/api/districts/${d.districtId}/scorecard`)
        .auth(admin.token, { type: 'bearer' })
        .expect(200)
    ).body as { score: number; findings: { new: number; resolved: number } };
    const subject = `Digest Unified: score ${card.score}, ${card.findings.new} new, ${card.findings.resolved} resolved`;
    const latest = await until('the admin’s digest of the second run', async () =>
      smtp.received.find((m) => m.to.includes(admin.email) && m.subject === subject),
    );
    expect(latest.text).toContain(`Score: ${card.score}`);
    expect(latest.text).toContain(
      `New since the previous run: ${card.findings.new}; resolved: ${card.findings.resolved}`,
    );
    expect(latest.text).toMatch(
      /Top rules:\n- \S+ .+ \[(fatal|error|warning)\]: \d+ open, \d+ new, \d+ resolved\n/,
    );
    expect(latest.text).toContain(`${PUBLIC_URL}/districts/${d.districtId}/scorecard`);
    expect(latest.html).toContain(`href="${PUBLIC_URL}/districts/${d.districtId}/scorecard"`);
    expect(smtp.received.filter((m) => m.to.includes(optedOut.email))).toEqual([]);
    expect((await digestRows(second)).map((r) => r.recipients)).toEqual([[admin.email]]);
  });

  it('never queues the same user and run twice', async () => {
    const [, second] = d.runIds;
    expect(await t.app.get(DigestService).afterRun(d.districtId, second)).toBe(0);
    expect(await digestRows(second)).toHaveLength(1);
  });

  it('scopes a school user’s digest to their school and stays quiet when nothing changed', async () => {
    schoolUser = await t.user('school_user', d.districtId, { schoolIds: [school] });
    await d.replica.pool.query(`UPDATE STU SET BD = '2013-03-03' WHERE ID = $1`, [
      Number(d.changedStudentId),
    ]);
    const third = await runOnce(t, d.districtId, 'nightly');
    const mail = await until('the school user’s digest', async () =>
      smtp.received.find((m) => m.to.includes(schoolUser.email)),
    );
    expect(mail.text).toContain(`schools ${school}`);
    expect(mail.text).toMatch(/resolved: [1-9]/);
    await until('both digests of the third run', async () => (await digestRows(third)).length === 2);
    // A fourth run over unchanged data has nothing to say.
    const fourth = await runOnce(t, d.districtId, 'manual');
    expect(await t.app.get(DigestService).afterRun(d.districtId, fourth)).toBe(0);
    expect(await digestRows(fourth)).toEqual([]);
  });
});
