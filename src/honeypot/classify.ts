// Session and source classification, one rule set used by the sensor's log and the platform.
// Rules, first match wins (most serious first):
//   exploit-attempt     any request the device could not frame, oversized, or carrying parser
//                       anomalies (malformed fields are how ICS exploits arrive: CVE-2019-6568 et al.)
//   denial-of-service   more than DOS_PER_MINUTE interactions, or DOS_CONNECTS_PER_MINUTE connects,
//                       inside any 60-second window
//   manipulation        any write, program download, stop/start, restart or publish
//   reconnaissance      reads beyond identification, or identification of two or more protocols
//   scan                connects and at most one identification request per protocol
import { MANIPULATING, type Operation } from './operations.ts';

export const CLASSIFICATIONS = ['scan', 'reconnaissance', 'manipulation', 'denial-of-service', 'exploit-attempt'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const DOS_PER_MINUTE = 6000;
export const DOS_CONNECTS_PER_MINUTE = 600;

export interface Classifiable {
  at: string;
  protocol: string;
  operation: Operation | string;
  anomalies?: readonly string[];
}

function maxPerMinute(times: number[]): number {
  times.sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export function classify(events: readonly Classifiable[]): Classification {
  if (events.some((e) => e.operation === 'malformed' || (e.anomalies?.length ?? 0) > 0)) return 'exploit-attempt';
  const times = events.map((e) => Date.parse(e.at)).filter((t) => !Number.isNaN(t));
  const connects = events.filter((e) => e.operation === 'connect').map((e) => Date.parse(e.at));
  if (maxPerMinute(times) > DOS_PER_MINUTE || maxPerMinute(connects) > DOS_CONNECTS_PER_MINUTE) return 'denial-of-service';
  if (events.some((e) => MANIPULATING.has(e.operation as Operation))) return 'manipulation';
  const discoveredProtocols = new Set(events.filter((e) => e.operation === 'discovery').map((e) => e.protocol));
  const discoveriesPerProtocol = new Map<string, number>();
  for (const e of events) if (e.operation === 'discovery') discoveriesPerProtocol.set(e.protocol, (discoveriesPerProtocol.get(e.protocol) ?? 0) + 1);
  const reads = events.some((e) => e.operation === 'read' || e.operation === 'subscribe' || e.operation === 'authentication');
  if (reads || discoveredProtocols.size >= 2 || [...discoveriesPerProtocol.values()].some((n) => n > 3)) return 'reconnaissance';
  return 'scan';
}

/** The more serious of two classifications (a source keeps its worst). */
export function worse(a: Classification, b: Classification): Classification {
  return CLASSIFICATIONS.indexOf(a) >= CLASSIFICATIONS.indexOf(b) ? a : b;
}
