// The scan's index space: every (address, service) pair, numbered address-major, and the keyed
// permutation that orders them. Position p of the scan is pair `at(p)`; nothing is listed.
import { createHash } from 'node:crypto';
import { intToIpv4 } from '../net/index.ts';
import { AddressSet, type Range } from './address-set.ts';
import { Permutation } from './permutation.ts';
import type { Service } from './ports.ts';
import type { TargetRange } from './targets.ts';

/** Addresses per block of a share; see `Plan.shareRanges`. */
export const SHARE_BLOCK = 256;

/** The share (0 … count-1) a pair's address belongs to when the scan is spread over `count` workers. */
export function shareOf(addressIndex: number, count: number): number {
  return Math.floor(addressIndex / SHARE_BLOCK) % count;
}

export interface Pair {
  /** IPv4 address as an unsigned 32-bit integer. */
  address: number;
  /** Index of the address in the plan's target space (0 … addressCount-1). */
  addressIndex: number;
  service: Service;
  serviceIndex: number;
}

export class Plan {
  readonly addresses: AddressSet;
  readonly addressCount: number;
  readonly size: number;
  readonly permutation: Permutation;
  /** Identifies the targets, services and key, so a resume file is only used for its own scan. */
  readonly fingerprint: string;
  private readonly offsets: number[];

  constructor(targets: readonly TargetRange[], readonly services: readonly Service[], readonly key: number) {
    this.addresses = new AddressSet(targets);
    this.offsets = [];
    let n = 0;
    for (const r of this.addresses.ranges) {
      this.offsets.push(n);
      n += r.end - r.start + 1;
    }
    this.addressCount = n;
    this.size = n * services.length;
    this.permutation = new Permutation(this.size, key);
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify({ ranges: this.addresses.ranges, services, key }))
      .digest('hex')
      .slice(0, 32);
  }

  /** The address with this index (0 … addressCount-1). */
  addressAt(i: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.offsets[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.addresses.ranges[lo].start + (i - this.offsets[lo]);
  }

  /** The pair scanned at position p of the permutation. */
  at(p: number): Pair {
    const index = this.permutation.at(p);
    const s = this.services.length;
    const a = Math.floor(index / s);
    const serviceIndex = index - a * s;
    return { address: this.addressAt(a), addressIndex: a, service: this.services[serviceIndex], serviceIndex };
  }

  /**
   * The addresses of share `index` of `count` (a scan spread over `count` workers): blocks of
   * SHARE_BLOCK consecutive addresses of the target space, dealt round-robin, so every device
   * belongs to one share (its per-device limit stays with one worker), dense and sparse parts of
   * the space are spread evenly, and a share is a list of ranges a sweep of it can walk.
   */
  shareRanges(index: number, count: number): Range[] {
    const out: Range[] = [];
    const ranges = this.addresses.ranges;
    let r = 0;
    for (let b = index; b * SHARE_BLOCK < this.addressCount; b += count) {
      const first = b * SHARE_BLOCK;
      const last = Math.min(this.addressCount, first + SHARE_BLOCK) - 1;
      // A block may straddle target ranges: one piece per range it overlaps.
      while (this.offsets[r] + (ranges[r].end - ranges[r].start) < first) r++;
      for (let k = r; k < ranges.length && this.offsets[k] <= last; k++) {
        const lo = Math.max(first, this.offsets[k]);
        const hi = Math.min(last, this.offsets[k] + (ranges[k].end - ranges[k].start));
        out.push({ start: ranges[k].start + (lo - this.offsets[k]), end: ranges[k].start + (hi - this.offsets[k]) });
      }
    }
    return out;
  }

  static text(address: number): string {
    return intToIpv4(address);
  }
}
