// Sets of IPv4 addresses as sorted, merged, inclusive integer ranges: scope allow-lists,
// block-lists and the scan's own target space.
import { ipv4CidrRange, parseCidr } from '../net/index.ts';
import { scanError } from './errors.ts';
import { readFileSync } from 'node:fs';

export interface Range {
  start: number;
  end: number;
}

export class AddressSet {
  readonly ranges: readonly Range[];

  constructor(ranges: Iterable<Range>) {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    const merged: Range[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
      else merged.push({ start: r.start, end: r.end });
    }
    this.ranges = merged;
  }

  static fromCidrs(cidrs: readonly string[]): AddressSet {
    return new AddressSet(cidrs.map((c) => {
      const r = ipv4CidrRange(c);
      if (!r) throw scanError('INVALID_SCOPE_FILE', `'${c}' is not an IPv4 CIDR`);
      return r;
    }));
  }

  /** Index of the range holding n, or -1. */
  private find(n: number): number {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.ranges[mid];
      if (n < r.start) hi = mid - 1;
      else if (n > r.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  has(n: number): boolean {
    return this.find(n) >= 0;
  }

  /** True when every address of start … end is in the set. */
  covers(start: number, end: number): boolean {
    const i = this.find(start);
    return i >= 0 && this.ranges[i].end >= end;
  }

  get size(): number {
    let n = 0;
    for (const r of this.ranges) n += r.end - r.start + 1;
    return n;
  }
}

/** A scope or block-list file: one CIDR or address per line; `#` starts a comment. */
export function readCidrFile(path: string): AddressSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw scanError('INVALID_SCOPE_FILE', `${path}: ${(e as Error).message}`);
  }
  const ranges: Range[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const s = line.replace(/#.*/, '').trim();
    if (!s) return;
    const c = parseCidr(s);
    const r = c ? ipv4CidrRange(c) : null;
    if (!r) throw scanError('INVALID_SCOPE_FILE', `${path}:${i + 1}: '${s.slice(0, 64)}'`);
    ranges.push(r);
  });
  return new AddressSet(ranges);
}
