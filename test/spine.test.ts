// The spine end to end over HTTP, on every storage dialect: observation → asset → attribution →
// identity → finding → draft warning, idempotent re-ingest, and scoping of what each role sees.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import { makeCreditCode } from '../src/model/credit-code.ts';
import { recount } from '../src/services/index.ts';
import { client } from './support/api.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';
import { ADMIN_PASSWORD, s7smart, startTestPlatform } from './support/platform.ts';

const NANCHANG_IP = '36.134.80.10'; // 36.134.80.0–36.134.81.255: 南昌市 (reference/region/jiangxi_ip_ranges.csv)
const JINGDEZHEN_IP = '59.63.0.1'; // 景德镇市 per reference/README.md §2.3
const T0 = '2026-11-01T08:00:00.000Z';

for (const target of dialectTargets()) {
  describe(`spine on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    let platform: Platform;
    let api: ReturnType<typeof client>;
    let admin: string;
    let enterpriseId: string;

    before(async () => {
      if (skip) return;
      platform = await startTestPlatform(target);
      api = client(platform.url);
      admin = await api.login('admin', ADMIN_PASSWORD);
    });
    after(async () => {
      if (skip) return;
      await platform.close();
      await target.cleanup();
    });

    test('health names the storage', { skip }, async () => {
      const r = await api.get('/api/health');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { status: 'ok', version: r.body.version, storage: target.name });
    });

    test('an enterprise with a network in 东湖区', { skip }, async () => {
      const e = await api.post('/api/v1/enterprises', { name: '江西测试化工有限公司', creditCode: makeCreditCode('91360102'), industryCode: 'C2614', regionCode: '360102', classification: '重点', grade: '二级', contacts: [{ name: '张工', phone: '0791-88888888' }] }, admin);
      assert.equal(e.status, 201, JSON.stringify(e.body));
      enterpriseId = e.body.id;
      assert.equal(e.body.cityCode, '360100');
      const n = await api.post(`/api/v1/enterprises/${enterpriseId}/networks`, { cidr: '36.134.80.0/24' }, admin);
      assert.equal(n.status, 201, JSON.stringify(n.body));
      assert.equal(n.body.cidr, '36.134.80.0/24');
      const d = await api.post(`/api/v1/enterprises/${enterpriseId}/domains`, { domain: 'Scada.JXTest-Chem.cn.' }, admin);
      assert.equal(d.status, 201, JSON.stringify(d.body));
      assert.equal(d.body.domain, 'scada.jxtest-chem.cn');
      assert.equal((await api.post(`/api/v1/enterprises/${enterpriseId}/domains`, { domain: 'not a domain' }, admin)).status, 400);
      assert.deepEqual((await api.get(`/api/v1/enterprises/${enterpriseId}/domains`, admin)).body.items.map((x: { domain: string }) => x.domain), ['scada.jxtest-chem.cn']);
      assert.equal((await api.post('/api/v1/users', { username: `jdz-${target.name}`, password: 'city-pass-123', role: 'city-analyst', regionCode: '360200' }, admin)).status, 201);
      assert.equal((await api.post('/api/v1/users', { username: `ent-${target.name}`, password: 'ent-pass-1234', role: 'enterprise-user', enterpriseId }, admin)).status, 201);
    });

    const batch = [
      s7smart(NANCHANG_IP, 'V2.3.0'),
      { ip: JINGDEZHEN_IP, port: 502, transport: 'tcp', protocol: 'modbus', observedAt: T0, source: 'test-scanner', identity: { vendor: 'Schneider Electric', product: 'BMX P34 2020', firmware: 'v2.8' } },
      { ip: '8.8.8.8', port: 502, transport: 'tcp', protocol: 'modbus', observedAt: T0, source: 'test-scanner' },
      { ip: '300.1.1.1', port: 502, transport: 'tcp', protocol: 'modbus', observedAt: T0, source: 'test-scanner' },
      { ip: JINGDEZHEN_IP, port: 70000, transport: 'tcp', protocol: 'modbus', observedAt: T0, source: 'test-scanner' },
    ];

    test('a batch is accepted and rejected item by item', { skip }, async () => {
      const r = await api.post('/api/v1/observations', { observations: batch }, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.accepted, 2);
      assert.deepEqual(
        r.body.rejected.map((x: { index: number; code: string }) => [x.index, x.code]),
        [
          [2, 'OUT_OF_REGION'],
          [3, 'INVALID_IP'],
          [4, 'VALIDATION_FAILED'],
        ],
      );
    });

    test('assets are attributed to city, county and enterprise', { skip }, async () => {
      const r = await api.get('/api/v1/assets?pageSize=10', admin);
      assert.equal(r.status, 200);
      assert.equal(r.body.total, 2);
      const nc = r.body.items.find((a: { ip: string }) => a.ip === NANCHANG_IP);
      assert.equal(nc.cityCode, '360100');
      assert.equal(nc.countyCode, '360102');
      assert.equal(nc.enterpriseId, enterpriseId);
      assert.equal(nc.enterpriseName, '江西测试化工有限公司');
      assert.equal(nc.identity.firmware, 'V2.3.0');
      assert.deepEqual(nc.services.map((s: { port: number; protocol: string }) => [s.port, s.protocol]), [[102, 's7comm']]);
      const jdz = r.body.items.find((a: { ip: string }) => a.ip === JINGDEZHEN_IP);
      assert.equal(jdz.cityCode, '360200');
      assert.equal(jdz.countyCode, null);
      assert.equal(jdz.enterpriseId, null);
    });

    test('a vulnerable identity becomes a finding on a draft warning', { skip }, async () => {
      const f = await api.get(`/api/v1/findings?ip=${NANCHANG_IP}`, admin);
      assert.equal(f.status, 200);
      assert.equal(f.body.total, 1, JSON.stringify(f.body));
      assert.equal(f.body.items[0].advisoryId, 'ICSA-20-196-06');
      assert.deepEqual(f.body.items[0].cves, ['CVE-2020-7584']);
      assert.equal(f.body.items[0].port, 102);
      const w = await api.get('/api/v1/warnings', admin);
      assert.equal(w.body.total, 1);
      assert.equal(w.body.items[0].state, 'draft');
      assert.equal(w.body.items[0].enterpriseId, enterpriseId);
      assert.equal(w.body.items[0].findingCount, 1);
    });

    test('the same batch twice leaves the same state', { skip }, async () => {
      const before = await Promise.all(['/api/v1/assets', '/api/v1/findings', '/api/v1/warnings', '/api/v1/stats/overview'].map((p) => api.get(p, admin)));
      const r = await api.post('/api/v1/observations', batch, admin);
      assert.equal(r.body.accepted, 2);
      const again = await Promise.all(['/api/v1/assets', '/api/v1/findings', '/api/v1/warnings', '/api/v1/stats/overview'].map((p) => api.get(p, admin)));
      assert.deepEqual(again.map((x) => x.body), before.map((x) => x.body));
      const obs = await platform.ctx.store.db.selectFrom('observations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(obs.n), 2);
    });

    test('a fixed firmware closes the finding', { skip }, async () => {
      const r = await api.post('/api/v1/observations', [s7smart(NANCHANG_IP, 'V2.5.1', '2026-11-02T08:00:00.000Z')], admin);
      assert.equal(r.body.accepted, 1);
      assert.equal((await api.get(`/api/v1/findings?ip=${NANCHANG_IP}`, admin)).body.total, 0);
      assert.equal((await api.get(`/api/v1/findings?ip=${NANCHANG_IP}&status=fixed`, admin)).body.total, 1);
      // Older evidence arriving late does not roll the identity back.
      await api.post('/api/v1/observations', [s7smart(NANCHANG_IP, 'V2.3.0', '2026-10-01T08:00:00.000Z')], admin);
      assert.equal((await api.get(`/api/v1/findings?ip=${NANCHANG_IP}`, admin)).body.total, 0);
      const a = await api.get(`/api/v1/assets?q=${NANCHANG_IP}`, admin);
      assert.equal(a.body.items[0].identity.firmware, 'V2.5.1');
      assert.equal(a.body.items[0].firstSeen, '2026-10-01T08:00:00.000Z');
      // Seen-times and the summary move without a change of place or vendor (the narrow upsert).
      assert.equal(a.body.items[0].lastSeen, '2026-11-02T08:00:00.000Z');
      const svc = await platform.ctx.store.db.selectFrom('services').select(['firstSeen', 'lastSeen']).where('assetId', '=', a.body.items[0].id).execute();
      assert.deepEqual(svc, [{ firstSeen: '2026-10-01T08:00:00.000Z', lastSeen: '2026-11-02T08:00:00.000Z' }]);
    });

    test('a firmware change is an event; every change is in the audit log', { skip }, async () => {
      const ev = await api.get(`/api/v1/events?ip=${NANCHANG_IP}&kind=identity-changed`, admin);
      assert.equal(ev.status, 200);
      assert.equal(ev.body.total, 1);
      assert.match(ev.body.items[0].summary, /firmware V2\.3\.0 → V2\.5\.1/);
      const audit = await api.get('/api/v1/audit?pageSize=100', admin);
      assert.equal(audit.status, 200);
      const actions = new Set(audit.body.items.map((a: { action: string }) => a.action));
      for (const a of ['auth.login', 'enterprise.create', 'enterprise.network.add', 'user.create', 'observations.ingest']) assert.ok(actions.has(a), a);
      // The database itself refuses to rewrite history.
      await assert.rejects(platform.ctx.store.db.updateTable('auditLog').set({ action: 'x' }).execute());
      await assert.rejects(platform.ctx.store.db.deleteFrom('auditLog').execute());
    });

    test('overview counts per city', { skip }, async () => {
      const r = await api.get('/api/v1/stats/overview', admin);
      assert.equal(r.status, 200);
      assert.equal(r.body.cities.length, 11);
      const city = (code: string) => r.body.cities.find((c: { code: string }) => c.code === code);
      assert.equal(city('360100').assets, 1);
      assert.equal(city('360200').assets, 1);
      assert.equal(city('360300').assets, 0);
      assert.equal(r.body.totals.assets, 2);
      assert.equal(r.body.totals.enterprises, 1);
    });

    test('the running counters agree with a full recount', { skip }, async () => {
      const overviewNow = async () => {
        const token = await api.login(`ent-${target.name}`, 'ent-pass-1234');
        return [(await api.get('/api/v1/stats/overview', admin)).body, (await api.get('/api/v1/stats/overview', token)).body];
      };
      // A network registered after its address was seen moves the asset, its findings and its counts.
      const n = await api.post(`/api/v1/enterprises/${enterpriseId}/networks`, { cidr: `${JINGDEZHEN_IP}/32` }, admin);
      assert.equal(n.status, 201);
      const moved = await api.get(`/api/v1/assets?q=${JINGDEZHEN_IP}`, admin);
      assert.equal(moved.body.items[0].enterpriseId, enterpriseId);
      assert.equal(moved.body.items[0].countyCode, '360102');
      const incremental = await overviewNow();
      assert.equal(incremental[1].totals.assets, 2);
      await recount(platform.ctx.store);
      assert.deepEqual(await overviewNow(), incremental);
    });

    test('a city analyst sees only its city; an enterprise user only its enterprise', { skip }, async () => {
      const city = await api.login(`jdz-${target.name}`, 'city-pass-123');
      const ent = await api.login(`ent-${target.name}`, 'ent-pass-1234');
      // An enterprise's registered place is authoritative: its network's 59.63.0.1 left Jingdezhen's view,
      // while another Jingdezhen address stays there.
      const r = await api.post('/api/v1/observations', [{ ip: '59.63.0.2', port: 502, transport: 'tcp', protocol: 'modbus', observedAt: T0, source: 'test-scanner' }], admin);
      assert.equal(r.body.accepted, 1);
      assert.deepEqual((await api.get('/api/v1/assets', city)).body.items.map((a: { ip: string }) => a.ip), ['59.63.0.2']);
      // 59.63.0.1 belongs to the enterprise since its /32 was registered (previous test).
      assert.deepEqual((await api.get('/api/v1/assets', ent)).body.items.map((a: { ip: string }) => a.ip).sort(), [NANCHANG_IP, JINGDEZHEN_IP].sort());
      assert.equal((await api.get(`/api/v1/enterprises/${enterpriseId}`, city)).status, 404);
      assert.equal((await api.get(`/api/v1/enterprises/${enterpriseId}`, ent)).status, 200);
      const ov = await api.get('/api/v1/stats/overview', city);
      assert.equal(ov.body.totals.assets, 1);
      assert.equal(ov.body.cities.find((c: { code: string }) => c.code === '360200').assets, 1);
    });
  });
}
