// The inverse of VulnIndex: from the keys an advisory product is found by (vendor + name token,
// order/part number) to the identities that carry them, so a new advisory is matched against its
// candidates only, not against every device of the region. The keys are exactly those
// VulnIndex.lookup compares, so the candidates are a superset of what matchIdentity can return
// for that advisory. Devices are grouped by identity without the serial number (a region's
// devices repeat a few thousand product/firmware pairs; only Mitsubishi-style serial cut-offs
// read the serial), so a group is matched once for all its members.
import type { DeviceIdentity } from '../model/index.ts';
import type { NormalizedAdvisory } from './csaf.ts';
import { knownVendorKey, mlfbFamily, mlfbKey, partKey, partNumbersIn, productTokens, vendorKey } from './normalize.ts';

const MLFB_SHORT = 12;

/** Postings of identity groups, each list ascending. Devices are numbered by the caller (row number, array index). */
export class IdentityIndex {
  private readonly byVendorToken = new Map<string, number[]>();
  private readonly byModel = new Map<string, number[]>();
  /** Model keys by vendor, for the wildcard part families (`BMXP34*`) that match by prefix. */
  private readonly modelKeysByVendor = new Map<string, Set<string>>();
  private readonly groupOf = new Map<string, number>();
  private readonly groups: { identity: DeviceIdentity; members: number[]; product: string }[] = [];
  private count = 0;

  /** Devices added. */
  get size(): number {
    return this.count;
  }

  /** Distinct identities (without serial). */
  get groupCount(): number {
    return this.groups.length;
  }

  /** One identity of the group (its first device's); every member has the same fields but the serial. */
  representative(group: number): DeviceIdentity {
    return this.groups[group].identity;
  }

  members(group: number): readonly number[] {
    return this.groups[group].members;
  }

  /** The group's identity without firmware: groups with the same product key resolve to the same advisory products. */
  productKey(group: number): string {
    return this.groups[group].product;
  }

  add(n: number, identity: DeviceIdentity): void {
    this.count++;
    const f = (x: unknown) => (typeof x === 'string' ? x.trim() : '');
    const product = [identity.vendor, identity.product, identity.model, identity.orderNumber, identity.moduleName].map(f).join('\u0001');
    const key = `${product}\u0001${f(identity.firmware)}`;
    const known = this.groupOf.get(key);
    if (known !== undefined) {
      this.groups[known].members.push(n);
      return;
    }
    const g = this.groups.length;
    this.groupOf.set(key, g);
    this.groups.push({ identity, members: [n], product });
    this.index(g, identity);
  }

  private index(n: number, identity: DeviceIdentity): void {
    const order = typeof identity.orderNumber === 'string' ? identity.orderNumber.trim() : '';
    const orderMlfb = mlfbKey(order) ?? mlfbKey(identity.model);
    let vendor = vendorKey(identity.vendor) ?? knownVendorKey(identity.product) ?? knownVendorKey(identity.model);
    if (vendor === null && orderMlfb) vendor = 'siemens';
    const models = new Set([orderMlfb, partKey(order), partKey(identity.model), partKey(identity.product)].filter((k): k is string => k !== null));
    for (const k of models) {
      post(this.byModel, k, n);
      if (k.length > MLFB_SHORT) post(this.byModel, k.slice(0, MLFB_SHORT), n);
      const v = vendor ?? '';
      let keys = this.modelKeysByVendor.get(v);
      if (!keys) this.modelKeysByVendor.set(v, (keys = new Set()));
      keys.add(k);
    }
    if (vendor === null) return;
    const family = mlfbFamily(orderMlfb);
    const tokens = new Set([
      ...productTokens(identity.product),
      ...productTokens(identity.model),
      ...productTokens(identity.moduleName),
      ...(family ? family.flatMap((f) => productTokens(f)) : []),
    ]);
    for (const t of tokens) post(this.byVendorToken, `${vendor}\u0000${t}`, n);
  }

  /** The identity groups an advisory may match: ascending, without repeats. */
  candidates(advisory: NormalizedAdvisory): Uint32Array {
    // Products of one advisory share most keys ("siemens" + "s7", "1500"): collect the keys first,
    // then walk each posting list once into a bitmap.
    const tokenKeys = new Set<string>();
    const modelKeys = new Set<string>();
    for (const p of advisory.products) {
      if (p.range.kind === 'none' || p.cves.length === 0) continue;
      const tokens = productTokens(p.productName);
      const withDigit = tokens.filter((t) => /\d/.test(t));
      for (const v of p.vendorKeys) for (const t of withDigit.length ? withDigit : tokens) tokenKeys.add(`${v}\u0000${t}`);
      for (const m of p.modelNumbers) {
        const k = mlfbKey(m) ?? partKey(m);
        if (k) modelKeys.add(k);
      }
      for (const pn of [...partNumbersIn(p.productName), ...partNumbersIn(p.fullName)]) {
        if (!pn.prefix) modelKeys.add(pn.key);
        else {
          // a wildcard family: every model key of these vendors (or of none) that starts with it
          for (const v of [...p.vendorKeys, '']) for (const k of this.modelKeysByVendor.get(v) ?? []) if (k.length > pn.key.length && k.startsWith(pn.key)) modelKeys.add(k);
        }
      }
    }
    const lists: number[][] = [];
    for (const k of tokenKeys) {
      const l = this.byVendorToken.get(k);
      if (l) lists.push(l);
    }
    for (const k of modelKeys) {
      const l = this.byModel.get(k);
      if (l) lists.push(l);
    }
    let max = -1;
    for (const l of lists) if (l.length && l[l.length - 1] > max) max = l[l.length - 1];
    if (max < 0) return new Uint32Array(0);
    const seen = new Uint8Array(max + 1);
    let n = 0;
    for (const l of lists) {
      for (let i = 0; i < l.length; i++) {
        const x = l[i];
        if (seen[x] === 0) {
          seen[x] = 1;
          n++;
        }
      }
    }
    const out = new Uint32Array(n);
    let w = 0;
    for (let x = 0; x <= max; x++) if (seen[x] === 1) out[w++] = x;
    return out;
  }
}

/** True when the advisory has a range only a serial number decides: then each member is matched with its own serial. */
export function readsSerial(advisory: NormalizedAdvisory): boolean {
  return advisory.products.some((p) => p.range.kind === 'undecidable' && p.range.serial !== undefined);
}

function post(m: Map<string, number[]>, k: string, n: number): void {
  const l = m.get(k);
  if (!l) m.set(k, [n]);
  else if (l[l.length - 1] !== n) l.push(n);
}
