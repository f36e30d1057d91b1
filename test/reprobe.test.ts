// Verification's re-probe goes through the platform's scan queue: a warning's services are scanned
// again at the address they were observed through (a twin device's loopback address), and the new
// observations arrive through ingest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import { startTwin, type Twin } from '../src/twin/index.ts';
import { createScan, getScan, scanReprober, startScanRunner, type ScanRunner } from '../src/services/index.ts';
import { dialectTargets } from './support/stores.ts';
import { startTestPlatform } from './support/platform.ts';

const sqlite = dialectTargets().find((t) => t.name === 'sqlite')!;
let platform: Platform;
let twin: Twin;
let runner: ScanRunner;
const admin = () => ({ userId: 'x', username: 'admin', role: 'province-admin' as const, regionCode: platform.ctx.regions.province.code, enterpriseId: null });

async function finished(id: string) {
  for (let i = 0; i < 600; i++) {
    const s = await getScan(platform.ctx, admin(), id);
    if (['finished', 'failed', 'cancelled'].includes(s.state)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`scan ${id} did not finish`);
}

before(async () => {
  platform = await startTestPlatform(sqlite);
  twin = await startTwin({ devices: 12, seed: 'reprobe', cidr: '127.43.0.0/24', bind: 'per-address' });
  runner = startScanRunner(platform.ctx, { pollMs: 50 });
});
after(async () => {
  await runner.stop();
  await twin.close();
  await platform.close();
  await sqlite.cleanup();
});

test('a re-probe scans the service again where it was observed, and fresh observations come in', async () => {
  const first = await createScan(platform.ctx, admin(), { targets: twin.devices.map((d) => d.address) });
  assert.equal((await finished(first.id)).state, 'finished');
  const service = await platform.ctx.store.db
    .selectFrom('services')
    .innerJoin('assets', 'assets.id', 'services.assetId')
    .select(['services.id as serviceId', 'assets.ip', 'services.port', 'services.transport', 'services.protocol', 'services.lastSeen'])
    .where('services.transport', '=', 'tcp')
    .executeTakeFirstOrThrow();
  const device = twin.devices.find((d) => d.publicIp === service.ip)!;
  assert.ok(device, 'the asset is a twin device at its public address');

  await scanReprober(platform.ctx).reprobe([service]);
  const queued = await platform.ctx.store.db.selectFrom('scans').select(['id', 'targets', 'ports']).orderBy('createdAt', 'desc').executeTakeFirstOrThrow();
  assert.notEqual(queued.id, first.id);
  assert.match(queued.targets, new RegExp(device.address.replace(/\./g, '\\.')), 'probed at the loopback address it was observed through');
  assert.doesNotMatch(queued.targets, new RegExp(service.ip.replace(/\./g, '\\.')), 'not at the public address');
  assert.equal((await finished(queued.id)).state, 'finished');
  const after = await platform.ctx.store.db.selectFrom('services').select('lastSeen').where('id', '=', service.serviceId).executeTakeFirstOrThrow();
  assert.ok(after.lastSeen > service.lastSeen, 'the re-probe observed the service again');
});
