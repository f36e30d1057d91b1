// Where twin devices live on loopback, and which public address of the province each stands
// for. The public address is an affine permutation of the loopback offset modulo the region
// pack's address count, so it is deterministic, collision-free for every loopback address below
// 127.0.0.0 + addressCount (all of 127.16.0.0/12 for Jiangxi's 8.3 M addresses) and invertible:
// the scanner maps what it probed back to the public address it reports, and the platform maps
// a public address back to the twin device that answers for it.
import { appError } from '../errors.ts';
import { intToIpv4, ipv4CidrRange, ipv4ToInt, parseCidr } from '../net/index.ts';
import { loadRegionPack, type RegionPack } from '../regions/index.ts';

export const DEFAULT_TWIN_CIDR = '127.16.0.0/12';

const LOOPBACK_BASE = 0x7f000000;
const LOOPBACK_SIZE = 1 << 24;
/** Offsets from 127.0.0.0; the multiplier is moved to the next value coprime with the pack's count. */
const MULTIPLIER = 5_000_011;
const SALT = 0x6f7473; // "ots"

let defaultPack: RegionPack | undefined;
function packOrDefault(pack?: RegionPack): RegionPack {
  if (pack) return pack;
  defaultPack ??= loadRegionPack();
  return defaultPack;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modular inverse by the extended Euclidean algorithm (BigInt: products exceed 2^53). */
function inverse(a: number, m: number): number {
  let [r0, r1] = [BigInt(m), BigInt(a)];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return Number(((t0 % BigInt(m)) + BigInt(m)) % BigInt(m));
}

interface Permutation {
  count: number;
  a: number;
  b: number;
  aInverse: number;
}

const permutations = new WeakMap<RegionPack, Permutation>();

function permutationOf(pack: RegionPack): Permutation {
  let p = permutations.get(pack);
  if (!p) {
    const count = pack.addressCount;
    if (count < 1) throw appError('CONFIG_INVALID', `region pack ${pack.dir} has no IP ranges to map the twin onto`);
    let a = MULTIPLIER % count || 1;
    while (gcd(a, count) !== 1) a++;
    p = { count, a, b: SALT % count, aInverse: inverse(a, count) };
    permutations.set(pack, p);
  }
  return p;
}

/** The province's public address a twin device at this loopback address stands for. */
export function twinPublicAddress(loopback: string, pack?: RegionPack): string {
  const n = ipv4ToInt(loopback);
  if (n === null || n < LOOPBACK_BASE || n >= LOOPBACK_BASE + LOOPBACK_SIZE) throw appError('INVALID_IP', `${loopback} is not a 127.0.0.0/8 address`);
  const region = packOrDefault(pack);
  const { count, a, b } = permutationOf(region);
  const x = (n - LOOPBACK_BASE) % count;
  return region.publicAddress(Number((BigInt(a) * BigInt(x) + BigInt(b)) % BigInt(count)));
}

/** The loopback address whose twin device stands for this public address, or null outside the pack. */
export function twinLoopbackAddress(publicIp: string, pack?: RegionPack): string | null {
  const region = packOrDefault(pack);
  const index = region.addressIndex(publicIp);
  if (index === null) return null;
  const { count, b, aInverse } = permutationOf(region);
  const x = Number((BigInt(aInverse) * BigInt((index - b + count) % count)) % BigInt(count));
  return x < LOOPBACK_SIZE ? intToIpv4(LOOPBACK_BASE + x) : null;
}

/**
 * The first `n` usable addresses of a CIDR inside 127.0.0.0/8: host parts ending in .0 or .255
 * and 127.0.0.1 (where other software listens) are skipped.
 */
export function twinAddresses(cidr: string, n: number): string[] {
  const parsed = parseCidr(cidr);
  const range = parsed ? ipv4CidrRange(parsed) : null;
  if (!range) throw appError('INVALID_CIDR', `${cidr} is not an IPv4 CIDR`);
  if (range.start < LOOPBACK_BASE || range.end >= LOOPBACK_BASE + LOOPBACK_SIZE) {
    throw appError('INVALID_CIDR', `${cidr} is not inside 127.0.0.0/8; the twin lives on loopback only`);
  }
  const out: string[] = [];
  for (let a = range.start; a <= range.end && out.length < n; a++) {
    const last = a & 0xff;
    if (last === 0 || last === 255 || a === LOOPBACK_BASE + 1) continue;
    out.push(intToIpv4(a));
  }
  if (out.length < n) throw appError('INVALID_CIDR', `${cidr} has room for ${out.length} twin devices, ${n} asked`);
  return out;
}
