// Loads a region pack from a folder. Files are found by suffix, so any province's pack drops in:
//   *_divisions.json   province → cities → counties (modood/Administrative-divisions-of-China shape), required
//   *_province.geojson, *_cities.geojson, *_counties.geojson   boundaries with an `adcode` property, optional
//   *_ip_ranges.csv    IPv4 ranges with start_ip,end_ip,city_adcode,isp columns, optional
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appError } from '../errors.ts';
import { intToIpv4, ipv4ToInt } from '../net/index.ts';
import { findRange, parseIpRanges, rangeAtOffset, rangeOffsets } from './ip-ranges.ts';
import type { GeoFeatureCollection, IpRange, Region, RegionLevel, RegionPack } from './types.ts';

export const DEFAULT_REGION_DIR = fileURLToPath(new URL('../../reference/region/', import.meta.url));

const CODE = /^[0-9]{6}$/;

interface DivisionsFile {
  province: { code: string; name: string };
  cities: Array<{ code: string; name: string; counties?: Array<{ code: string; name: string }> }>;
}

function invalid(dir: string, why: string): never {
  throw appError('CONFIG_INVALID', `region pack ${dir}: ${why}`);
}

function findFile(dir: string, names: string[], suffix: string): string | null {
  const hits = names.filter((n) => n.endsWith(suffix));
  if (hits.length > 1) invalid(dir, `more than one *${suffix}: ${hits.join(', ')}`);
  return hits.length ? join(dir, hits[0]) : null;
}

function readJson(dir: string, path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return invalid(dir, `${path} is not JSON (${(e as Error).message})`);
  }
}

function emptyCollection(): GeoFeatureCollection {
  return { type: 'FeatureCollection', features: [] };
}

function readGeo(dir: string, path: string | null): GeoFeatureCollection {
  if (!path) return emptyCollection();
  const geo = readJson(dir, path) as GeoFeatureCollection;
  if (geo?.type !== 'FeatureCollection' || !Array.isArray(geo.features)) invalid(dir, `${path} is not a GeoJSON FeatureCollection`);
  return geo;
}

/**
 * Centroids by code. Features whose adcode is null or not a code of the pack are skipped: the Jiangxi
 * source still has 湾里区 (abolished 2019, adcode null) and no polygon of its own for 红谷滩区 360113,
 * so that county simply has no centroid (reference/README.md §2.2).
 */
function centroids(geo: GeoFeatureCollection): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const f of geo.features) {
    const p = f?.properties;
    // DataV-style files store adcode as a number; echarts-derived ones as a string.
    const code = p?.adcode == null ? '' : String(p.adcode);
    const c = p?.centroid ?? p?.center;
    if (CODE.test(code) && Array.isArray(c) && c.length >= 2 && typeof c[0] === 'number' && typeof c[1] === 'number') {
      out.set(code, [c[0], c[1]]);
    }
  }
  return out;
}

function buildRegions(dir: string, d: DivisionsFile): Region[] {
  if (!d?.province || !CODE.test(d.province.code) || !Array.isArray(d.cities)) invalid(dir, 'divisions file lacks province.code or cities[]');
  const p = d.province.code;
  const regions: Region[] = [
    { code: p, name: d.province.name, level: 'province', parentCode: null, provinceCode: p, cityCode: null, countyCode: null },
  ];
  const cities = [...d.cities].sort((a, b) => a.code.localeCompare(b.code));
  for (const city of cities) {
    // GB/T 2260: the first two digits are the province, the next two the prefecture.
    if (!CODE.test(city.code) || city.code.slice(0, 2) !== p.slice(0, 2) || city.code === p) invalid(dir, `bad city code ${city.code}`);
    regions.push({ code: city.code, name: city.name, level: 'city', parentCode: p, provinceCode: p, cityCode: city.code, countyCode: null });
  }
  for (const city of cities) {
    const counties = [...(city.counties ?? [])].sort((a, b) => a.code.localeCompare(b.code));
    for (const county of counties) {
      if (!CODE.test(county.code) || county.code.slice(0, 4) !== city.code.slice(0, 4) || county.code === city.code) {
        invalid(dir, `bad county code ${county.code} under ${city.code}`);
      }
      regions.push({
        code: county.code,
        name: county.name,
        level: 'county',
        parentCode: city.code,
        provinceCode: p,
        cityCode: city.code,
        countyCode: county.code,
      });
    }
  }
  const seen = new Set<string>();
  for (const r of regions) {
    if (seen.has(r.code)) invalid(dir, `code ${r.code} appears twice`);
    seen.add(r.code);
  }
  return regions;
}

export function loadRegionPack(dir: string = DEFAULT_REGION_DIR): RegionPack {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return invalid(dir, 'folder not readable');
  }
  const divisionsPath = findFile(dir, names, '_divisions.json');
  if (!divisionsPath) invalid(dir, 'no *_divisions.json');
  const regions = buildRegions(dir, readJson(dir, divisionsPath) as DivisionsFile);

  const geo: Record<RegionLevel, GeoFeatureCollection> = {
    province: readGeo(dir, findFile(dir, names, '_province.geojson')),
    city: readGeo(dir, findFile(dir, names, '_cities.geojson')),
    county: readGeo(dir, findFile(dir, names, '_counties.geojson')),
  };
  const centroidsByLevel = { province: centroids(geo.province), city: centroids(geo.city), county: centroids(geo.county) };
  for (const r of regions) {
    const c = centroidsByLevel[r.level].get(r.code);
    if (c) r.centroid = c;
  }

  const byCode = new Map(regions.map((r) => [r.code, r]));
  const kids = new Map<string, Region[]>();
  for (const r of regions) {
    if (r.parentCode) kids.set(r.parentCode, [...(kids.get(r.parentCode) ?? []), r]);
  }
  const province = regions[0];

  let ipRanges: IpRange[] = [];
  const rangesPath = findFile(dir, names, '_ip_ranges.csv');
  if (rangesPath) {
    const cityCodes = new Set(regions.filter((r) => r.level === 'city').map((r) => r.code));
    const parsed = parseIpRanges(readFileSync(rangesPath, 'utf8'), cityCodes);
    if (parsed.problems.length) {
      const first = parsed.problems[0];
      invalid(dir, `${rangesPath} line ${first.line}: ${first.reason} (${parsed.problems.length} problems)`);
    }
    ipRanges = parsed.ranges;
  }
  const offsets = rangeOffsets(ipRanges);
  const addressCount = offsets[offsets.length - 1];

  return {
    dir,
    province,
    regions,
    get: (code) => byCode.get(code) ?? null,
    children: (code) => [...(kids.get(code) ?? [])],
    isWithin(code, ancestorCode) {
      const r = byCode.get(code);
      if (!r || !byCode.has(ancestorCode)) return false;
      return r.code === ancestorCode || r.cityCode === ancestorCode || r.provinceCode === ancestorCode;
    },
    ipRanges,
    addressCount,
    locate(ip) {
      const n = ipv4ToInt(ip);
      if (n === null) return null;
      const i = findRange(ipRanges, n);
      if (i < 0) return null;
      return { provinceCode: province.code, cityCode: ipRanges[i].cityCode, countyCode: null, isp: ipRanges[i].isp };
    },
    geo: (level) => geo[level] ?? emptyCollection(),
    publicAddress(n) {
      if (!Number.isSafeInteger(n)) throw new RangeError(`publicAddress needs an integer, got ${n}`);
      if (addressCount === 0) throw appError('CONFIG_INVALID', `region pack ${dir} has no IP ranges`);
      const index = ((n % addressCount) + addressCount) % addressCount;
      const i = rangeAtOffset(offsets, index);
      return intToIpv4(ipRanges[i].start + (index - offsets[i]));
    },
    addressIndex(ip) {
      const n = ipv4ToInt(ip);
      if (n === null) return null;
      const i = findRange(ipRanges, n);
      return i < 0 ? null : offsets[i] + (n - ipRanges[i].start);
    },
  };
}
