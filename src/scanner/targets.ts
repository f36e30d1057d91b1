// What the operator names on the command line, turned into IPv4 ranges: CIDRs and single
// addresses, GB/T 2260 region codes through the region pack's IP ranges, and enterprise:<id>
// through the platform's registered networks.
import { ipv4CidrRange, parseCidr } from '../net/index.ts';
import type { RegionPack } from '../regions/index.ts';
import { scanError } from './errors.ts';

export interface TargetRange {
  /** The text the range came from, for messages. */
  target: string;
  start: number;
  end: number;
}

export interface TargetSources {
  /** The region pack, loaded only when a region code is given. */
  regionPack?: () => RegionPack;
  /** An enterprise's networks (CIDRs), or undefined when no platform is configured. */
  enterpriseNetworks?: (id: string) => Promise<string[]>;
}

const REGION_CODE = /^[0-9]{6}$/;
const ENTERPRISE = /^enterprise:(.+)$/;

export async function resolveTargets(texts: readonly string[], sources: TargetSources = {}): Promise<TargetRange[]> {
  const out: TargetRange[] = [];
  for (const target of texts) {
    if (REGION_CODE.test(target)) {
      out.push(...regionRanges(target, sources));
      continue;
    }
    const ent = ENTERPRISE.exec(target);
    if (ent) {
      if (!sources.enterpriseNetworks) throw scanError('ENTERPRISE_NEEDS_API', `target ${target}`);
      for (const cidr of await sources.enterpriseNetworks(ent[1])) {
        const r = ipv4CidrRange(cidr);
        if (r) out.push({ target: `${target} (${cidr})`, ...r });
      }
      continue;
    }
    const c = parseCidr(target);
    const r = c ? ipv4CidrRange(c) : null;
    if (!r) throw scanError('INVALID_TARGET', `target ${target}`);
    out.push({ target, ...r });
  }
  return out;
}

function regionRanges(code: string, sources: TargetSources): TargetRange[] {
  const pack = sources.regionPack?.();
  const region = pack?.get(code);
  if (!pack || !region) throw scanError('INVALID_TARGET', `target ${code} is not a region code of the pack`);
  // The pack's IP data is city-level (ip2region has no counties): a county cannot be expanded
  // without scanning its whole city, so it is refused rather than silently widened.
  if (region.level === 'county') throw scanError('INVALID_TARGET', `target ${code} is a county; the pack's IP ranges go down to cities only`);
  const ranges = region.level === 'province' ? pack.ipRanges : pack.ipRanges.filter((r) => r.cityCode === code);
  return ranges.map((r) => ({ target: code, start: r.start, end: r.end }));
}
