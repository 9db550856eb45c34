import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD } from 'test/helpers/app';
import { launchBrowser, logIn, openPage, screenshot } from 'test/ui/browser';
import { createUiWorld, type UiWorld } from 'test/ui/ui-world';

/**
 * The web UI in headless Chromium against a real service on a free port, over a district whose data was
 * produced by the real pipeline (generated Aeries and PowerSchool replicas, a migration run).
 */
describe('web UI in Chromium', () => {
  let w: UiWorld;
  let browser: Browser;
  const pages: Page[] = [];
  const errors: string[][] = [];

  async function page(width = 1280): Promise<Page> {
    const p = await openPage(browser, { width });
    pages.push(p.page);
    errors.push(p.errors);
    return p.page;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    w = await createUiWorld();
  });

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  afterEach(() => {
    // No script error and no CSP violation on any page the test opened.
    // Taken before asserting, so one test's errors are reported once and never blamed on the next.
    const seen = errors.splice(0).flat();
    expect(seen).toEqual([]);
  });

  it('sends an anonymous visitor to the login page and back to the page asked for after logging in', async () => {
    const p = await page();
    await p.goto(`${w.baseUrl}/status`);
    await p.waitForURL(/\/login\?next=%2Fstatus$/);
    await screenshot(p, '01-login');
    await p.getByLabel('E-mail').fill(w.support.email);
    await p.getByLabel('Password').fill('wrong password here');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    await p.getByLabel('Password').fill(TEST_PASSWORD);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL(`${w.baseUrl}/status`);
    await p.getByRole('heading', { name: 'Link status' }).waitFor();
  });

  it('support: the link status board shows every link with its uptime chart', async () => {
    const p = await page();
    await logIn(p, w.baseUrl, w.support.email, TEST_PASSWORD);
    await p.goto(`${w.baseUrl}/status`);
    const card = p.locator('section', { has: p.getByRole('heading', { name: /Riverside Unified/ }) });
    await card.getByRole('row', { name: /aeries old/ }).waitFor();
    await card.getByRole('row', { name: /powerschool new/ }).waitFor();
    expect(await card.getByRole('row', { name: /aeries old/ }).innerText()).toMatch(/UP/);
    await p.locator('#uptime canvas').waitFor();
    expect(await p.locator('#uptime canvas').getAttribute('aria-label')).toMatch(/aeries old/);
    await p.getByRole('heading', { name: 'Incidents' }).waitFor();
    await screenshot(p, '02-status-board');
    // logging out ends the session: the next page asks for the login again
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.waitForURL(/\/login/);
    await p.goto(`${w.baseUrl}/status`);
    await p.waitForURL(/\/login\?next=/);
  });

  it('district admin: starts a run and follows its live progress until it is done', async () => {
    const p = await page();
    await logIn(p, w.baseUrl, w.admin.email, TEST_PASSWORD);
    await p.goto(`${w.baseUrl}/districts/${w.districtId}/runs`);
    await p.getByRole('heading', { name: 'All runs' }).waitFor();
    const before = await p.locator('table tbody tr').count();
    await p.getByLabel('Kind').selectOption('manual');
    await p.getByRole('button', { name: 'Start a run' }).click();
    await p.getByRole('status').filter({ hasText: 'Run started' }).waitFor();
    // A locator wait, not waitForFunction(string): that one polls through eval, which the page's CSP refuses
    // whenever the row is not there at the first look (a loaded machine).
    await p.locator('table tbody tr').nth(before).waitFor();
    await p.locator('table tbody tr').first().getByRole('link').first().click();
    await p.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const bar = p.getByRole('progressbar', { name: 'Run progress' });
    await bar.waitFor();
    await p.locator('[aria-live] [role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 120_000 });
    await p.locator('h1').getByText('Done').waitFor({ timeout: 30_000 });
    await screenshot(p, '03-run-done');
    await p.goto(`${w.baseUrl}/districts/${w.districtId}/runs`);
    await p.getByRole('heading', { name: 'All runs' }).waitFor();
    await screenshot(p, '03-runs');
  });

  it('district admin: the migration comparison, per-school readiness, differences and the rule delta', async () => {
    const p = await page();
    await logIn(p, w.baseUrl, w.admin.email, TEST_PASSWORD);
    // "Migration" opens the latest run that compared both SIS (another test may have run one since the fixture)
    await p.getByRole('link', { name: 'Migration' }).click();
    await p.waitForURL(new RegExp(`/districts/${w.districtId}/runs/[0-9a-f-]{36}/comparison$`));
    const runId = new URL(p.url()).pathname.split('/')[4];
    const api = (path: string) =>
      w.t.http.get(`/api/districts/${w.districtId}${path}`).auth(w.admin.token, { type: 'bearer' });
    const diffs = (await api(`/runs/${runId}/comparison/differences?kind=field`)).body as {
      items: Array<{
        field: string;
        oldValue: string | null;
        newValue: string | null;
        key: Record<string, string>;
      }>;
    };
    const delta = (await api(`/runs/${runId}/comparison/rule-delta`)).body as {
      rules: Array<{ ruleId: string; onlyInOld: number; onlyInNew: number; inBoth: number }>;
    };
    const catalogue = (await api('/rules')).body as Array<{ selected: Array<{ id: string; title: string }> }>;
    const introduced = delta.rules.find((r) => r.onlyInNew > 0);
    expect(introduced).toBeDefined();
    const title = catalogue.flatMap((l) => l.selected).find((r) => r.id === introduced!.ruleId)!.title;

    await p.getByRole('heading', { name: 'Records by entity' }).waitFor();
    expect(
      await p
        .getByRole('row', { name: /^Student\b/ })
        .first()
        .innerText(),
    ).toMatch(/\d/);
    await screenshot(p, '05-comparison-overview');

    await p.getByRole('tab', { name: 'School readiness' }).click();
    await p.getByRole('heading', { name: 'Schools', exact: true }).waitFor();
    expect(await p.locator('#comparison-panel tbody tr').count()).toBeGreaterThan(1);
    expect(await p.locator('#comparison-panel').innerText()).toMatch(/Ready|Review|Not ready/);
    await screenshot(p, '05-comparison-schools');

    await p.getByRole('tab', { name: /Differences/ }).click();
    await p.getByLabel('Kind').selectOption('field');
    const first = diffs.items[0];
    const row = p.getByRole('row', { name: new RegExp(`student ${first.key.student_id}`) }).first();
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain(first.field);
    expect(text).toContain(first.oldValue ?? '∅');
    expect(text).toContain(first.newValue ?? '∅');
    await screenshot(p, '05-comparison-differences');

    await p.getByRole('tab', { name: /Reference warnings/ }).click();
    await p.getByRole('heading', { name: 'Reference warnings' }).waitFor();
    await p.locator('#comparison-panel tbody tr').first().waitFor();

    await p.getByRole('tab', { name: 'Rule delta' }).click();
    const ruleRow = p.getByRole('row', { name: new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    await ruleRow.waitFor();
    const link = ruleRow.getByRole('link', {
      name: new RegExp(`${introduced!.onlyInNew} records failing .* only in the new SIS`),
    });
    expect(await link.getAttribute('href')).toBe(
      `/districts/${w.districtId}/exceptions?ruleId=${encodeURIComponent(introduced!.ruleId)}&side=new&runId=${runId}&excluded=include`,
    );
    await screenshot(p, '05-comparison-rule-delta');
  });

  it('district admin: adds a school user and an alert contact, deactivates the user', async () => {
    const p = await page();
    await logIn(p, w.baseUrl, w.admin.email, TEST_PASSWORD);
    await p.getByRole('link', { name: 'Users & contacts' }).click();
    await p.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    const userForm = p.getByRole('form', { name: 'Add a user' });
    await userForm.getByLabel('E-mail').fill('new.registrar@test.k12.us');
    await userForm.getByLabel('Name').fill('New Registrar');
    await userForm.getByLabel('Role').selectOption('school_user');
    await userForm.getByLabel('School ids').fill(`${w.schoolId}, 102`);
    await userForm.getByRole('button', { name: 'Add user' }).click();
    await p.getByRole('status').filter({ hasText: 'User new.registrar@test.k12.us created' }).waitFor();
    const row = p.getByRole('row', { name: /New Registrar/ });
    expect(await row.innerText()).toContain(`Schools ${w.schoolId}, 102`);

    const contactForm = p.getByRole('form', { name: 'Add a contact' });
    await contactForm.getByLabel('Name').fill('IT Help Desk');
    await contactForm.getByLabel('E-mail').fill('helpdesk@test.k12.us');
    await contactForm.getByLabel('Nightly digest').uncheck();
    await contactForm.getByRole('button', { name: 'Add contact' }).click();
    await p.getByRole('row', { name: /IT Help Desk/ }).waitFor();

    await row.getByRole('button', { name: /Deactivate/ }).click();
    await p.getByRole('status').filter({ hasText: 'new.registrar@test.k12.us deactivated' }).waitFor();
    await screenshot(p, '06-users-contacts');

    const users = (
      await w.t.http.get(`/api/districts/${w.districtId}/users`).auth(w.admin.token, { type: 'bearer' })
    ).body as Array<{ email: string; role: string; schoolIds: string[]; active: boolean }>;
    expect(users.find((u) => u.email === 'new.registrar@test.k12.us')).toMatchObject({
      role: 'school_user',
      schoolIds: [w.schoolId, '102'],
      active: false,
    });
    const contacts = (
      await w.t.http.get(`/api/districts/${w.districtId}/contacts`).auth(w.admin.token, { type: 'bearer' })
    ).body as Array<{ email: string; receivesAlerts: boolean; receivesDigest: boolean }>;
    expect(contacts).toEqual([
      expect.objectContaining({ email: 'helpdesk@test.k12.us', receivesAlerts: true, receivesDigest: false }),
    ]);
  });

  it('works on a 768 px tablet: the navigation wraps, nothing overflows the page', async () => {
    const p = await page(768);
    await logIn(p, w.baseUrl, w.admin.email, TEST_PASSWORD);
    await p.goto(`${w.baseUrl}/districts/${w.districtId}/runs`);
    await p.getByRole('heading', { name: 'All runs' }).waitFor();
    const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    // keyboard: the skip link is the first stop and moves focus to the page
    await p.keyboard.press('Tab');
    expect(await p.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await screenshot(p, '04-tablet-runs');
  });
});
