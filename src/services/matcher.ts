// The in-memory advisory index the spine matches identities against. Loaded from the advisories
// table at start; an imported advisory is added to it at once.
import type { DeviceIdentity } from '../model/index.ts';
import { buildIndex, matchIdentity, vendorKey, type Match, type NormalizedAdvisory } from '../vulns/index.ts';

export class AdvisoryMatcher {
  private index = buildIndex([]);
  private kev = new Map<string, ReadonlySet<string>>();
  private static readonly NONE: ReadonlySet<string> = new Set();

  load(advisories: NormalizedAdvisory[]): void {
    this.index = buildIndex(advisories);
    this.kev.clear();
  }

  add(advisory: NormalizedAdvisory): void {
    this.index.remove(advisory.id);
    this.index.add(advisory);
    this.kev.delete(advisory.id);
  }

  /** Ids of the advisories that mark any CVE as known exploited (few: scoring reads only their findings' CVE lists). */
  exploitedAdvisories(): string[] {
    const out: string[] = [];
    for (const a of this.index.advisories.values()) if (a.cves.some((c) => c.knownExploited)) out.push(a.id);
    return out;
  }

  /** The CVEs an advisory marks as known exploited (CISA KEV notes, CVE 5 ADP KEV/SSVC). */
  knownExploited(advisoryId: string): ReadonlySet<string> {
    let set = this.kev.get(advisoryId);
    if (!set) {
      const a = this.index.advisories.get(advisoryId);
      set = a ? new Set(a.cves.filter((c) => c.knownExploited).map((c) => c.cve)) : AdvisoryMatcher.NONE;
      this.kev.set(advisoryId, set);
    }
    return set;
  }

  /** The normalised vendor key the index files advisories under. */
  vendorKey(vendor: string): string {
    return vendorKey(vendor) ?? vendor.trim().toLowerCase();
  }

  /** The advisories that apply; memoised and shared between calls, so read-only. */
  match(identity: DeviceIdentity): readonly Match[] {
    if (!identity.vendor && !identity.product && !identity.orderNumber && !identity.model) return [];
    return matchIdentity(this.index, identity);
  }
}
