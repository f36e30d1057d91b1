// The region tree changes only with the region pack, so one fetch per login serves every page. The answer is
// scoped to the user, so a different login (another token) fetches it again.
import { api, type Region } from './api.ts';
import { session } from './session.ts';

let cached: { token: string | null; index: Promise<Map<string, Region>> } | null = null;

export function regionIndex(): Promise<Map<string, Region>> {
  const token = session.token();
  if (cached?.token !== token) {
    const index = api.regions().then(
      ({ items }) => new Map(items.map((r) => [r.code, r])),
      (e: unknown) => {
        cached = null;
        throw e;
      },
    );
    cached = { token, index };
  }
  return cached.index;
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
