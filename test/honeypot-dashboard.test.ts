// The threat-trapping page in Debian's Chromium: a sensor's events posted through the API show as
// activity over time, a top source with its classification, the latest interactions, and the
// source's profile linked to the asset the platform observed at that address; in both languages.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Platform } from '../src/main.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const ADMIN_PASSWORD = 'admin-pass-honeypot-ui';
const haveChromium = existsSync(CHROMIUM);
// An attacker inside 南昌市's range (reference/region/jiangxi_ip_ranges.csv) that the scanner also saw exposing Modbus.
const ATTACKER = '36.134.80.77';

let platform: Platform | undefined;
let browser: Browser | undefined;
let dataDir = '';

async function api(path: string, token: string | null, body?: unknown): Promise<any> {
  const r = await fetch(`${platform!.url}/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return r.json();
}

before(async () => {
  if (!haveChromium) return;
  dataDir = mkdtempSync(join(tmpdir(), 'otscope-honeypot-ui-'));
  const { startPlatform } = await import('../src/main.ts');
  platform = await startPlatform({ port: 0, dataDir, adminPassword: ADMIN_PASSWORD, logLevel: 'warn' });
  const { token } = await api('/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
  const now = Date.now();
  await api('/observations', token, [{ ip: ATTACKER, port: 502, transport: 'tcp', protocol: 'modbus', observedAt: new Date(now - 3_600_000).toISOString(), source: 'scanner' }]);
  const base = { sensor: 'hp-ui', persona: 'schneider-m221-tm221ce24r', session: 'ui-1', src: { ip: ATTACKER, port: 40100 }, dst: { ip: '203.0.113.5', port: 502 }, protocol: 'modbus', transport: 'tcp', anomalies: [] };
  const at = (ms: number) => new Date(now - 60_000 + ms).toISOString();
  const r = await api('/honeypot/events', token, [
    { ...base, seq: 0, at: at(0), elapsedMs: 0, operation: 'connect', detail: 'tcp connect', length: 0, raw: '' },
    { ...base, seq: 1, at: at(10), elapsedMs: 10, operation: 'read', detail: 'read-holding-registers 0+10', length: 12, raw: '00010000000601030000000a' },
    { ...base, seq: 2, at: at(20), elapsedMs: 20, operation: 'write', detail: 'write-single-register 40', length: 12, raw: '000200000006010600280001' },
  ]);
  assert.equal(r.accepted, 3, JSON.stringify(r));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  await platform?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the threat-trapping page shows activity, sources, interactions and a source\'s profile', { skip: !haveChromium && process.env.CI !== 'true' ? `${CHROMIUM} is not installed` : false, timeout: 60_000 }, async () => {
  assert.ok(haveChromium, `${CHROMIUM} is required when CI=true`);
  const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${platform!.url}/`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-honeypot').click();
  await page.getByTestId('honeypot-sources-row').first().waitFor();
  const source = await page.getByTestId('honeypot-sources-row').first().innerText();
  assert.match(source, new RegExp(ATTACKER.replace(/\./g, '\\.')));
  assert.match(source, /篡改操控/);
  assert.equal(await page.getByTestId('honeypot-events-row').count(), 3);
  assert.ok((await page.locator('[data-testid=honeypot-activity] svg path').count()) > 0, 'the activity chart is drawn');
  await page.getByTestId('honeypot-sources-row').first().locator('a').click();
  const profile = await page.getByTestId('honeypot-profile').innerText();
  assert.match(profile, /同一地址的资产 1 个/);
  assert.match(profile, /modbus tcp\/502/);
  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('honeypot-profile').waitFor();
  assert.match(await page.getByTestId('honeypot-sources-row').first().innerText(), /Manipulation/);
  await page.screenshot({ path: join(tmpdir(), 'otscope-dashboard-honeypot.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
