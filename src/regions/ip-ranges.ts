// The pack's IPv4 ranges (an ip2region extract: start_ip,end_ip,…,city_adcode,isp,…) and lookups over them.
import { ipv4ToInt } from '../net/index.ts';
import type { IpRange } from './types.ts';

export type RangeProblem = { line: number; reason: string };

/** RFC 4180 fields of one line; quotes are optional and may hold commas or doubled quotes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * Reads the ranges CSV. `cityCodes` are the pack's cities: a city_adcode outside them becomes null, so
 * locate() never answers with a code the region tree does not know. Problems are returned, not thrown.
 */
export function parseIpRanges(text: string, cityCodes: ReadonlySet<string>): { ranges: IpRange[]; problems: RangeProblem[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  const [iStart, iEnd, iCity, iIsp] = [col('start_ip'), col('end_ip'), col('city_adcode'), col('isp')];
  const problems: RangeProblem[] = [];
  if (iStart < 0 || iEnd < 0) return { ranges: [], problems: [{ line: 1, reason: 'header lacks start_ip,end_ip' }] };
  const ranges: IpRange[] = [];
  for (let n = 1; n < lines.length; n++) {
    if (lines[n].trim() === '') continue;
    const f = splitCsvLine(lines[n]);
    const start = ipv4ToInt(f[iStart]?.trim() ?? '');
    const end = ipv4ToInt(f[iEnd]?.trim() ?? '');
    if (start === null || end === null || end < start) {
      problems.push({ line: n + 1, reason: `not an IPv4 range: ${f[iStart]} – ${f[iEnd]}` });
      continue;
    }
    const city = iCity >= 0 ? (f[iCity]?.trim() ?? '') : '';
    const isp = iIsp >= 0 ? (f[iIsp]?.trim() ?? '') : '';
    // ip2region writes "0" for an unknown field; the extract leaves it empty. Both mean no value.
    ranges.push({
      start,
      end,
      cityCode: cityCodes.has(city) ? city : null,
      isp: isp === '' || isp === '0' ? null : isp,
    });
  }
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i].start <= ranges[i - 1].end) {
      problems.push({ line: 0, reason: `overlapping ranges at ${ranges[i].start}` });
      break;
    }
  }
  return { ranges, problems };
}

/** Index of the range holding `n`, or -1 (ranges sorted and disjoint). */
export function findRange(ranges: readonly IpRange[], n: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges[mid];
    if (n < r.start) hi = mid - 1;
    else if (n > r.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** offsets[i] = number of addresses in ranges[0 … i-1]; offsets[length] is the total. */
export function rangeOffsets(ranges: readonly IpRange[]): number[] {
  const offsets = [0];
  for (const r of ranges) offsets.push(offsets[offsets.length - 1] + (r.end - r.start + 1));
  return offsets;
}

/** The range that holds walk position `index` (0 ≤ index < total). */
export function rangeAtOffset(offsets: readonly number[], index: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
