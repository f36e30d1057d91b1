// The region tree changes only with the region pack, so one fetch per session serves every page.
import { api, type Region } from './api.ts';

let cached: Promise<Map<string, Region>> | null = null;

export function regionIndex(): Promise<Map<string, Region>> {
  cached ??= api.regions().then(
    ({ items }) => new Map(items.map((r) => [r.code, r])),
    (e: unknown) => {
      cached = null;
      throw e;
    },
  );
  return cached;
}

export function forgetRegions(): void {
  cached = null;
}

/** `赣州市 / 章贡区`: the most precise place known, with its city for context. */
export function placeName(index: Map<string, Region>, cityCode: string | null, countyCode: string | null, regionCode: string | null): string {
  const city = cityCode ? index.get(cityCode)?.name : undefined;
  const county = countyCode ? index.get(countyCode)?.name : undefined;
  if (city && county) return `${city} / ${county}`;
  return city ?? county ?? (regionCode ? index.get(regionCode)?.name ?? regionCode : '—');
}

/** Province, then each city followed by its counties, indented, for a region select. */
export function regionOptions(index: Map<string, Region>): Array<{ value: string; label: string }> {
  const all = [...index.values()].sort((a, b) => a.code.localeCompare(b.code));
  const out: Array<{ value: string; label: string }> = [];
  for (const province of all.filter((r) => r.level === 'province')) out.push({ value: province.code, label: province.name });
  for (const city of all.filter((r) => r.level === 'city')) {
    out.push({ value: city.code, label: `\u3000${city.name}` });
    for (const county of all.filter((r) => r.level === 'county' && r.parentCode === city.code)) {
      out.push({ value: county.code, label: `\u3000\u3000${county.name}` });
    }
  }
  return out;
}
