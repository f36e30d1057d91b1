// The inverse of VulnIndex: from the keys an advisory product is found by (vendor + name token,
// order/part number) to the identities that carry them, so a new advisory is matched against its
// candidates only, not against every device of the region. The keys are exactly those
// VulnIndex.lookup compares, so the candidates are a superset of what matchIdentity can return
// for that advisory.
import type { DeviceIdentity } from '../model/index.ts';
import type { NormalizedAdvisory } from './csaf.ts';
import { knownVendorKey, mlfbFamily, mlfbKey, partKey, partNumbersIn, productTokens, vendorKey } from './normalize.ts';

const MLFB_SHORT = 12;

/** Postings of identity numbers; identities are numbered by the caller (row number, array index). */
export class IdentityIndex {
  private readonly byVendorToken = new Map<string, number[]>();
  private readonly byModel = new Map<string, number[]>();
  /** Identities by model key, for the wildcard part families (`BMXP34*`) that match by prefix. */
  private readonly modelKeysByVendor = new Map<string, Set<string>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(n: number, identity: DeviceIdentity): void {
    this.count++;
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

  /** The identities an advisory may match: sorted, without repeats. */
  candidates(advisory: NormalizedAdvisory): Uint32Array {
    const lists: number[][] = [];
    for (const p of advisory.products) {
      if (p.range.kind === 'none' || p.cves.length === 0) continue;
      const tokens = productTokens(p.productName);
      const withDigit = tokens.filter((t) => /\d/.test(t));
      for (const v of p.vendorKeys) for (const t of withDigit.length ? withDigit : tokens) lists.push(this.byVendorToken.get(`${v}\u0000${t}`) ?? []);
      const keys = new Set<string>();
      for (const m of p.modelNumbers) {
        const k = mlfbKey(m) ?? partKey(m);
        if (k) keys.add(k);
      }
      const parts = [...partNumbersIn(p.productName), ...partNumbersIn(p.fullName)];
      for (const pn of parts) {
        if (!pn.prefix) keys.add(pn.key);
        else {
          // a wildcard family: every model key of these vendors (or none) that starts with it
          for (const v of [...p.vendorKeys, '']) for (const k of this.modelKeysByVendor.get(v) ?? []) if (k.length > pn.key.length && k.startsWith(pn.key)) keys.add(k);
        }
      }
      for (const k of keys) lists.push(this.byModel.get(k) ?? []);
    }
    let total = 0;
    for (const l of lists) total += l.length;
    const out = new Uint32Array(total);
    let i = 0;
    for (const l of lists) for (const x of l) out[i++] = x;
    out.sort();
    let w = 0;
    for (let r = 0; r < out.length; r++) if (r === 0 || out[r] !== out[r - 1]) out[w++] = out[r];
    return out.slice(0, w);
  }
}

function post(m: Map<string, number[]>, k: string, n: number): void {
  const l = m.get(k);
  if (!l) m.set(k, [n]);
  else if (l[l.length - 1] !== n) l.push(n);
}
