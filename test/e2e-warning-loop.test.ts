// The warning loop end to end in headless Chromium: the platform scans a twin, a province analyst
// issues the draft warning, the enterprise user acknowledges and reports the fix in the dashboard,
// the twin's devices are re-flashed, and verification re-probes them through the platform's scan
// queue — an unfixed device reopens the warning, a fixed one resolves it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Platform } from '../src/main.ts';
import { startTwin, type Twin } from '../src/twin/index.ts';
import { addNetwork, createEnterprise, createScan, createUser, getScan } from '../src/services/index.ts';
import { makeCreditCode } from '../src/model/index.ts';
import { dialectTargets } from './support/stores.ts';
import { ADMIN_PASSWORD, startTestPlatform } from './support/platform.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const haveChromium = existsSync(CHROMIUM);
// ICSA-20-196-06: S7-200 SMART from V2.2 up to (not including) V2.5.1 is affected.
const AFFECTED = 'V2.3.0';
const FIXED = 'V2.7.0';

const sqlite = dialectTargets().find((t) => t.name === 'sqlite')!;
let platform: Platform;
let twin: Twin;
let browser: Browser;
let warningId: string;
const admin = () => ({ userId: 'x', username: 'admin', role: 'province-admin' as const, regionCode: platform.ctx.regions.province.code, enterpriseId: null });

async function scanned(id: string) {
  for (let i = 0; i < 600; i++) {
    const s = await getScan(platform.ctx, admin(), id);
    if (['finished', 'failed', 'cancelled'].includes(s.state)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`scan ${id} did not finish`);
}

async function state(): Promise<string> {
  const w = await platform.ctx.store.db.selectFrom('warnings').select('state').where('id', '=', warningId).executeTakeFirstOrThrow();
  return w.state;
}

async function until(want: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await state()) === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await state(), want);
}

async function login(page: Page, username: string, password: string) {
  await page.goto(`${platform.url}/`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('logout').waitFor();
  await page.goto(`${platform.url}/#/warnings`);
  await page.getByTestId('warnings-table').waitFor();
}

/** Clicks a warning action button, answering its note prompt. */
async function act(page: Page, step: string) {
  const before = await state();
  await page.getByTestId(`warning-${step}`).first().click();
  for (let i = 0; i < 100 && (await state()) === before; i++) await new Promise((r) => setTimeout(r, 50));
}

before(async () => {
  if (!haveChromium && process.env.CI !== 'true') return;
  platform = await startTestPlatform(sqlite, { dashboard: true });
  twin = await startTwin({ devices: 2, seed: 'warning-loop', cidr: '127.44.0.0/24', bind: 'per-address', personas: ['siemens-s7-200-smart-st30'] });
  for (const d of twin.devices) twin.setFirmware(d.address, AFFECTED);
  const county = '360102';
  const e = await createEnterprise(platform.ctx, admin(), { name: '江西复核示范电子有限公司', creditCode: makeCreditCode('91360102MA000001'), industryCode: 'C3971', regionCode: county });
  for (const d of twin.devices) await addNetwork(platform.ctx, admin(), e.id, `${d.publicIp}/32`);
  await createUser(platform.ctx, admin(), { username: 'ent-loop', password: 'ent-loop-pass-1', role: 'enterprise-user', enterpriseId: e.id });
  const scan = await createScan(platform.ctx, admin(), { targets: twin.devices.map((d) => d.address), ports: 's7comm:102' });
  assert.equal((await scanned(scan.id)).state, 'finished');
  const w = await platform.ctx.store.db.selectFrom('warnings').select('id').where('enterpriseId', '=', e.id).executeTakeFirstOrThrow();
  warningId = w.id;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await twin?.close();
  await platform?.close();
  await sqlite.cleanup();
});

test('issue, acknowledge, remediate, re-flash, verify: unfixed reopens, fixed resolves', { skip: !haveChromium && process.env.CI !== 'true' ? `${CHROMIUM} is not installed` : false, timeout: 120_000 }, async () => {
  assert.ok(haveChromium, `${CHROMIUM} is required when CI=true`);
  assert.equal(await state(), 'draft');
  const findings = await platform.ctx.store.db.selectFrom('findings').select('ip').where('status', '=', 'open').where('enterpriseId', 'is not', null).execute();
  assert.equal(new Set(findings.map((f) => f.ip)).size, 2, 'both devices are vulnerable');

  const regulator = await browser.newPage();
  await login(regulator, 'admin', ADMIN_PASSWORD);
  await act(regulator, 'issue');
  assert.equal(await state(), 'issued');

  const enterprise = await browser.newPage();
  enterprise.on('dialog', (d) => void d.accept('已升级固件'));
  await login(enterprise, 'ent-loop', 'ent-loop-pass-1');
  await act(enterprise, 'acknowledge');
  assert.equal(await state(), 'acknowledged');
  await enterprise.reload();
  await enterprise.getByTestId('warnings-table').waitFor();
  await act(enterprise, 'remediate');
  assert.equal(await state(), 'remediating');

  // Only one device is re-flashed: the re-probe still sees the other one affected.
  twin.setFirmware(twin.devices[0].address, FIXED);
  await enterprise.reload();
  await enterprise.getByTestId('warnings-table').waitFor();
  await act(enterprise, 'verify');
  await until('reopened');

  // The second device too: the next verification resolves the warning.
  twin.setFirmware(twin.devices[1].address, FIXED);
  for (const step of ['remediate', 'verify']) {
    await enterprise.reload();
    await enterprise.getByTestId('warnings-table').waitFor();
    await act(enterprise, step);
  }
  await until('resolved');
  const open = await platform.ctx.store.db.selectFrom('findings').select('id').where('status', '=', 'open').where('enterpriseId', 'is not', null).execute();
  assert.equal(open.length, 0, 'every finding of the warning is fixed');
  const audit = await platform.ctx.store.db.selectFrom('auditLog').select('action').execute();
  for (const a of ['warning.issue', 'warning.acknowledge', 'warning.remediate', 'warning.verify']) assert.ok(audit.some((x) => x.action === a), a);
});
