import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '../errors.ts';
import { loadRegionPack } from './index.ts';

// The real Jiangxi pack (reference/README.md §2), which is also the default folder.
const pack = loadRegionPack();
const CSV = new URL('../../reference/region/jiangxi_ip_ranges.csv', import.meta.url);

test('Jiangxi: 1 province, 11 cities, 100 counties, nested by code', () => {
  const by = (level: string) => pack.regions.filter((r) => r.level === level);
  assert.equal(by('province').length, 1);
  assert.equal(by('city').length, 11);
  assert.equal(by('county').length, 100);
  assert.equal(pack.province.code, '360000');
  assert.equal(pack.province.name, '江西省');
  assert.equal(loadRegionPack('reference/region').regions.length, 112);
  assert.equal(pack.regions[0], pack.province);
  const cityCodes = new Set(by('city').map((c) => c.code));
  for (const county of by('county')) {
    assert.ok(cityCodes.has(county.parentCode!), county.code);
    assert.equal(county.cityCode, county.parentCode);
    assert.equal(county.countyCode, county.code);
    assert.equal(county.provinceCode, '360000');
    assert.equal(county.code.slice(0, 4), county.cityCode!.slice(0, 4));
  }
  for (const city of by('city')) assert.equal(city.parentCode, '360000');
  assert.deepEqual(pack.get('360200'), {
    code: '360200',
    name: '景德镇市',
    level: 'city',
    parentCode: '360000',
    provinceCode: '360000',
    cityCode: '360200',
    countyCode: null,
    centroid: pack.get('360200')!.centroid,
  });
  assert.equal(pack.get('360102')?.name, '东湖区');
  assert.equal(pack.get('999999'), null);
});

test('children and isWithin follow the tree', () => {
  assert.deepEqual(
    pack.children('360000').map((c) => c.code),
    ['360100', '360200', '360300', '360400', '360500', '360600', '360700', '360800', '360900', '361000', '361100'],
  );
  assert.equal(pack.children('360100').length, 9);
  assert.ok(pack.children('360100').some((c) => c.code === '360113' && c.name === '红谷滩区'));
  assert.deepEqual(pack.children('360102'), []);
  assert.deepEqual(pack.children('nope'), []);
  assert.equal(pack.isWithin('360102', '360100'), true);
  assert.equal(pack.isWithin('360102', '360000'), true);
  assert.equal(pack.isWithin('360100', '360100'), true);
  assert.equal(pack.isWithin('360102', '360200'), false);
  assert.equal(pack.isWithin('360100', '360102'), false);
  assert.equal(pack.isWithin('360000', '360100'), false);
  assert.equal(pack.isWithin('999999', '360000'), false);
  assert.equal(pack.isWithin('360102', '999999'), false);
});

test('data traps: 湾里区 null adcode, 红谷滩区 without a polygon', () => {
  const counties = pack.geo('county');
  assert.equal(counties.type, 'FeatureCollection');
  assert.equal(counties.features.length, 100);
  // Kept as stored, but it makes no region and no centroid.
  assert.ok(counties.features.some((f) => f.properties?.name === '湾里区' && f.properties.adcode === null));
  assert.equal(pack.regions.find((r) => r.name === '湾里区'), undefined);
  assert.equal(pack.get('360105'), null);
  assert.equal(pack.get('360113')?.centroid, undefined);
  assert.deepEqual(pack.get('360112')?.centroid, [115.9221, 28.7845]);
  assert.equal(pack.regions.filter((r) => r.centroid === undefined).map((r) => r.code).join(), '360113');
  assert.equal(pack.geo('city').features.length, 11);
  assert.equal(pack.geo('province').features.length, 1);
});

test('locate: ranges, boundaries, ranges without a city, outside addresses', () => {
  assert.deepEqual(pack.locate('59.63.0.1'), { provinceCode: '360000', cityCode: '360200', countyCode: null, isp: '电信' });
  assert.equal(pack.locate('59.63.0.0')?.cityCode, '360200');
  assert.equal(pack.locate('59.63.87.255')?.cityCode, '360200');
  assert.equal(pack.locate('59.63.88.0')?.cityCode, '361000');
  assert.equal(pack.locate('59.63.255.255')?.cityCode, '360100');
  assert.equal(pack.locate('::ffff:59.63.0.1')?.cityCode, '360200');
  assert.deepEqual(pack.locate('36.192.195.7'), { provinceCode: '360000', cityCode: null, countyCode: null, isp: '铁通' });
  assert.deepEqual(pack.locate('43.236.24.0'), { provinceCode: '360000', cityCode: null, countyCode: null, isp: null });
  assert.equal(pack.locate('42.247.11.230')?.isp, '教育网');
  assert.equal(pack.locate('223.104.174.255')?.cityCode, '360900');
  assert.equal(pack.locate('8.8.8.8'), null);
  assert.equal(pack.locate('0.0.0.0'), null);
  assert.equal(pack.locate('255.255.255.255'), null);
  assert.equal(pack.locate('2001:db8::1'), null);
  assert.equal(pack.locate('59.63.0.01'), null);
  assert.equal(pack.locate(''), null);
});

test('locate agrees with a naive scan of the CSV text', () => {
  const rows = readFileSync(CSV, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const num = (s: string): number => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const table = rows.map((f) => ({ start: num(f[0]), end: num(f[1]), city: f[5] || null }));
  assert.equal(table.length, 1862);
  assert.equal(pack.ipRanges.length, 1862);
  assert.equal(table.filter((r) => r.city === null).length, 34);
  let seed = 9;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 3000; i++) {
    // Half the probes near a range edge, half anywhere.
    const r: { start: number; end: number; city: string | null } = table[next() % table.length];
    const n: number = i % 2 ? next() : i % 4 ? r.start - 1 + (next() % 3) : r.end - 1 + (next() % 3);
    const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    const hit = table.find((t) => t.start <= n >>> 0 && n >>> 0 <= t.end);
    const got = pack.locate(ip);
    assert.equal(got === null, hit === undefined, ip);
    if (hit) assert.equal(got!.cityCode, hit.city, ip);
  }
});

test('publicAddress walks the ranges in order and addressIndex inverts it', () => {
  assert.equal(pack.addressCount, 8_312_029);
  assert.equal(pack.publicAddress(0), '36.134.80.0');
  assert.equal(pack.publicAddress(511), '36.134.81.255');
  assert.equal(pack.publicAddress(512), '36.192.195.0');
  assert.equal(pack.publicAddress(-1), '223.104.174.255');
  assert.equal(pack.publicAddress(pack.addressCount), '36.134.80.0');
  assert.equal(pack.publicAddress(pack.addressCount * 3 + 512), '36.192.195.0');
  assert.equal(pack.addressIndex('36.192.195.0'), 512);
  assert.equal(pack.addressIndex('8.8.8.8'), null);
  assert.throws(() => pack.publicAddress(1.5), RangeError);
  for (let n = 0; n < 8_312_029; n += 9973) {
    const ip = pack.publicAddress(n);
    assert.ok(pack.locate(ip), ip);
    assert.equal(pack.addressIndex(ip), n, ip);
  }
});

function tempPack(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-region-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const HUBEI = JSON.stringify({
  province: { code: '420000', name: '湖北省' },
  cities: [
    { code: '420100', name: '武汉市', counties: [{ code: '420102', name: '江岸区' }] },
    // 省直辖县级行政区划: county-level units under a pseudo-city code, as GB/T 2260 lists them.
    { code: '429000', name: '省直辖县级行政区划', counties: [{ code: '429004', name: '仙桃市' }] },
  ],
});

test('any province: files found by suffix, missing optional files, numeric adcodes', () => {
  const dir = tempPack({
    'hubei_divisions.json': HUBEI,
    'hubei_cities.geojson': JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { adcode: 420100, name: '武汉市', center: [114.3, 30.6] }, geometry: null }],
    }),
    'hubei_ip_ranges.csv': 'start_ip,end_ip,city_adcode,isp\n10.0.0.0,10.0.0.255,420100,电信\n"9.0.0.0","9.0.0.3",360100,\n',
  });
  try {
    const hubei = loadRegionPack(dir);
    assert.equal(hubei.province.code, '420000');
    assert.equal(hubei.regions.length, 5);
    assert.equal(hubei.get('429004')?.cityCode, '429000');
    assert.deepEqual(hubei.get('420100')?.centroid, [114.3, 30.6]);
    assert.deepEqual(hubei.geo('county'), { type: 'FeatureCollection', features: [] });
    assert.equal(hubei.locate('10.0.0.9')?.cityCode, '420100');
    // A city code the tree does not know (here a Jiangxi one) is not passed on.
    assert.deepEqual(hubei.locate('9.0.0.1'), { provinceCode: '420000', cityCode: null, countyCode: null, isp: null });
    assert.equal(hubei.publicAddress(4), '10.0.0.0');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('broken packs fail loudly with CONFIG_INVALID', () => {
  const cases: Array<Record<string, string>> = [
    {},
    { 'a_divisions.json': HUBEI, 'b_divisions.json': HUBEI },
    { 'a_divisions.json': '{not json' },
    { 'a_divisions.json': JSON.stringify({ province: { code: '42', name: 'x' }, cities: [] }) },
    { 'a_divisions.json': JSON.stringify({ province: { code: '420000', name: 'x' }, cities: [{ code: '360100', name: 'y' }] }) },
    {
      'a_divisions.json': JSON.stringify({
        province: { code: '420000', name: 'x' },
        cities: [{ code: '420100', name: 'y', counties: [{ code: '420201', name: 'z' }] }],
      }),
    },
    { 'a_divisions.json': HUBEI, 'a_ip_ranges.csv': 'start_ip,end_ip\n10.0.0.0,10.0.0.255\n10.0.0.128,10.0.1.0\n' },
    { 'a_divisions.json': HUBEI, 'a_ip_ranges.csv': 'start_ip,end_ip\n10.0.0.9,10.0.0.1\n' },
    { 'a_divisions.json': HUBEI, 'a_ip_ranges.csv': 'start_ip,end_ip\n2001:db8::,2001:db8::ff\n' },
    { 'a_divisions.json': HUBEI, 'a_cities.geojson': '{"type":"Feature"}' },
  ];
  for (const files of cases) {
    const dir = tempPack(files);
    try {
      assert.throws(
        () => loadRegionPack(dir),
        (e) => isAppError(e) && e.code === 'CONFIG_INVALID',
        Object.keys(files).join() + ' ' + Object.values(files).join().slice(0, 80),
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  }
  assert.throws(() => loadRegionPack('/nonexistent/otscope'), (e) => isAppError(e) && e.code === 'CONFIG_INVALID');
});
