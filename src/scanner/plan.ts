// The scan's index space: every (address, service) pair, numbered address-major, and the keyed
// permutation that orders them. Position p of the scan is pair `at(p)`; nothing is listed.
import { createHash } from 'node:crypto';
import { intToIpv4 } from '../net/index.ts';
import { AddressSet } from './address-set.ts';
import { Permutation } from './permutation.ts';
import type { Service } from './ports.ts';
import type { TargetRange } from './targets.ts';

export interface Pair {
  /** IPv4 address as an unsigned 32-bit integer. */
  address: number;
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
    return { address: this.addressAt(a), service: this.services[serviceIndex], serviceIndex };
  }

  static text(address: number): string {
    return intToIpv4(address);
  }
}
