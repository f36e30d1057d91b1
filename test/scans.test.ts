// Platform scans end to end over HTTP, on every storage dialect, against a digital twin on
// loopback (50 devices in 127.31.0.0/24, one socket per device and port so it runs beside other
// twins): a scan queued through POST /api/v1/scans identifies every device as the twin's ground
// truth says, at the public addresses the twin stands for; targets outside the scope are refused
// before anything is queued; cancel stops a queued and a running scan; services of devices that
// went away are gone only after GONE_AFTER_MISSES covering scans; new services raise
// exposure-new on first sight; a scan running when the platform stops resumes on the next start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Platform } from '../src/main.ts';
import { parsePorts } from '../src/scanner/index.ts';
import { GONE_AFTER_MISSES } from '../src/services/index.ts';
import { startTwin, type Twin } from '../src/twin/index.ts';
import { client, type Reply } from './support/api.ts';
import { ADMIN_PASSWORD, startTestPlatform } from './support/platform.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';

const CIDR = '127.31.0.0/24';
const TARGET = '127.31.0.0/26';
const DEVICES = 50;
const GONE_CIDR = '127.31.1.0/24';
const GONE_TARGET = '127.31.1.0/27';
const GONE_DEVICES = 20;
const GONE_SURVIVORS = 12;
const MQTT_PERSONAS = ['wago-pfc200-750-8202', 'advantech-wise-edge-mosquitto', 'moxa-uc-8112-mosquitto'];
const SEED = 'scans-test';
// The twin's TCP services (UDP probes of silent addresses wait out their timeouts; the scanner's
// own tests cover UDP).
const PORTS = '502,102,20000,2404,44818/tcp,4840,1883,1911,9600/tcp';
const TCP_PORTS = new Set([502, 102, 20000, 2404, 44818, 4840, 1883, 1911, 9600]);
const TERMINAL = new Set(['finished', 'failed', 'cancelled']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startScanTwin(devices: number): Promise<Twin> {
  return startTwin({ devices, seed: SEED, cidr: CIDR, bind: 'per-address' });
}

/** Services of the truth that the scan's port list reaches. */
function scanned(twin: Twin) {
  return twin.truth.flatMap((d) => d.services.filter((s) => s.transport === 'tcp' && TCP_PORTS.has(s.port)).map((s) => ({ device: d, service: s })));
}

for (const target of dialectTargets()) {
  describe(`platform scans on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    const options = target.options();
    let platform: Platform;
    let twin: Twin;
    let api: ReturnType<typeof client>;
    let token: string;

    before(async () => {
      if (skip) return;
      twin = await startScanTwin(DEVICES);
      platform = await startTestPlatform(target, options);
      api = client(platform.url);
      token = await api.login('admin', ADMIN_PASSWORD);
    });
    after(async () => {
      if (skip) return;
      await platform?.close();
      await twin?.close();
      await target.cleanup();
    });

    async function waitFor(id: string, done: (s: any) => boolean, ms = 20_000): Promise<any> {
      const until = Date.now() + ms;
      for (;;) {
        const r = await api.get(`/api/v1/scans/${id}`, token);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (done(r.body)) return r.body;
        if (Date.now() > until) assert.fail(`scan ${id} still ${r.body.state} at ${r.body.finishedPairs}/${r.body.pairs}`);
        await sleep(50);
      }
    }
    const finished = (id: string) => waitFor(id, (s) => TERMINAL.has(s.state));

    async function runScan(body: object = {}): Promise<any> {
      const r = await api.post('/api/v1/scans', { targets: [TARGET], ports: PORTS, rate: 2000, ...body }, token);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.state, 'queued');
      const s = await finished(r.body.id);
      assert.equal(s.state, 'finished', JSON.stringify(s));
      return s;
    }

    async function events(kind: string): Promise<any[]> {
      const r = await api.get(`/api/v1/events?kind=${kind}&pageSize=500`, token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items;
    }

    test('out-of-scope targets are refused with the target named, and nothing is queued', { skip }, async () => {
      for (const targets of [['10.0.0.1'], [TARGET, '10.0.0.1'], ['360100']]) {
        const r = await api.post('/api/v1/scans', { targets, ports: PORTS }, token);
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'FORBIDDEN');
        assert.match(r.body.error.message, /^SCOPE_DENIED: target (10\.0\.0\.1|360100)/);
      }
      const bad = await api.post('/api/v1/scans', { targets: ['not-a-target'] }, token);
      assert.deepEqual([bad.status, bad.body.error.code], [400, 'VALIDATION_FAILED']);
      assert.match(bad.body.error.message, /^INVALID_TARGET: target not-a-target/);
      const ports = await api.post('/api/v1/scans', { targets: [TARGET], ports: 'nosuch:1' }, token);
      assert.deepEqual([ports.status, ports.body.error.code], [400, 'VALIDATION_FAILED']);
      const list = await api.get('/api/v1/scans', token);
      assert.deepEqual([list.status, list.body.total], [200, 0]);
      const rows = await platform.ctx.store.db.selectFrom('scans').select('id').execute();
      assert.deepEqual(rows, []);
    });

    test('a scan of the twin identifies every device as the truth says, at its public address', { skip }, async () => {
      const s = await runScan();
      const expected = scanned(twin);
      assert.equal(s.pairs, 64 * parsePorts(PORTS).length);
      assert.deepEqual([s.progress, s.finishedPairs], [1, s.pairs]);
      assert.ok(expected.length > 0, `the twin serves nothing scanned: ${JSON.stringify(twin.services)}`);
      assert.equal(s.counts.observations, expected.length, `${JSON.stringify(s)} ${JSON.stringify(expected.map((e) => [e.device.address, e.service.port]))}`);
      assert.equal(s.counts.newAssets, new Set(expected.map((e) => e.device.publicIp)).size, 'new assets');
      assert.ok(s.startedAt && s.finishedAt && s.startedAt <= s.finishedAt);

      const db = platform.ctx.store.db;
      const assets = new Map((await db.selectFrom('assets').selectAll().execute()).map((a) => [a.ip, a]));
      for (const d of twin.truth) {
        const mine = expected.filter((e) => e.device === d);
        if (!mine.length) continue;
        const asset = assets.get(d.publicIp);
        assert.ok(asset, `no asset at ${d.publicIp} (twin ${d.address})`);
        const services = await db.selectFrom('services').innerJoin('identities', 'identities.serviceId', 'services.id').selectAll().where('services.assetId', '=', asset.id).execute();
        for (const { service } of mine) {
          const stored = services.find((x) => x.port === service.port && x.transport === service.transport);
          if (!Object.keys(service.exposes).length) continue;
          assert.ok(stored, `${d.publicIp}:${service.port} has no identity`);
          for (const f of ['vendor', 'product', 'model', 'orderNumber', 'firmware', 'serial'] as const) {
            if (service.exposes[f] !== undefined) assert.equal(stored[f], service.exposes[f], `${d.publicIp}:${service.port} ${f}`);
          }
        }
      }
      const obs = await db.selectFrom('observations').select(['ip', 'via', 'source']).execute();
      assert.equal(obs.length, expected.length, 'observations');
      for (const o of obs) {
        assert.equal(o.source, 'platform-scan');
        assert.equal(twin.byAddress(o.via!)?.publicIp, o.ip);
      }
      // First sight of each service is a new exposure, once.
      const fresh = await events('exposure-new');
      assert.equal(fresh.length, expected.length, 'exposure-new events');
      const again = await runScan();
      assert.equal(again.counts.newAssets, 0, 'new assets of a second scan');
      assert.equal((await events('exposure-new')).length, expected.length);
      // Every step is in the audit log.
      const actions = (await db.selectFrom('auditLog').select('action').where('objectType', '=', 'scan').execute()).map((a) => a.action);
      assert.deepEqual([actions.filter((a) => a === 'scan.create').length, actions.filter((a) => a === 'scan.start').length, actions.filter((a) => a === 'scan.finish').length], [2, 2, 2]);
    });

    test(`services of stopped devices are gone only after ${GONE_AFTER_MISSES} covering scans`, { skip }, async () => {
      // A second twin of MQTT-serving personas: MQTT binds per address even beside a twin holding
      // the other standard ports on the wildcard address, so every device has a service here.
      const start = (devices: number) => startTwin({ devices, seed: SEED, cidr: GONE_CIDR, bind: 'per-address', personas: MQTT_PERSONAS });
      let gtwin = await start(GONE_DEVICES);
      const before = scanned(gtwin);
      await gtwin.close();
      gtwin = await start(GONE_SURVIVORS);
      try {
        const missing = before.filter((e) => !gtwin.byAddress(e.device.address));
        assert.ok(missing.length > 0, `the stopped devices served nothing scanned: ${JSON.stringify(gtwin.services)}`);
        const first = await runScan({ targets: [GONE_TARGET] });
        assert.deepEqual([first.counts.gone, first.goneAfter], [0, GONE_AFTER_MISSES]);
        const fresh = await events('exposure-new');
        for (const m of missing) assert.ok(!fresh.some((e) => e.ip === m.device.publicIp), 'a service never seen is not new');
        await gtwin.close();
        gtwin = await start(GONE_DEVICES);
        const seen = await runScan({ targets: [GONE_TARGET] });
        assert.equal(seen.counts.newAssets, new Set(missing.map((m) => m.device.publicIp)).size);
        await gtwin.close();
        gtwin = await start(GONE_SURVIVORS);
        for (let i = 1; i <= GONE_AFTER_MISSES; i++) {
          const s = await runScan({ targets: [GONE_TARGET] });
          const gone = await events('exposure-gone');
          if (i < GONE_AFTER_MISSES) assert.deepEqual([s.counts.gone, gone.length], [0, 0], `gone after ${i} scans`);
          else {
            assert.equal(s.counts.gone, missing.length);
            assert.deepEqual(gone.map((e) => `${e.ip}:${e.detail?.port ?? ''}`).sort(), missing.map((e) => `${e.device.publicIp}:${e.service.port}`).sort());
          }
        }
        const once = await runScan({ targets: [GONE_TARGET] });
        assert.equal(once.counts.gone, 0, 'a gone service is reported once');
        // N is the scan's own: with goneAfter 1, the first scan that misses a service reports it.
        await gtwin.close();
        gtwin = await start(GONE_DEVICES);
        await runScan({ targets: [GONE_TARGET] });
        await gtwin.close();
        gtwin = await start(GONE_SURVIVORS);
        const quick = await runScan({ targets: [GONE_TARGET], goneAfter: 1 });
        assert.deepEqual([quick.goneAfter, quick.counts.gone], [1, missing.length]);
        // Per-region figures: the province's children are its cities, and gone services count where they were.
        const province = platform.ctx.regions.province.code;
        const stats = await api.get(`/api/v1/stats/regions/${province}`, token);
        assert.equal(stats.status, 200, JSON.stringify(stats.body));
        assert.equal(stats.body.goneExposures, 2 * missing.length);
        assert.deepEqual(stats.body.children.map((c: any) => c.code), platform.ctx.regions.children(province).map((c) => c.code));
        const assets = await platform.ctx.store.db.selectFrom('assets').select(['ip', 'cityCode']).execute();
        assert.equal(stats.body.assets, assets.length);
        for (const c of stats.body.children) {
          assert.equal(c.assets, assets.filter((a) => a.cityCode === c.code).length, `assets of ${c.code}`);
          const goneHere = 2 * missing.filter((m) => assets.find((a) => a.ip === m.device.publicIp)?.cityCode === c.code).length;
          assert.equal(c.goneExposures, goneHere, `gone of ${c.code}`);
        }
        const city = stats.body.children.find((c: any) => c.goneExposures > 0);
        const inCity = await api.get(`/api/v1/stats/regions/${city.code}`, token);
        assert.deepEqual([inCity.status, inCity.body.goneExposures, inCity.body.assets], [200, city.goneExposures, city.assets]);
        assert.ok(inCity.body.children.every((c: any) => c.code.startsWith(city.code.slice(0, 4))));
      } finally {
        await gtwin.close();
      }
    });

    test('a city analyst scans the twin devices standing for its city, and nothing else', { skip }, async () => {
      const cityOf = (ip: string) => platform.ctx.attribution.place(ip)?.cityCode ?? null;
      const mine = twin.truth.find((d) => cityOf(d.publicIp));
      assert.ok(mine, 'no twin device stands for an address of a city');
      const city = cityOf(mine.publicIp)!;
      const other = twin.truth.find((d) => cityOf(d.publicIp) && cityOf(d.publicIp) !== city)!;
      const made = await api.post('/api/v1/users', { username: `city-${target.name}`, password: 'city-pass-1234', role: 'city-analyst', regionCode: city }, token);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const cityToken = await api.login(`city-${target.name}`, 'city-pass-1234');
      for (const address of [other.address, '127.0.0.1', '10.0.0.1']) {
        const no: Reply = await api.post('/api/v1/scans', { targets: [mine.address, address], ports: PORTS }, cityToken);
        assert.deepEqual([no.status, no.body.error?.code], [403, 'FORBIDDEN'], JSON.stringify(no.body));
        assert.match(no.body.error.message, new RegExp(`^REGION_DENIED: target ${address.replace(/\./g, '\\.')} `));
      }
      const r: Reply = await api.post('/api/v1/scans', { targets: [mine.address], ports: PORTS, rate: 2000 }, cityToken);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal((await finished(r.body.id)).state, 'finished');
      const seen = await api.get('/api/v1/scans', cityToken);
      assert.deepEqual(seen.body.items.map((x: { id: string }) => x.id), [r.body.id], 'a city analyst sees its own scans only');
    });

    test('cancel: a queued scan at once, a running one stops', { skip }, async () => {
      const slow = await api.post('/api/v1/scans', { targets: [TARGET], ports: PORTS, rate: 20 }, token);
      const queued = await api.post('/api/v1/scans', { targets: [TARGET], ports: PORTS }, token);
      await waitFor(slow.body.id, (s) => s.state === 'running');
      const q = await api.post(`/api/v1/scans/${queued.body.id}/cancel`, {}, token);
      assert.deepEqual([q.status, q.body.state, q.body.startedAt], [200, 'cancelled', null], JSON.stringify(q.body));
      const c = await api.post(`/api/v1/scans/${slow.body.id}/cancel`, {}, token);
      assert.equal(c.status, 200, JSON.stringify(c.body));
      assert.equal(c.body.state, 'cancelled');
      assert.ok(c.body.finishedPairs < c.body.pairs);
      const twice = await api.post(`/api/v1/scans/${slow.body.id}/cancel`, {}, token);
      assert.deepEqual([twice.status, twice.body.error.code], [409, 'INVALID_TRANSITION']);
      const list = await api.get('/api/v1/scans?state=cancelled', token);
      assert.equal(list.body.total, 2);
    });

    test('a scheduled scan queues its next run', { skip }, async () => {
      const s = await runScan({ schedule: { everyMinutes: 60 } });
      const next = await api.get('/api/v1/scans?state=queued', token);
      assert.equal(next.body.total, 1);
      const n = next.body.items[0];
      assert.deepEqual([n.seriesId, n.schedule], [s.id, { everyMinutes: 60 }]);
      assert.ok(Date.parse(n.notBefore) - Date.parse(s.finishedAt) === 60 * 60_000);
      assert.equal((await api.post(`/api/v1/scans/${n.id}/cancel`, {}, token)).body.state, 'cancelled');
    });

    test('a scan running when the platform stops resumes on the next start', { skip }, async () => {
      const r = await api.post('/api/v1/scans', { targets: [TARGET], ports: PORTS, rate: 150 }, token);
      assert.equal(r.status, 201);
      await waitFor(r.body.id, (s) => s.state === 'running' && s.finishedPairs >= 60);
      await platform.close();
      const stored = await (async () => {
        platform = await startTestPlatform(target, options);
        api = client(platform.url);
        token = await api.login('admin', ADMIN_PASSWORD);
        return finished(r.body.id);
      })();
      assert.equal(stored.state, 'finished', JSON.stringify(stored));
      assert.ok(stored.resumedPairs >= 60 && stored.resumedPairs < stored.pairs, `resumed ${stored.resumedPairs} of ${stored.pairs}`);
      assert.equal(stored.finishedPairs, stored.pairs);
      const audit = await platform.ctx.store.db.selectFrom('auditLog').select('action').where('objectId', '=', r.body.id).execute();
      assert.ok(audit.some((a) => a.action === 'scan.resume'));
    });
  });
}

const CHROMIUM = '/usr/bin/chromium';
const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

test('the Scans page queues a scan, shows its progress to 100% and the new exposures it found', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`, timeout: 60_000 }, async (t) => {
  const target = dialectTargets()[0];
  const platform = await startTestPlatform(target, { dashboard: true });
  const twin = await startTwin({ devices: 6, seed: SEED, cidr: '127.31.2.0/24', bind: 'per-address', personas: MQTT_PERSONAS });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  t.after(async () => {
    await browser.close();
    await twin.close();
    await platform.close();
    await target.cleanup();
  });
  const page = await browser.newPage();
  await page.goto(`${platform.url}/#/login`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-scans').click();
  await page.getByTestId('scan-targets').fill('127.31.2.0/29');
  await page.getByTestId('scan-ports').fill('1883');
  await page.getByTestId('scan-form').getByRole('button').click();
  const row = page.getByTestId('scans-row').first();
  await row.getByText('已完成').waitFor({ timeout: 20_000 });
  assert.match(await row.innerText(), /100%/);
  const changes = page.getByTestId('exposure-change-row');
  await changes.first().waitFor();
  const served = twin.truth.filter((d) => d.services.some((s) => s.port === 1883)).length;
  assert.equal(await changes.count(), served);
  assert.match(await changes.first().innerText(), /新增暴露/);
  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('scans-row').first().getByText('finished').waitFor();
});
