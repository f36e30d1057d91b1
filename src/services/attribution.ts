// IP → region and IP → enterprise. Regions come from the pack's IP ranges; enterprises from their
// registered networks, the most specific (longest prefix) one winning. The network table is held
// in memory as one hash map per prefix length, so a lookup costs at most one probe per length in use.
import { cidrContains, cidrOf, parseCidr, parseIp, unmapIpv4, type IpAddress } from '../net/index.ts';
import type { RegionPack } from '../regions/index.ts';

export interface NetworkEntry {
  cidr: string;
  enterpriseId: string;
  /** The enterprise's own region codes: an enterprise's network places its assets in its county. */
  provinceCode: string;
  cityCode: string | null;
  countyCode: string | null;
}

export interface Placement {
  provinceCode: string;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
}

export class Attribution {
  private byPrefix = new Map<number, Map<string, NetworkEntry>>();
  private prefixes: number[] = [];

  constructor(private readonly regions: RegionPack) {}

  /** Replaces the whole network table (at start, or after a bulk change). */
  load(entries: NetworkEntry[]): void {
    this.byPrefix.clear();
    for (const e of entries) this.add(e);
  }

  add(entry: NetworkEntry): void {
    const c = parseCidr(entry.cidr);
    if (!c) return;
    const family = c.family;
    const key = `${family}/${c.prefix}`;
    const slot = family === 4 ? c.prefix : 100 + c.prefix;
    let map = this.byPrefix.get(slot);
    if (!map) {
      map = new Map();
      this.byPrefix.set(slot, map);
    }
    map.set(`${key}:${c.start}`, entry);
    this.prefixes = [...this.byPrefix.keys()].sort((a, b) => b - a);
  }

  enterpriseOf(ip: IpAddress): NetworkEntry | null {
    const addr = unmapIpv4(ip);
    for (const slot of this.prefixes) {
      const family = slot >= 100 ? 6 : 4;
      if (family !== addr.family) continue;
      const prefix = family === 4 ? slot : slot - 100;
      const net = cidrOf(addr, prefix);
      const hit = this.byPrefix.get(slot)!.get(`${family}/${prefix}:${net.start}`);
      if (hit) return hit;
    }
    return null;
  }

  /** Where an address would belong if `extra` were registered too (to check a registration before it is made). */
  placeWith(extra: NetworkEntry, ipText: string): Placement | null {
    const ip = parseIp(ipText);
    const c = parseCidr(extra.cidr);
    if (!ip || !c) return null;
    const current = this.place(ipText, ip);
    if (!cidrContains(c, ip)) return current;
    const held = this.prefixes.length ? this.enterpriseOf(ip) : null;
    if (held && parseCidr(held.cidr)!.prefix >= c.prefix) return current;
    return { provinceCode: extra.provinceCode, cityCode: extra.cityCode, countyCode: extra.countyCode, enterpriseId: extra.enterpriseId };
  }

  /** Where an address belongs, or null when it is neither in the region's ranges nor in a registered network. */
  place(ipText: string, parsed?: IpAddress): Placement | null {
    const ip = parsed ?? parseIp(ipText);
    if (!ip) return null;
    const network = this.prefixes.length ? this.enterpriseOf(ip) : null;
    if (network) {
      return {
        provinceCode: network.provinceCode,
        cityCode: network.cityCode,
        countyCode: network.countyCode,
        enterpriseId: network.enterpriseId,
      };
    }
    const loc = this.regions.locate(ipText);
    if (!loc) return null;
    return { provinceCode: loc.provinceCode, cityCode: loc.cityCode, countyCode: null, enterpriseId: null };
  }
}
