// Risk scores: the arithmetic of each factor (src/services/risk.ts) with explicit expectations, and
// the risk endpoints on every storage dialect, scoped like everything else.
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Platform } from '../src/main.ts';
import { makeCreditCode } from '../src/model/credit-code.ts';
import { assetScore, isPublicAddress, scoreAsset, scoreEnterprise, scoreRegion, scoreSummary, summarise, type RiskScore } from '../src/services/index.ts';
import { client } from './support/api.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';
import { ADMIN_PASSWORD, s7smart, startTestPlatform } from './support/platform.ts';

const points = (s: RiskScore) => Object.fromEntries(s.factors.map((f) => [f.key, f.points]));

test('asset: a confirmed CVSS 7.5 finding on a public S7comm device', () => {
  const s = scoreAsset({
    ip: '36.134.80.10',
    honeypot: false,
    services: [{ protocol: 's7comm', port: 102 }],
    findings: [{ advisoryId: 'ICSA-20-196-06', cvss: 7.5, severity: 'high', confidence: 'confirmed', knownExploited: false }],
  });
  // 45 × 0.75 + 20 × 0 + 10 × 1/5 + 10 + 10 + 5 × 1/3
  assert.deepEqual(points(s), { cvss: 33.8, confidence: 0, knownExploited: 0, findings: 2, publicAddress: 10, unauthenticated: 10, icsServices: 1.7 });
  assert.deepEqual([s.score, s.level], [58, 'medium']);
  assert.equal(s.factors.find((f) => f.key === 'confidence')!.value, 1);
});

test('asset: a known-exploited critical finding behind a private address; a possible finding counts half', () => {
  const kev = scoreAsset({
    ip: '192.168.1.5',
    honeypot: false,
    services: [{ protocol: 'modbus', port: 502 }, { protocol: 'opcua', port: 4840 }],
    findings: [
      { advisoryId: 'CVE-2023-6448', cvss: 9.8, severity: 'critical', confidence: 'confirmed', knownExploited: true },
      { advisoryId: 'ICSA-X', cvss: 5, severity: 'medium', confidence: 'possible', knownExploited: false },
    ],
  });
  assert.deepEqual(points(kev), { cvss: 44.1, confidence: 0, knownExploited: 20, findings: 4, publicAddress: 0, unauthenticated: 10, icsServices: 3.3 });
  assert.deepEqual([kev.score, kev.level], [81, 'critical']);
  const possible = scoreAsset({ ip: '10.0.0.1', honeypot: false, services: [{ protocol: 'opcua', port: 4840 }], findings: [{ advisoryId: 'A', cvss: 9.8, severity: 'critical', confidence: 'possible', knownExploited: true }] });
  assert.deepEqual(points(possible), { cvss: 22.1, confidence: 0, knownExploited: 10, findings: 2, publicAddress: 0, unauthenticated: 0, icsServices: 1.7 });
  assert.equal(possible.score, 36);
});

test('asset: a CNVD finding without a score counts as the middle of its level; no finding leaves exposure only; a honeypot is 0', () => {
  const cnvd = scoreAsset({ ip: '10.1.1.1', honeypot: false, services: [], findings: [{ advisoryId: 'CNVD-2020-40001', cvss: null, severity: 'high', confidence: 'likely', knownExploited: false }] });
  assert.equal(points(cnvd).cvss, 28.8); // 45 × 8/10 × 0.8
  const bare = scoreAsset({ ip: '36.134.80.11', honeypot: false, services: [{ protocol: 'modbus', port: 502 }, { protocol: 'dnp3', port: 20000 }, { protocol: 'bacnet', port: 47808 }], findings: [] });
  assert.deepEqual([bare.score, points(bare).icsServices], [25, 5]);
  const trap = scoreAsset({ ip: '36.134.80.12', honeypot: true, services: [{ protocol: 'modbus', port: 502 }], findings: [{ advisoryId: 'A', cvss: 10, severity: 'critical', confidence: 'confirmed', knownExploited: true }] });
  assert.deepEqual([trap.score, trap.level, trap.factors.map((f) => f.key)], [0, 'none', ['honeypot']]);
});

test('enterprise and region aggregates', () => {
  const e = scoreEnterprise([78, 58, 10], 1);
  // 60 × 0.78 + 25 × mean(78, 58, 10)/100 + 15 × 1/2
  assert.deepEqual(points(e), { maxAsset: 46.8, topAssets: 12.2, overdue: 7.5 });
  assert.deepEqual([e.score, e.level], [67, 'high']);
  assert.equal(scoreEnterprise([], 0).score, 0);
  const r = scoreRegion([78, 58], 8, 0);
  // 50 × 0.68 + 30 × min(1, 4 × 2/8) + 0
  assert.deepEqual(points(r), { topAssets: 34, highShare: 30, overdue: 0 });
  assert.equal(r.score, 64);
  assert.equal(scoreRegion([], 0, 10).score, 20);
});

test('the bare number used for ranking equals the explained score, on 5,000 seeded assets', () => {
  let x = 12345;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  for (let i = 0; i < 5000; i++) {
    const input = {
      ip: pick(['36.134.80.10', '10.0.0.1', '192.168.3.4']),
      honeypot: rnd() < 0.05,
      services: Array.from({ length: Math.floor(rnd() * 4) }, () => ({ protocol: pick(['modbus', 'opcua', 's7comm', 'mqtt']), port: 1 })),
      findings: Array.from({ length: Math.floor(rnd() * 7) }, () => ({
        advisoryId: 'A',
        cvss: rnd() < 0.2 ? null : Math.round(rnd() * 100) / 10,
        severity: pick(['critical', 'high', 'medium', 'low', 'none'] as const),
        confidence: pick(['confirmed', 'likely', 'possible'] as const),
        knownExploited: rnd() < 0.1,
      })),
    };
    const summary = summarise(input);
    assert.equal(assetScore(summary), scoreSummary(summary).score, JSON.stringify(input));
    assert.equal(assetScore(summary), scoreAsset(input).score);
  }
});

test('public addresses', () => {
  for (const ip of ['36.134.80.10', '8.8.8.8', '2409:8a00::1']) assert.equal(isPublicAddress(ip), true, ip);
  for (const ip of ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', 'fd00::1', 'fe80::1']) assert.equal(isPublicAddress(ip), false, ip);
});

for (const target of dialectTargets()) {
  describe(`risk API on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    let platform: Platform;
    let api: ReturnType<typeof client>;
    let admin: string;
    let city: string;
    let ent: string;
    const ids: Record<string, string> = {};
    const t = (name: string, fn: () => Promise<void>) => test(name, { skip }, fn);

    before(async () => {
      if (skip) return;
      platform = await startTestPlatform(target);
      api = client(platform.url);
      admin = await api.login('admin', ADMIN_PASSWORD);
      let serial = 0;
      for (const [k, region, cidr] of [['A', '360102', '36.134.80.0/24'], ['B', '360202', '59.63.0.0/24']] as const) {
        const r = await api.post('/api/v1/enterprises', { name: `风险测试企业${k}`, creditCode: makeCreditCode(`91${region}${String(++serial).padStart(4, '0')}`), industryCode: 'C2614', regionCode: region }, admin);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids[k] = r.body.id;
        assert.equal((await api.post(`/api/v1/enterprises/${r.body.id}/networks`, { cidr }, admin)).status, 201);
      }
      const ingest = await api.post('/api/v1/observations', { observations: [s7smart('36.134.80.10'), s7smart('59.63.0.10'), s7smart('36.134.80.11', 'V2.5.1')] }, admin);
      assert.equal(ingest.status, 200, JSON.stringify(ingest.body));
      for (const ip of ['36.134.80.10', '59.63.0.10', '36.134.80.11']) ids[ip] = (await platform.ctx.store.db.selectFrom('assets').select('id').where('ip', '=', ip).executeTakeFirstOrThrow()).id;
      for (const [name, role, scope] of [['risk-city', 'city-analyst', { regionCode: '360100' }], ['risk-ent', 'enterprise-user', { enterpriseId: ids.A }]] as const) {
        const u = await api.post('/api/v1/users', { username: `${name}-${target.name}`, password: 'risk-pass-123456', role, ...scope }, admin);
        assert.equal(u.status, 201, JSON.stringify(u.body));
      }
      city = await api.login(`risk-city-${target.name}`, 'risk-pass-123456');
      ent = await api.login(`risk-ent-${target.name}`, 'risk-pass-123456');
    });
    after(async () => {
      if (!skip) await platform.close();
    });

    t('an asset with its factors; a fixed device scores on exposure only', async () => {
      const r = await api.get(`/api/v1/risk/assets/${ids['36.134.80.10']}`, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // The S7-200 SMART is named by product, not by an order number in the advisory: a likely match (0.8)
      assert.deepEqual([r.body.ip, r.body.score, r.body.level, r.body.openFindings, r.body.enterpriseId], ['36.134.80.10', 51, 'medium', 1, ids.A]);
      assert.deepEqual(Object.fromEntries(r.body.factors.map((f: any) => [f.key, [f.weight, f.points]])), {
        cvss: [45, 27], // 45 × 7.5/10 × 0.8
        confidence: [0, 0],
        knownExploited: [20, 0],
        findings: [10, 2],
        publicAddress: [10, 10],
        unauthenticated: [10, 10],
        icsServices: [5, 1.7],
      });
      const fixed = await api.get(`/api/v1/risk/assets/${ids['36.134.80.11']}`, admin);
      assert.deepEqual([fixed.body.score, fixed.body.openFindings], [22, 0]); // 10 + 10 + 1.7
    });

    t('an enterprise and a region', async () => {
      const e = await api.get(`/api/v1/risk/enterprises/${ids.A}`, ent);
      assert.equal(e.status, 200, JSON.stringify(e.body));
      // 60 × 0.51 + 25 × (51 + 22)/2/100 + 0 = 30.6 + 9.1
      assert.deepEqual([e.body.score, e.body.level, e.body.assets, e.body.overdueWarnings, e.body.worstAssets[0].ip], [40, 'medium', 2, 0, '36.134.80.10']);
      const r = await api.get('/api/v1/risk/regions/360102', city);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // 50 × 0.51 + 30 × min(1, 4 × 1/2) = 25.5 + 30
      assert.deepEqual([r.body.name, r.body.regionLevel, r.body.assets, r.body.vulnerableAssets, r.body.score], ['东湖区', 'county', 2, 1, 56]);
      const p = await api.get('/api/v1/risk/regions/360000', admin);
      assert.deepEqual([p.body.assets, p.body.vulnerableAssets], [3, 2]);
    });

    t('top N in scope', async () => {
      const all = await api.get('/api/v1/risk/assets?limit=1', admin);
      assert.deepEqual([all.body.total, all.body.items.length], [2, 1]);
      const mine = await api.get('/api/v1/risk/assets', city);
      assert.deepEqual(mine.body.items.map((a: any) => a.ip), ['36.134.80.10']);
      const region = await api.get('/api/v1/risk/assets?region=360200', admin);
      assert.deepEqual(region.body.items.map((a: any) => a.ip), ['59.63.0.10']);
    });

    t('a known-exploited CVE from a CVE 5 record (CISA ADP KEV) counts for the device it matches', async () => {
      const cve = JSON.parse(readFileSync(new URL('../src/vulns/fixtures/cve-2023-6448.json', import.meta.url), 'utf8'));
      assert.equal((await api.post('/api/v1/advisories', cve, admin)).status, 201);
      const ip = '36.134.81.10';
      const obs = { ip, port: 502, transport: 'tcp', protocol: 'modbus', observedAt: '2026-11-01T08:00:00.000Z', source: 'test-scanner', identity: { vendor: 'Unitronics', product: 'Vision OS', firmware: '12.30' } };
      assert.equal((await api.post('/api/v1/observations', { observations: [obs] }, admin)).status, 200);
      const { id } = await platform.ctx.store.db.selectFrom('assets').select('id').where('ip', '=', ip).executeTakeFirstOrThrow();
      const r = await api.get(`/api/v1/risk/assets/${id}`, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // 45 × 0.98 × 0.8 (likely) + 20 × 0.8 + 10 × 1/5 + 10 + 10 (Modbus) + 5 × 1/3
      assert.deepEqual(Object.fromEntries(r.body.factors.map((f: any) => [f.key, f.points])), { cvss: 35.3, confidence: 0, knownExploited: 16, findings: 2, publicAddress: 10, unauthenticated: 10, icsServices: 1.7 });
      assert.deepEqual([r.body.score, r.body.level], [75, 'high']);
    });

    t('out of scope looks missing; bad input has stable codes', async () => {
      const missing = await api.get('/api/v1/risk/assets/01JZZZZZZZZZZZZZZZZZZZZZZZ', city);
      assert.equal(missing.status, 404);
      assert.deepEqual(await api.get(`/api/v1/risk/assets/${ids['59.63.0.10']}`, city).then((r) => r.body), missing.body);
      assert.deepEqual(await api.get(`/api/v1/risk/enterprises/${ids.B}`, ent).then((r) => r.body), missing.body);
      assert.deepEqual(await api.get('/api/v1/risk/regions/360200', city).then((r) => r.body), missing.body);
      assert.deepEqual(await api.get('/api/v1/risk/regions/360102', ent).then((r) => r.body), missing.body);
      assert.equal((await api.get('/api/v1/risk/regions/36010', admin)).body.error.code, 'VALIDATION_FAILED');
      assert.equal((await api.get('/api/v1/risk/assets?limit=0', admin)).body.error.code, 'VALIDATION_FAILED');
      assert.equal((await api.get('/api/v1/risk/assets?foo=1', admin)).body.error.code, 'VALIDATION_FAILED');
    });
  });
}
