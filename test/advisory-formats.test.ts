// POST /api/v1/advisories in its three formats, on every storage dialect: a CVE JSON 5 record and a
// CNVD share file (src/vulns/fixtures) become advisories beside the bundled CSAF one, open findings
// on the same twin-like S7-200 SMART, survive a reload of the matcher from storage, and anything
// malformed answers a stable error code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Platform } from '../src/main.ts';
import { loadMatcher } from '../src/services/index.ts';
import { client } from './support/api.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';
import { ADMIN_PASSWORD, s7smart, startTestPlatform } from './support/platform.ts';

const fixture = (name: string) => readFileSync(new URL(`../src/vulns/fixtures/${name}`, import.meta.url), 'utf8');
const CVE = JSON.parse(fixture('cve-2020-7584.json'));
const CNVD = fixture('cnvd-share.xml');
const IP = '36.134.80.10';

for (const target of dialectTargets()) {
  describe(`advisory formats on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    let platform: Platform;
    let api: ReturnType<typeof client>;
    let admin: string;
    // CNVD XML travels as a JSON string (the API is JSON-only)
    const xml = (body: string, token = admin) => api.post('/api/v1/advisories', body, token);

    before(async () => {
      if (skip) return;
      platform = await startTestPlatform(target);
      api = client(platform.url);
      admin = await api.login('admin', ADMIN_PASSWORD);
      const r = await api.post('/api/v1/observations', { observations: [s7smart(IP)] }, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });
    after(async () => {
      if (!skip) await platform.close();
    });
    const t = (name: string, fn: () => Promise<void>) => test(name, { skip }, fn);

    t('a CVE JSON 5 record imports once, re-matches its vendor and opens a finding', async () => {
      const r = await api.post('/api/v1/advisories', CVE, admin);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      // newFindings counts findings placed on an enterprise's draft warning; this device has no enterprise
      assert.deepEqual([r.body.format, r.body.advisory.id, r.body.advisory.format, r.body.created], ['cve', 'CVE-2020-7584', 'cve', true]);
      assert.ok(r.body.rematched >= 1);
      assert.equal(r.body.advisory.cves[0].cwe, 'CWE-400');
      const again = await api.post('/api/v1/advisories', CVE, admin);
      assert.deepEqual([again.status, again.body.created, again.body.newFindings], [200, false, 0]);
    });

    t('a CNVD share file imports each entry, lists the refused one and the per-product problems', async () => {
      const r = await xml(CNVD);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.format, 'cnvd');
      assert.deepEqual(r.body.items.map((i: any) => i.advisory.id), ['CNVD-2020-40001', 'CNVD-2023-95001', 'CNVD-2019-30001', 'CNVD-2024-10001']);
      assert.deepEqual(r.body.refused.map((x: any) => x.index), [4]);
      const broken = r.body.items[3].advisory;
      assert.deepEqual(broken.problems.map((p: any) => p.code), ['severity-unknown', 'no-cves', 'no-product-id', 'range-unparsed', 'no-product-id', 'no-version']);
      assert.equal(r.body.items[0].rematched, 1);
      const again = await xml(CNVD);
      assert.equal(again.status, 200);
      assert.ok(again.body.items.every((i: any) => !i.created));
      const got = await api.get('/api/v1/advisories/CNVD-2020-40001', admin);
      assert.deepEqual([got.status, got.body.format, got.body.severity, got.body.maxCvss], [200, 'cnvd', 'high', null]);
    });

    t('the device has one finding per advisory naming CVE-2020-7584, in each format; the CNVD level is its severity', async () => {
      const r = await api.get(`/api/v1/findings?ip=${IP}&cve=CVE-2020-7584`, admin);
      assert.equal(r.status, 200);
      const by = Object.fromEntries(r.body.items.map((f: any) => [f.advisoryId, f.severity]));
      assert.deepEqual(by, { 'ICSA-20-196-06': 'high', 'CVE-2020-7584': 'high', 'CNVD-2020-40001': 'high' });
    });

    t('stored CVE and CNVD records load back into the matcher by their shape', async () => {
      const n = await loadMatcher(platform.ctx);
      assert.equal(n, 6, 'ICSA-20-196-06, CVE-2020-7584 and four CNVD entries');
      const ids = platform.ctx.matcher.match(s7smart(IP).identity).map((m) => m.advisoryId).sort();
      assert.deepEqual(ids, ['CNVD-2020-40001', 'CVE-2020-7584', 'ICSA-20-196-06']);
    });

    t('malformed input answers stable codes and stores nothing', async () => {
      const before = await api.get('/api/v1/advisories/CVE-2023-6448', admin);
      assert.equal(before.status, 404);
      const cases: [string, () => Promise<{ status: number; body: any }>, string][] = [
        ['a CVE record with an unknown member', () => api.post('/api/v1/advisories', { ...CVE, extra: 1 }, admin), 'VALIDATION_FAILED'],
        ['a CVE id that is not one', () => api.post('/api/v1/advisories', { ...CVE, cveMetadata: { ...CVE.cveMetadata, cveId: 'CVE-1' } }, admin), 'VALIDATION_FAILED'],
        ['a CVE record of format 4', () => api.post('/api/v1/advisories', { ...CVE, dataVersion: '4.0' }, admin), 'VALIDATION_FAILED'],
        ['a REJECTED record', () => api.post('/api/v1/advisories', { ...CVE, cveMetadata: { ...CVE.cveMetadata, cveId: 'CVE-2023-6448', state: 'REJECTED' } }, admin), 'INVALID_ADVISORY'],
        ['a JSON string that is not XML', () => api.post('/api/v1/advisories', 'CNVD-2020-40001', admin), 'VALIDATION_FAILED'],
        ['XML with a DOCTYPE', () => xml('<!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]><vulnerability><number>&x;</number></vulnerability>'), 'INVALID_ADVISORY'],
        ['XML that is not CNVD', () => xml('<html><body/></html>'), 'INVALID_ADVISORY'],
        ['XML cut short', () => xml(CNVD.slice(0, 400)), 'INVALID_ADVISORY'],
        ['an empty string', () => xml(''), 'VALIDATION_FAILED'],
        ['raw XML (the API is JSON-only)', () => api.call('POST', '/api/v1/advisories', { token: admin, raw: CNVD, headers: { 'content-type': 'application/xml' } }), 'UNSUPPORTED_MEDIA_TYPE'],
      ];
      for (const [label, send, code] of cases) {
        const r = await send();
        assert.equal(r.body?.error?.code, code, `${label}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      }
      assert.equal((await api.get('/api/v1/advisories/CVE-2023-6448', admin)).status, 404);
    });

    t('a city analyst may not import in any format', async () => {
      const u = await api.post('/api/v1/users', { username: `city-${target.name}`, password: 'city-pass-123456', role: 'city-analyst', regionCode: '360100' }, admin);
      assert.equal(u.status, 201, JSON.stringify(u.body));
      const city = await api.login(`city-${target.name}`, 'city-pass-123456');
      assert.equal((await api.post('/api/v1/advisories', CVE, city)).status, 403);
      assert.equal((await xml(CNVD, city)).status, 403);
    });
  });
}
