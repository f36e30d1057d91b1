// Chromium on the risk page: the analyst sees the vulnerable S7-200 SMART with its score and the
// factors behind it, and the weights explained, in Chinese and then in English.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { Platform } from '../src/main.ts';
import { client } from './support/api.ts';
import { dialectTargets } from './support/stores.ts';
import { ADMIN_PASSWORD, s7smart, startTestPlatform } from './support/platform.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;

let platform: Platform | undefined;
let browser: Browser | undefined;

before(async () => {
  if (skip) return;
  platform = await startTestPlatform(dialectTargets()[0], { dashboard: true });
  const api = client(platform.url);
  const admin = await api.login('admin', ADMIN_PASSWORD);
  const r = await api.post('/api/v1/observations', { observations: [s7smart('36.134.80.10'), s7smart('36.134.80.11', 'V2.5.1')] }, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

test('the risk page lists the scored asset with its factors and explains the weights in both languages', { skip, timeout: 60_000 }, async () => {
  const page = await browser!.newPage();
  await page.goto(`${platform!.url}/#/login`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-risk').click();
  const rows = page.getByTestId('risk-table-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1, 'only the device with an open finding is listed');
  const row = await rows.first().innerText();
  assert.match(row, /36\.134\.80\.10/);
  assert.match(row, /\b51\b/);
  assert.match(row, /公网地址 10\/10/);
  const zh = await page.getByTestId('risk-explain').innerText();
  assert.match(zh, /蜜罐地址一律为 0 分/);
  assert.match(zh, /已知被利用漏洞（CISA KEV）\s+20/);
  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('risk-explain').getByText('A honeypot always scores 0', { exact: false }).waitFor();
  assert.match(await page.getByTestId('risk-table-row').first().innerText(), /Public address 10\/10/);
  await page.close();
});
