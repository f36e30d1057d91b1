// Starting a platform for an API test: a private database per dialect target, a private advisory
// folder holding only the advisories the test matches against, no dashboard, no log.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform, type StartOptions } from '../../src/main.ts';
import { after, before } from 'node:test';
import { client } from './api.ts';
import { skipUnless, type DialectTarget } from './stores.ts';

/** ICSA-20-196-06: Siemens SIMATIC S7-200 SMART below V2.5.1 (CVE-2020-7584); V2.3.0 is affected. */
export const S7_200_SMART_ADVISORY = '2020/icsa-20-196-06.json';

/** A folder holding copies of the named files from reference/csaf/. */
export function advisoryDir(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-advisories-'));
  for (const f of files) copyFileSync(new URL(`../../reference/csaf/${f}`, import.meta.url), join(dir, f.split('/').pop()!));
  return dir;
}

export const ADMIN_PASSWORD = 'admin-pass-123';

export function startTestPlatform(target: DialectTarget, opts: StartOptions = {}): Promise<Platform> {
  return startOn(target.options(), opts);
}

/**
 * The platforms of a concurrent writers' test, on one fresh database: two on PostgreSQL, as two
 * serve processes (two pools) would be; one on SQLite, where two connections in one process would
 * wait on each other synchronously.
 */
export async function startWriters(target: DialectTarget): Promise<Platform[]> {
  const database = target.options();
  const platforms = [await startOn(database)];
  if (target.name === 'postgres') platforms.push(await startOn(database));
  return platforms;
}

/**
 * The writers of a describe block (startWriters), started before its tests with an admin's token
 * and closed after them, its store cleaned up; `skip` is why its tests skip (PostgreSQL absent), or false.
 */
export async function useWriters(target: DialectTarget): Promise<{ skip: string | false; platforms: Platform[]; admin: () => string }> {
  const skip = await skipUnless(target);
  const platforms: Platform[] = [];
  let token = '';
  before(async () => {
    if (skip) return;
    platforms.push(...(await startWriters(target)));
    token = await client(platforms[0].url).login('admin', ADMIN_PASSWORD);
  });
  after(async () => {
    for (const p of platforms) await p.close();
    if (!skip) await target.cleanup();
  });
  return { skip, platforms, admin: () => token };
}

function startOn(database: ReturnType<DialectTarget['options']>, opts: StartOptions = {}): Promise<Platform> {
  return startPlatform({
    ...database,
    port: 0,
    adminPassword: ADMIN_PASSWORD,
    advisoryDir: advisoryDir([S7_200_SMART_ADVISORY]),
    dashboard: false,
    logLevel: 'silent',
    ...opts,
  });
}

/** One observation of a Siemens S7-200 SMART CPU answering on TCP 102 with the given firmware. */
export function s7smart(ip: string, firmware = 'V2.3.0', observedAt = '2026-11-01T08:00:00.000Z') {
  return {
    ip,
    port: 102,
    transport: 'tcp',
    protocol: 's7comm',
    observedAt,
    source: 'test-scanner',
    identity: { vendor: 'Siemens', product: 'SIMATIC S7-200 SMART', model: 'CPU ST40', orderNumber: '6ES7 288-1ST40-0AA0', firmware },
  };
}
