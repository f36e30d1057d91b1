// OT safety before any socket: every target outside 127.0.0.0/8 must lie wholly inside the scope
// allow-list, or the whole scan is refused with an error naming the first such target. The
// block-list is the owners' opt-out and is applied to every address, in scope or not.
import { AddressSet } from './address-set.ts';
import { scanError } from './errors.ts';
import type { TargetRange } from './targets.ts';

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3): the loopback network, the only place needing no allow-list. */
const LOOPBACK = new AddressSet([{ start: 0x7f000000, end: 0x7fffffff }]);

export function checkScope(targets: readonly TargetRange[], allow: AddressSet | null): void {
  for (const t of targets) {
    if (LOOPBACK.covers(t.start, t.end)) continue;
    if (allow && allow.covers(t.start, t.end)) continue;
    throw scanError('SCOPE_DENIED', `target ${t.target}`);
  }
}
