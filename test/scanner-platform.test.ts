// The scanner's observations are what the platform ingests: a scan of a small twin, submitted
// with --submit's Submitter to a real platform (SQLite), is accepted item by item, and the
// platform places the assets at the twin's public addresses with the identities found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../src/model/index.ts';
import { Plan, Submitter, parsePorts, resolveTargets, scan, twinMapping } from '../src/scanner/index.ts';
import { startTwin } from '../src/twin/index.ts';
import { client } from './support/api.ts';
import { ADMIN_PASSWORD, startTestPlatform } from './support/platform.ts';
import { dialectTargets } from './support/stores.ts';

test('observations of a scanned twin are all accepted by POST /api/v1/observations', async (t) => {
  const target = dialectTargets()[0];
  const platform = await startTestPlatform(target);
  t.after(async () => {
    await platform.close();
    await target.cleanup();
  });
  const twin = await startTwin({ devices: 40, seed: 'scanner-platform', cidr: '127.25.0.0/24' });
  t.after(() => twin.close());
  const api = client(platform.url);
  const token = await api.login('admin', ADMIN_PASSWORD);

  const submitter = new Submitter(platform.url, token);
  const observations: Observation[] = [];
  const plan = new Plan(await resolveTargets(['127.25.0.0/26']), parsePorts(), 3);
  await scan({
    plan, rate: 0, timeoutMs: 2000, publicAddress: twinMapping,
    onObservation: (o) => {
      observations.push(o);
      submitter.add(o);
    },
    onFlush: () => submitter.flush(),
  });
  const served = twin.truth.reduce((n, d) => n + d.services.length, 0);
  assert.equal(observations.length, served);
  assert.deepEqual(submitter.stats, { batches: submitter.stats.batches, accepted: served, rejected: 0, failed: 0 });

  // One asset per device, at the public address the twin stands for.
  const device = twin.truth.find((d) => d.services.some((s) => s.exposes.firmware))!;
  const assets = await api.get(`/api/v1/assets?q=${device.publicIp}`, token);
  assert.equal(assets.status, 200, JSON.stringify(assets.body));
  const items = (assets.body.items ?? assets.body) as Array<{ ip: string; identity?: { firmware?: string } }>;
  const asset = items.find((a) => a.ip === device.publicIp);
  assert.ok(asset, `no asset at ${device.publicIp}: ${JSON.stringify(assets.body).slice(0, 300)}`);
  const firmwares = device.services.map((s) => s.exposes.firmware).filter(Boolean);
  assert.ok(firmwares.includes(asset.identity?.firmware), `asset ${JSON.stringify(asset)}, the twin's services say ${firmwares.join(', ')}`);
});
