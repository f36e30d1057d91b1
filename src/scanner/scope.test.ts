import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegionPack } from '../regions/index.ts';
import { AddressSet, readCidrFile } from './address-set.ts';
import { ipv4CidrRange, parseCidr } from '../net/index.ts';
import { ScanError } from './errors.ts';
import { checkScope } from './scope.ts';
import { resolveTargets } from './targets.ts';

/** Resolves and checks one target synchronously (plain CIDRs need no I/O). */
function check(target: string, allow: AddressSet | null): void {
  const c = parseCidr(target)!;
  const r = ipv4CidrRange(c)!;
  checkScope([{ target, ...r }], allow);
}

const denied = (target: string) => (e: unknown) => e instanceof ScanError && e.code === 'SCOPE_DENIED' && e.message.includes(target);

test('targets outside 127.0.0.0/8 are refused without a scope, naming the target', async () => {
  const targets = await resolveTargets(['127.0.0.1', '10.0.0.1', '8.8.8.8']);
  assert.throws(() => checkScope(targets, null), denied('10.0.0.1'));
  assert.throws(() => check('8.8.8.8', null), denied('8.8.8.8'));
  assert.throws(() => check('126.255.255.255/31', null), denied('126.255.255.255/31'));
  checkScope(await resolveTargets(['127.0.0.0/8', '127.16.0.1']), null);
});

test('a scope file allows what it covers, and only wholly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-scope-'));
  const file = join(dir, 'scope.txt');
  writeFileSync(file, '# lab network\n10.0.0.0/30   # four addresses\n\n192.0.2.7\n');
  const allow = readCidrFile(file);
  checkScope(await resolveTargets(['10.0.0.0/31', '10.0.0.3', '192.0.2.7']), allow);
  assert.throws(() => check('10.0.0.0/29', allow), denied('10.0.0.0/29'));
  assert.throws(() => check('8.8.8.8', allow), denied('8.8.8.8'));
  writeFileSync(file, '10.0.0.0/30\nnot-a-cidr\n');
  assert.throws(() => readCidrFile(file), (e: unknown) => e instanceof ScanError && e.code === 'INVALID_SCOPE_FILE' && e.message.includes(':2:'));
});

test('region codes expand through the pack; counties and unknown codes are refused', async () => {
  const pack = loadRegionPack();
  const city = pack.regions.find((r) => r.level === 'city' && pack.ipRanges.some((x) => x.cityCode === r.code))!;
  const ranges = await resolveTargets([city.code], { regionPack: () => pack });
  assert.equal(ranges.length, pack.ipRanges.filter((r) => r.cityCode === city.code).length);
  assert.ok(ranges.every((r) => r.target === city.code));
  assert.throws(() => checkScope(ranges, null), denied(city.code), 'public ranges need a scope file');
  const county = pack.regions.find((r) => r.level === 'county')!;
  await assert.rejects(resolveTargets([county.code], { regionPack: () => pack }), (e: unknown) => e instanceof ScanError && e.code === 'INVALID_TARGET');
  await assert.rejects(resolveTargets(['999999'], { regionPack: () => pack }), (e: unknown) => e instanceof ScanError && e.code === 'INVALID_TARGET');
});

test('enterprise targets need the platform; garbage is INVALID_TARGET', async () => {
  await assert.rejects(resolveTargets(['enterprise:abc']), (e: unknown) => e instanceof ScanError && e.code === 'ENTERPRISE_NEEDS_API');
  const r = await resolveTargets(['enterprise:abc'], { enterpriseNetworks: async () => ['127.5.0.0/30'] });
  assert.deepEqual(r.map((x) => [x.start, x.end]), [[0x7f050000, 0x7f050003]]);
  for (const bad of ['example.com', '127.0.0.1/33', '::1', '']) {
    await assert.rejects(resolveTargets([bad]), (e: unknown) => e instanceof ScanError && e.code === 'INVALID_TARGET', bad);
  }
});
