// The first-start demo: a twin is scanned and the platform fills — assets at the twin's public
// addresses, demo enterprises owning some of them, findings and draft warnings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import { startDemo, type Demo } from '../src/demo/index.ts';
import { listAssets, listWarnings, overview } from '../src/services/index.ts';
import { dialectTargets } from './support/stores.ts';
import { startTestPlatform } from './support/platform.ts';

const sqlite = dialectTargets().find((t) => t.name === 'sqlite')!;
let platform: Platform;
let demo: Demo;
const admin = () => ({ userId: 'x', username: 'admin', role: 'province-admin' as const, regionCode: platform.ctx.regions.province.code, enterpriseId: null });

before(async () => {
  // All bundled advisories, as on a real first start, so the twin's firmware meets its advisories.
  platform = await startTestPlatform(sqlite, { advisoryDir: new URL('../reference/csaf', import.meta.url).pathname });
  demo = await startDemo(platform.ctx, { devices: 120, cidr: '127.99.0.0/16', bind: 'per-address' });
});
after(async () => {
  await demo.close();
  await platform.close();
  await sqlite.cleanup();
});

test('the demo scan fills the platform with the twin at its public addresses', async () => {
  const { services, accepted } = await demo.ready;
  assert.ok(services >= 100, `identified ${services} services`);
  assert.ok(accepted >= services);
  const o = await overview(platform.ctx, admin());
  assert.equal(o.totals.assets, demo.twin.truth.filter((t) => t.services.length > 0).length, "one asset per twin device that serves something");
  assert.ok(o.totals.vulnerableAssets > 0);
  assert.equal(o.totals.enterprises, 8);
  const publicIps = new Set(demo.twin.devices.map((d) => d.publicIp));
  const page = await listAssets(platform.ctx, admin(), { pageSize: 500 });
  assert.ok(page.items.every((a) => publicIps.has(a.ip)), 'every asset is a twin public address');
  assert.ok(page.items.some((a) => a.enterpriseName?.startsWith('【演示】')));
  const warnings = await listWarnings(platform.ctx, admin(), {});
  assert.ok(warnings.total > 0, 'demo enterprises with findings have draft warnings');
});
