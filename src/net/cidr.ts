// CIDR blocks (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6) and the IPv4 iteration helpers the scanner uses.
import { formatIp, ipKey, ipv4ToInt, intToIpv4, parseIp, type IpAddress, type IpFamily } from './ip.ts';

export interface Cidr {
  family: IpFamily;
  prefix: number;
  /** First address of the block (host bits cleared). */
  network: Uint8Array;
  /** Last address of the block (host bits set). */
  last: Uint8Array;
  /** Canonical text of the first and last address. */
  start: string;
  end: string;
  /** ipKey of the first and last address, for `start_key <= key AND end_key >= key` lookups. */
  startKey: string;
  endKey: string;
  /** `network/prefix` in canonical text, e.g. "10.1.0.0/16" for input "10.1.2.3/16". */
  normalized: string;
  /** The input had bits set past the prefix; they were cleared rather than refused. */
  hostBitsSet: boolean;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** `addr/prefix` or a bare address (a host route: /32 or /128). Null for anything else; never throws. */
export function parseCidr(s: string): Cidr | null {
  if (typeof s !== 'string') return null;
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return null;
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!PREFIX.test(p)) return null;
    prefix = Number(p);
    if (prefix > bits) return null;
  }
  return cidrOf(ip, prefix);
}

/** The block of `prefix` bits around `ip`. */
export function cidrOf(ip: IpAddress, prefix: number): Cidr {
  const network = new Uint8Array(ip.bytes.length);
  const last = new Uint8Array(ip.bytes.length);
  let hostBitsSet = false;
  for (let i = 0; i < ip.bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    const mask = (0xff << (8 - keep)) & 0xff;
    network[i] = ip.bytes[i] & mask;
    last[i] = network[i] | (~mask & 0xff);
    if (network[i] !== ip.bytes[i]) hostBitsSet = true;
  }
  const first: IpAddress = { family: ip.family, bytes: network };
  const end: IpAddress = { family: ip.family, bytes: last };
  const start = formatIp(first);
  return {
    family: ip.family,
    prefix,
    network,
    last,
    start,
    end: formatIp(end),
    startKey: ipKey(first),
    endKey: ipKey(end),
    normalized: `${start}/${prefix}`,
    hostBitsSet,
  };
}

/**
 * Whether `ip` lies in `cidr`, compared in the common 128-bit key space: an IPv4 address is inside
 * ::ffff:0:0/96 blocks and ::/0, as the storage range queries over ipKey would also say.
 */
export function cidrContains(cidr: Cidr | string, ip: IpAddress | string): boolean {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  if (!block) return false;
  const addr = typeof ip === 'string' ? parseIp(ip) : ip;
  if (!addr) return false;
  const key = ipKey(addr);
  return block.startKey <= key && key <= block.endKey;
}

/** First and last address of an IPv4 block as integers; null for IPv6 or unparsable input. */
export function ipv4CidrRange(cidr: Cidr | string): { start: number; end: number } | null {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  if (!block || block.family !== 4) return null;
  const start = ipv4ToInt({ family: 4, bytes: block.network });
  const end = ipv4ToInt({ family: 4, bytes: block.last });
  return start === null || end === null ? null : { start, end };
}

/** Number of addresses in an IPv4 block (2^(32-prefix)); null for IPv6 or unparsable input. */
export function ipv4CidrCount(cidr: Cidr | string): number | null {
  const range = ipv4CidrRange(cidr);
  return range ? range.end - range.start + 1 : null;
}

/** The n-th address (0-based) of an IPv4 block; null when n is outside the block or the block is not IPv4. */
export function ipv4CidrNth(cidr: Cidr | string, n: number): string | null {
  const range = ipv4CidrRange(cidr);
  if (!range || !Number.isInteger(n) || n < 0 || n > range.end - range.start) return null;
  return intToIpv4(range.start + n);
}

/** Every address of an IPv4 block in order, lazily (a /8 is 16M addresses: never spread it into an array). */
export function* ipv4CidrAddresses(cidr: Cidr | string): Generator<string> {
  const range = ipv4CidrRange(cidr);
  if (!range) return;
  for (let n = range.start; n <= range.end; n++) yield intToIpv4(n);
}

/** The fewest CIDR blocks that cover exactly start … end (integers, inclusive), in address order. */
export function ipv4RangeToCidrs(start: number, end: number): string[] {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 0xffffffff || start > end) return [];
  const out: string[] = [];
  let cur = start;
  while (cur <= end) {
    // The largest block that is aligned at `cur` and does not run past `end`.
    let size = 1;
    let prefix = 32;
    while (prefix > 0 && cur % (size * 2) === 0 && cur + size * 2 - 1 <= end) {
      size *= 2;
      prefix--;
    }
    out.push(`${intToIpv4(cur)}/${prefix}`);
    cur += size;
  }
  return out;
}
