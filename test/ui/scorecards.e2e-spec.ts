import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD } from 'test/helpers/app';
import { launchBrowser, logIn, openPage, screenshot } from 'test/ui/browser';
import { createUiWorld, type UiWorld } from 'test/ui/ui-world';

interface ExceptionPage {
  total: number;
  items: Array<{
    id: string;
    fingerprint: string;
    ruleId: string;
    school: { schoolId: string } | null;
    student: { studentId: string; lastName: string; firstName: string } | null;
  }>;
}

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/**
 * Scorecards, failing records and exclusions in headless Chromium, over a real pipeline run: a school user
 * sees only their school, drills into a rule, proposes an exclusion and exports CSV; the district admin
 * approves the exclusion; support sees every district.
 */
describe('web UI in Chromium: scorecards and records', () => {
  let w: UiWorld;
  let browser: Browser;
  const errors: string[][] = [];

  async function page(width = 1280): Promise<Page> {
    const p = await openPage(browser, { width });
    errors.push(p.errors);
    return p.page;
  }
  const apiAs = (token: string, path: string) =>
    w.t.http.get(`/api/districts/${w.districtId}${path}`).auth(token, { type: 'bearer' });

  beforeAll(async () => {
    browser = await launchBrowser();
    w = await createUiWorld({ runs: 2 });
  });

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  afterEach(() => {
    // Taken before asserting, so one test's errors are reported once and never blamed on the next.
    const seen = errors.splice(0).flat();
    expect(seen).toEqual([]);
  });

  it("school user: sees only their school's records, opens a rule's records, proposes an exclusion, exports CSV", async () => {
    const mine = (await apiAs(w.school.token, '/exceptions?pageSize=200').expect(200)).body as ExceptionPage;
    const all = (await apiAs(w.admin.token, '/exceptions?pageSize=200').expect(200)).body as ExceptionPage;
    expect(mine.total).toBeGreaterThan(0);
    expect(all.total).toBeGreaterThan(mine.total);

    const p = await page();
    await logIn(p, w.baseUrl, w.school.email, TEST_PASSWORD);
    await p.waitForURL(`${w.baseUrl}/districts/${w.districtId}/scorecard`);
    await p.getByText('Certification score').first().waitFor();
    await p.locator('#rules tbody tr').first().waitFor();
    await screenshot(p, '10-school-scorecard');

    // every record on the list is at the user's school, and the list holds all of them
    await p.getByRole('link', { name: 'Records', exact: true }).click();
    await p.getByRole('heading', { name: `Records · ${mine.total.toLocaleString('en-US')}` }).waitFor();
    const schools = await p
      .locator('#records tbody tr:not(.exclude-row) td:nth-child(2) .sub')
      .allInnerTexts();
    expect(schools.length).toBe(Math.min(50, mine.total));
    expect(new Set(schools)).toEqual(new Set([w.schoolId]));
    await screenshot(p, '11-school-records');

    // keyboard: a sortable header is a real button; Enter sorts, aria-sort says how, focus stays visible
    const byStudent = p.getByRole('button', { name: /^Student/ });
    await byStudent.focus();
    await p.keyboard.press('Enter');
    await p.waitForURL(/sort=student&order=asc/);
    await p.locator('th[aria-sort="ascending"]', { hasText: 'Student' }).waitFor();
    await p.keyboard.press('Tab');
    expect(await p.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');

    // a rule's drill-down: title, prescription, its records only
    const rule = mine.items[0].ruleId;
    const ruleRecords = (await apiAs(w.school.token, `/exceptions?ruleId=${rule}&pageSize=200`).expect(200))
      .body as ExceptionPage;
    await p.getByRole('link', { name: 'Scorecard', exact: true }).click();
    await p.locator(`#rules tbody tr:has(.code:text-is("${rule}")) a`).first().click();
    await p.waitForURL(new RegExp(`/rules/${rule}`));
    await p.getByRole('heading', { name: 'How to fix it' }).waitFor();
    expect(await p.locator('.prescription').innerText()).not.toBe('');
    await p
      .getByRole('heading', { name: `Records · ${ruleRecords.total.toLocaleString('en-US')}` })
      .waitFor();
    await screenshot(p, '12-school-rule');

    // propose an exclusion with a reason
    const target = ruleRecords.items[0];
    const row = p.locator('#records tbody tr').first();
    await row.getByRole('button', { name: /^Exclude/ }).click();
    const reason = 'Verified with the family: the record is correct (ui spec)';
    await p.getByLabel('Reason').fill(reason);
    await p.getByRole('button', { name: 'Propose exclusion' }).click();
    await p.getByRole('status').filter({ hasText: 'Exclusion proposed' }).waitFor();
    await row.getByText('Exclusion proposed').waitFor();
    const proposed = (await apiAs(w.admin.token, '/exclusions?status=proposed').expect(200)).body as {
      items: Array<{ id: string; reason: string; fingerprint: string; createdByEmail: string }>;
    };
    const mineProposed = proposed.items.find((x) => x.reason === reason);
    expect(mineProposed).toMatchObject({ fingerprint: target.fingerprint, createdByEmail: w.school.email });
    await screenshot(p, '13-school-exclusion-proposed');

    // CSV export of the rule's records: the download holds exactly the rows of the list
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = parseCsv(readFileSync((await download.path())!, 'utf8')).filter((r) => r.length > 1);
    const [header, ...rows] = csv;
    const col = (name: string) => header.indexOf(name);
    expect(col('school_id')).toBeGreaterThanOrEqual(0);
    expect(rows.length).toBe(ruleRecords.total);
    expect(new Set(rows.map((r) => r[col('school_id')]))).toEqual(new Set([w.schoolId]));
    expect(new Set(rows.map((r) => r[col('rule_id')]))).toEqual(new Set([rule]));
    expect(rows.map((r) => r[col('fingerprint')]).sort()).toEqual(
      ruleRecords.items.map((i) => i.fingerprint).sort(),
    );
  });

  it('district admin: approves the proposed exclusion; the record then counts as excluded', async () => {
    const proposed = (await apiAs(w.admin.token, '/exclusions?status=proposed').expect(200)).body as {
      items: Array<{ id: string; reason: string; fingerprint: string }>;
    };
    expect(proposed.items.length).toBeGreaterThan(0);
    const ex = proposed.items[0];
    const p = await page();
    await logIn(p, w.baseUrl, w.admin.email, TEST_PASSWORD);
    await p.getByRole('link', { name: 'Exclusions' }).click();
    const row = p.getByRole('row', { name: new RegExp(ex.reason.slice(0, 30)) });
    await row.waitFor();
    await screenshot(p, '14-admin-exclusions');
    await row.getByLabel('Note for the decision').fill('Checked against the enrolment form');
    await row.getByRole('button', { name: 'Approve' }).click();
    await p.getByRole('status').filter({ hasText: 'Exclusion approved' }).waitFor();
    const active = (await apiAs(w.admin.token, '/exclusions?status=active').expect(200)).body as {
      items: Array<{ id: string; status: string; decisionNote: string | null }>;
    };
    expect(active.items.find((x) => x.id === ex.id)).toMatchObject({
      status: 'active',
      decisionNote: 'Checked against the enrolment form',
    });
    // the excluded record shows under "Only excluded"
    await p.goto(`${w.baseUrl}/districts/${w.districtId}/exceptions?excluded=only`);
    await p.locator('#records tbody tr').first().waitFor();
    expect(await p.locator('#records tbody tr').first().innerText()).toMatch(/Excluded/);
    await screenshot(p, '15-admin-excluded-records');
  });

  it('district admin: the district scorecard with its trend chart and schools', async () => {
    const p = await page();
    await logIn(p, w.baseUrl, w.admin.email, TEST_PASSWORD);
    await p.waitForURL(`${w.baseUrl}/districts/${w.districtId}/scorecard`);
    await p.getByRole('heading', { name: 'District scorecard' }).waitFor();
    await p.locator('.trend canvas').first().waitFor();
    await p.locator('#schools tbody tr').first().waitFor();
    await p.locator('#schools tbody tr a').first().click();
    await p.waitForURL(/schoolId=/);
    await p.getByText('school scorecard').waitFor();
    await screenshot(p, '16-admin-school-scorecard');
  });

  it('support: the cross-district view lists every district with its score and links', async () => {
    const body = (await w.t.http.get('/api/scorecards').auth(w.support.token, { type: 'bearer' }).expect(200))
      .body as { items: Array<{ districtId: string; districtName: string; score: number | null }> };
    const p = await page();
    await logIn(p, w.baseUrl, w.support.email, TEST_PASSWORD);
    await p.waitForURL(`${w.baseUrl}/support`);
    for (const d of body.items) {
      const row = p.getByRole('row', { name: new RegExp(d.districtName) });
      await row.waitFor();
      if (d.score !== null) expect(await row.innerText()).toContain(d.score.toFixed(1));
    }
    await screenshot(p, '17-support-districts');
    await p.getByRole('link', { name: 'Riverside Unified' }).click();
    await p.waitForURL(`${w.baseUrl}/districts/${w.districtId}/scorecard`);
    await p.getByText('Certification score').first().waitFor();
  });
});
