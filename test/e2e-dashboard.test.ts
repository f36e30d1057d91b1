// The dashboard end to end: the real platform in-process, real observations through the API, and Debian's
// Chromium driving the bundled UI the way an analyst would (log in, read the map, find the assets, switch language).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const ADMIN_PASSWORD = 'test-admin-pass';
const ENTERPRISE_NAME = '江西赣江化工示范有限公司';
// GB 32100: 9 (market regulation) 1 (enterprise) 360100 (Nanchang) 3601A2E63 (GB 11714 code, check 3), check H.
const ENTERPRISE_CREDIT_CODE = '913601003601A2E63H';
const REGION = new URL('../reference/region/', import.meta.url);

interface Division {
  code: string;
  name: string;
}

const divisions = JSON.parse(readFileSync(new URL('jiangxi_divisions.json', REGION), 'utf8')) as { cities: Division[] };
const cityNames = divisions.cities.map((c) => c.name);

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function rangesOf(cityCode: string): Array<{ start: number; end: number }> {
  const rows = readFileSync(new URL('jiangxi_ip_ranges.csv', REGION), 'utf8').trim().split('\n').slice(1);
  return rows
    .map((line) => line.split(','))
    .filter((cols) => cols[5] === cityCode && !cols[0].includes(':'))
    .map((cols) => ({ start: ipv4ToInt(cols[0]), end: ipv4ToInt(cols[1]) }));
}

/** An ordinary host address (not the range's first or last) in the first range the region pack gives each city. */
function addressesFor(cityCodes: string[]): Array<{ ip: string; cityCode: string }> {
  return cityCodes.map((cityCode) => {
    const range = rangesOf(cityCode)[0];
    assert.ok(range, `the IP range table has a range for city ${cityCode}`);
    return { ip: intToIpv4(range.start + Math.min(37, Math.floor((range.end - range.start) / 2))), cityCode };
  });
}

/** `count` consecutive host addresses from the first range of the city wide enough to hold them. */
function hostsIn(cityCode: string, count: number): string[] {
  const range = rangesOf(cityCode).find((r) => r.end - r.start > count + 1);
  assert.ok(range, `city ${cityCode} has a range of more than ${count} addresses`);
  return Array.from({ length: count }, (_, i) => intToIpv4(range.start + 1 + i));
}

// Nanchang, Jiujiang, Ganzhou and Shangrao: four cities far apart on the map.
const targets = addressesFor(['360100', '360400', '360700', '361100']);
const observedAt = new Date().toISOString();
const observations = [
  {
    ip: targets[0].ip,
    port: 102,
    transport: 'tcp',
    protocol: 's7comm',
    observedAt,
    source: 'e2e-dashboard',
    identity: { vendor: 'Siemens', product: 'SIMATIC S7-1200', model: 'CPU 1214C DC/DC/DC', orderNumber: '6ES7 214-1AG40-0XB0', firmware: 'V4.2.1' },
  },
  {
    ip: targets[1].ip,
    port: 502,
    transport: 'tcp',
    protocol: 'modbus',
    observedAt,
    source: 'e2e-dashboard',
    identity: { vendor: 'Schneider Electric', product: 'Modicon M221', model: 'TM221CE16R', firmware: '1.6.2.0' },
  },
  {
    ip: targets[2].ip,
    port: 2404,
    transport: 'tcp',
    protocol: 'iec104',
    observedAt,
    source: 'e2e-dashboard',
  },
  {
    ip: targets[3].ip,
    port: 47808,
    transport: 'udp',
    protocol: 'bacnet',
    observedAt,
    source: 'e2e-dashboard',
    identity: { vendor: 'Honeywell', product: 'Spyder', firmware: '2.0.3' },
  },
];
// Enough Modbus devices in Yichun to need a second page of assets at the default 20 per page.
const YICHUN = '360900';
const yichunHosts = hostsIn(YICHUN, 21);
for (const ip of yichunHosts) {
  observations.push({ ip, port: 502, transport: 'tcp', protocol: 'modbus', observedAt, source: 'e2e-dashboard' });
}

/** What the console must print for an instant: Beijing time, UTC+8 all year (China keeps no daylight saving). */
function beijingTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI !== 'true') {
  console.log(`skipping the dashboard end-to-end test: ${CHROMIUM} is not installed (apt-get install chromium)`);
}

let platform: { url: string; close(): Promise<void> } | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
let s7Finding: { advisoryId: string; cves: string[] } | undefined;

async function api<T>(path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${platform!.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${init.method ?? 'GET'} ${path} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function logInThroughForm(page: Page): Promise<void> {
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
}

async function textOf(page: Page, testid: string): Promise<string> {
  return page.getByTestId(testid).innerText();
}

before(async () => {
  if (!haveChromium) return;
  dataDir = mkdtempSync(join(tmpdir(), 'otscope-e2e-dashboard-'));
  const { startPlatform } = await import('../src/main.ts');
  platform = await startPlatform({ port: 0, dataDir, adminPassword: ADMIN_PASSWORD, logLevel: 'warn' });

  const { token } = await api<{ token: string }>('/auth/login', {
    method: 'POST',
    body: { username: 'admin', password: ADMIN_PASSWORD },
  });
  // A Nanchang enterprise that owns the S7-1200's address, registered before the device is seen.
  const enterprise = await api<{ id: string }>('/enterprises', {
    method: 'POST',
    token,
    body: { name: ENTERPRISE_NAME, creditCode: ENTERPRISE_CREDIT_CODE, industryCode: 'C2614', regionCode: '360100' },
  });
  await api(`/enterprises/${enterprise.id}/networks`, { method: 'POST', token, body: { cidr: `${targets[0].ip}/32` } });

  const ingest = await api<{ accepted: number; rejected: unknown[] }>('/observations', {
    method: 'POST',
    token,
    body: { observations },
  });
  assert.deepEqual(ingest.rejected, []);
  assert.equal(ingest.accepted, observations.length);
  // The S7-1200 on firmware V4.2.1 is inside the affected ranges of the bundled Siemens advisories; matching
  // may finish after the ingest answers, so wait for it before the browser looks.
  for (let tries = 0; tries < 50 && !s7Finding; tries++) {
    const found = await api<{ items: Array<{ advisoryId: string; cves: string[] }> }>(`/findings?ip=${targets[0].ip}`, { token });
    s7Finding = found.items.find((f) => f.cves.length > 0);
    if (!s7Finding) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(s7Finding, `the platform matched an advisory with a CVE to ${targets[0].ip}`);

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await platform?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test(
  'an analyst logs in, sees every city on the overview, finds the ingested assets and reads the page in English',
  { skip: !haveChromium && process.env.CI !== 'true' ? `${CHROMIUM} is not installed` : false, timeout: 60_000 },
  async () => {
    assert.ok(haveChromium, `${CHROMIUM} is required when CI=true`);
    // The browser sits in New York: times on the page must still be Beijing time.
    const context = await browser!.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'America/New_York' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(`${platform!.url}/`);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('login-submit').innerText(), '登录');

    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=login-error]')?.textContent !== '');
    assert.equal(await textOf(page, 'login-error'), '登录失败：用户名或密码错误');

    await logInThroughForm(page);
    await page.getByTestId('city-table').waitFor();
    assert.match(await textOf(page, 'current-user'), /admin/);
    assert.equal(await textOf(page, 'current-role'), '省级管理员');

    const cityTable = await textOf(page, 'city-table');
    for (const name of cityNames) assert.ok(cityTable.includes(name), `the city table lists ${name}`);
    assert.equal(await page.getByTestId('city-row').count(), 11);
    for (const { cityCode } of targets) {
      const assets = await page.locator(`[data-testid=city-row][data-code="${cityCode}"] td`).nth(1).innerText();
      assert.ok(Number(assets.replace(/,/g, '')) >= 1, `city ${cityCode} counts the asset ingested there (saw ${assets})`);
    }
    const yichun = await page.locator(`[data-testid=city-row][data-code="${YICHUN}"] td`).nth(1).innerText();
    assert.ok(Number(yichun) >= yichunHosts.length, `Yichun counts its ${yichunHosts.length} assets (saw ${yichun})`);
    // The map draws in SVG, so its labels are text in the page: every city must be named on the map itself.
    await page.waitForFunction(
      (names) => {
        const labels = new Set(Array.from(document.querySelectorAll('[data-testid=city-map] svg text'), (t) => t.textContent));
        return names.every((n) => labels.has(n));
      },
      cityNames,
      { timeout: 10_000 },
    );
    const totalAssets = Number((await textOf(page, 'total-assets')).replace(/\D/g, ''));
    assert.ok(totalAssets >= observations.length, `the assets card counts the ingested assets (saw ${totalAssets})`);
    const screenshot = join(tmpdir(), 'otscope-dashboard-overview.png');
    await page.waitForTimeout(600); // let the charts finish their 400 ms entry animation
    await page.screenshot({ path: screenshot });
    console.log(`overview screenshot: ${screenshot}`);

    // A city row drills down to that city's assets.
    await page.locator('[data-testid=city-row][data-code="360700"]').click();
    await page.getByTestId('assets-table-row').first().waitFor();
    assert.equal(await page.getByTestId('filter-region').inputValue(), '360700');
    const ganzhou = await textOf(page, 'assets-table');
    assert.ok(ganzhou.includes(targets[2].ip), 'the Ganzhou asset is listed under Ganzhou');
    assert.ok(!ganzhou.includes(targets[0].ip), 'the Nanchang asset is not listed under Ganzhou');

    // All assets: 25 make two pages of 20 and 5.
    await page.getByTestId('nav-assets').click();
    await page.getByTestId('assets-table-row').first().waitFor();
    const total = observations.length;
    assert.match(await textOf(page, 'assets-table-total'), new RegExp(`\\b${total}\\b`));
    assert.equal(await page.getByTestId('assets-table-row').count(), 20);
    assert.equal(await textOf(page, 'assets-table-position'), '第 1 / 2 页');
    await page.screenshot({ path: join(tmpdir(), 'otscope-dashboard-assets.png') });
    await page.getByTestId('assets-table-next').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=assets-table-position]')?.textContent === '第 2 / 2 页');
    assert.equal(await page.getByTestId('assets-table-row').count(), total - 20);
    assert.ok(await page.getByTestId('assets-table-next').isDisabled());
    // Next followed the list's cursor; Previous comes back to the same first page, and an address
    // with only a page number (a bookmark) still loads that page.
    assert.match(page.url(), /[?&]cursor=/, 'Next follows the cursor the list answered');
    const ipsShown = async () => (await page.getByTestId('assets-table-row').allInnerTexts()).map((row) => row.split(/\s/)[0]);
    const secondPage = await ipsShown();
    await page.getByTestId('assets-table-prev').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=assets-table-position]')?.textContent === '第 1 / 2 页');
    const firstPage = await ipsShown();
    assert.equal(firstPage.length, 20);
    assert.equal(new Set([...firstPage, ...secondPage]).size, total, 'the two pages together show every asset once');
    await page.evaluate(() => (location.hash = '#/assets?page=2'));
    await page.waitForFunction(() => document.querySelector('[data-testid=assets-table-position]')?.textContent === '第 2 / 2 页');
    assert.deepEqual(await ipsShown(), secondPage, 'page 2 by number shows what the cursor showed');
    await page.getByTestId('assets-table-page-size').selectOption('50');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=assets-table-row]').length === n, total);
    assert.equal(await textOf(page, 'assets-table-position'), '第 1 / 1 页');
    for (const { ip, cityCode } of targets) {
      const row = page.getByTestId('assets-table-row').filter({ hasText: ip });
      assert.equal(await row.count(), 1, `the assets table lists ${ip}`);
      const city = divisions.cities.find((c) => c.code === cityCode)!.name;
      assert.ok((await row.innerText()).includes(city), `${ip} is placed in ${city}`);
    }
    const s7 = await page.getByTestId('assets-table-row').filter({ hasText: targets[0].ip }).innerText();
    assert.match(s7, /s7comm\/102/);
    assert.match(s7, /Siemens/);
    assert.match(s7, /V4\.2\.1/);
    assert.ok(s7.includes(beijingTime(observedAt)), `last seen is shown as ${beijingTime(observedAt)} Beijing time: ${s7}`);
    assert.ok(s7.includes(ENTERPRISE_NAME), `the S7-1200 is attributed to the enterprise owning its address: ${s7}`);
    assert.match(s7, /\d+ 个漏洞/, 'the vulnerable asset shows how many findings it has');

    // The enterprise filter lists registered enterprises and narrows the table to that one's assets.
    await page.getByTestId('filter-enterprise').selectOption({ label: ENTERPRISE_NAME });
    await page.getByTestId('assets-table-search').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=assets-table-row]').length === 1);
    assert.ok((await textOf(page, 'assets-table')).includes(targets[0].ip));
    await page.getByTestId('nav-assets').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=assets-table-row]').length === n, 20);

    await page.getByTestId('filter-q').fill(targets[1].ip);
    await page.getByTestId('assets-table-search').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=assets-table-row]').length === 1);
    assert.match(await page.getByTestId('assets-table-row').innerText(), /Schneider Electric/);

    await page.getByTestId('lang-toggle').click();
    await page.getByRole('columnheader', { name: 'IP address' }).waitFor();
    assert.equal(await textOf(page, 'nav-assets'), 'Assets');
    assert.equal(await textOf(page, 'current-role'), 'Province admin');
    // The choice is remembered: a reload (same tab, same session) stays signed in and in English.
    await page.reload();
    await page.getByRole('columnheader', { name: 'IP address' }).waitFor();
    assert.equal(await textOf(page, 'nav-overview'), 'Overview');
    await page.screenshot({ path: join(tmpdir(), 'otscope-dashboard-assets-en.png') });

    await page.getByTestId('nav-findings').click();
    await page.getByTestId('findings-table').waitFor();
    // CVE ids are typed in lower case as often as not; the page must still find them.
    await page.getByTestId('filter-cve').fill(s7Finding!.cves[0].toLowerCase());
    await page.getByTestId('findings-table-search').click();
    await page.getByTestId('findings-table-row').first().waitFor();
    const findingRows = await page.getByTestId('findings-table-row').allInnerTexts();
    assert.ok(findingRows.length >= 1);
    for (const row of findingRows) assert.ok(row.includes(s7Finding!.cves[0]), `a row found by CVE shows it: ${row}`);
    assert.ok(
      findingRows.some((row) => row.includes(targets[0].ip) && row.includes(s7Finding!.advisoryId)),
      `the S7-1200 at ${targets[0].ip} is listed with ${s7Finding!.advisoryId}`,
    );
    await page.screenshot({ path: join(tmpdir(), 'otscope-dashboard-findings-en.png') });
    // The enterprise owning a vulnerable device gets a warning; the table shows whose it is and its state.
    await page.getByTestId('nav-warnings').click();
    await page.getByTestId('warnings-table-row').first().waitFor();
    const warning = await page.getByTestId('warnings-table-row').filter({ hasText: ENTERPRISE_NAME }).first().innerText();
    assert.match(warning, /Critical|High|Medium|Low/);
    assert.match(warning, /Draft|Issued|Acknowledged|Remediating|Verifying|Resolved|Reopened/);
    await page.screenshot({ path: join(tmpdir(), 'otscope-dashboard-warnings-en.png') });

    // A token the server no longer accepts sends the user back to the login form.
    await page.evaluate(() => sessionStorage.setItem('otscope.token', 'not-a-valid-token'));
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('login-submit').innerText(), 'Sign in');

    await logInThroughForm(page);
    await page.getByTestId('city-table').waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem('otscope.token'));
    assert.ok(token);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('otscope.token')), null);
    const revoked = await fetch(`${platform!.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(revoked.status, 401, 'logging out revokes the token on the server');

    assert.deepEqual(pageErrors, []);
    await context.close();
  },
);
