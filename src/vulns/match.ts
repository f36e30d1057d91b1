// Matching device identities (what a probe or passive decoder learned) against the products of
// many advisories. The index is built once; each lookup touches only the identity's vendor and
// the products that share a discriminating token or a model number with it, and results are
// memoised per distinct identity, since a region's devices repeat the same few firmware images.
import type { Confidence, DeviceIdentity, Severity } from '../model/index.ts';
import type { AdvisoryProduct, NormalizedAdvisory } from './csaf.ts';
import { severityOf } from './csaf.ts';
import { mlfbFamily, mlfbKey, partKey, productTokens, vendorKey } from './normalize.ts';
import { describeRange, inRange } from './range.ts';
import { parseVersion, type Version } from './version.ts';

export interface Match {
  advisoryId: string;
  productId: string;
  cves: string[];
  confidence: Confidence;
  /** Which advisory branch and range matched, or why the firmware cannot decide. */
  reason: string;
  severity: Severity;
  cvss: number | null;
}

interface Entry {
  advisory: NormalizedAdvisory;
  product: AdvisoryProduct;
  tokens: readonly string[];
  /** Order/model keys of this product: MLFB keys and generic part keys. */
  modelKeys: readonly string[];
  /** True when the product is pinned to Siemens order numbers (icsa-26-134-15 splits S7-1500 by MLFB). */
  hasMlfb: boolean;
}

const MEMO_LIMIT = 200_000;
const MLFB_SHORT = 12; // advisories sometimes give `6GK1411-1AC00` without the last group

export class VulnIndex {
  readonly advisories = new Map<string, NormalizedAdvisory>();
  private readonly byVendorToken = new Map<string, Map<string, Entry[]>>();
  private readonly byModel = new Map<string, Entry[]>();
  private readonly memo = new Map<string, Match[]>();
  private readonly firmware = new Map<string, Version | null>();

  get size(): number {
    return this.advisories.size;
  }

  /** Adds an advisory, replacing an earlier one with the same id. */
  add(advisory: NormalizedAdvisory): void {
    if (this.advisories.has(advisory.id)) this.remove(advisory.id);
    this.advisories.set(advisory.id, advisory);
    for (const product of advisory.products) {
      if (product.range.kind === 'none' || product.cves.length === 0) continue;
      const modelKeys = new Set<string>();
      let hasMlfb = false;
      for (const m of product.modelNumbers) {
        const mk = mlfbKey(m);
        if (mk) {
          hasMlfb = true;
          modelKeys.add(mk);
        } else {
          const pk = partKey(m);
          if (pk) modelKeys.add(pk);
        }
      }
      const entry: Entry = { advisory, product, tokens: productTokens(product.productName), modelKeys: [...modelKeys], hasMlfb };
      for (const k of entry.modelKeys) push(this.byModel, k, entry);
      const vendors = product.vendorKeys.length ? product.vendorKeys : [''];
      for (const v of vendors) {
        let tokens = this.byVendorToken.get(v);
        if (!tokens) this.byVendorToken.set(v, (tokens = new Map()));
        for (const t of new Set(indexTokens(entry.tokens))) push(tokens, t, entry);
      }
    }
    this.memo.clear();
  }

  remove(id: string): boolean {
    const advisory = this.advisories.get(id);
    if (!advisory) return false;
    this.advisories.delete(id);
    const drop = (m: Map<string, Entry[]>) => {
      for (const [k, list] of m) {
        const kept = list.filter((e) => e.advisory.id !== id);
        if (kept.length === 0) m.delete(k);
        else if (kept.length !== list.length) m.set(k, kept);
      }
    };
    drop(this.byModel);
    for (const tokens of this.byVendorToken.values()) drop(tokens);
    this.memo.clear();
    return true;
  }

  /** @internal */
  parseFirmware(text: string): Version | null {
    let v = this.firmware.get(text);
    if (v === undefined) {
      v = parseVersion(text);
      if (this.firmware.size >= MEMO_LIMIT) this.firmware.clear();
      this.firmware.set(text, v);
    }
    return v;
  }

  /** @internal */
  lookup(vendor: string | null, modelKeys: string[], tokens: string[]): { byModel: Entry[]; byName: Entry[] } {
    const byModel = new Set<Entry>();
    for (const k of modelKeys) {
      for (const e of this.byModel.get(k) ?? []) byModel.add(e);
      if (k.length > MLFB_SHORT) for (const e of this.byModel.get(k.slice(0, MLFB_SHORT)) ?? []) byModel.add(e);
    }
    const byName = new Set<Entry>();
    const vendorTokens = vendor !== null ? this.byVendorToken.get(vendor) : undefined;
    if (vendorTokens) for (const t of indexTokens(tokens)) for (const e of vendorTokens.get(t) ?? []) byName.add(e);
    return { byModel: [...byModel], byName: [...byName] };
  }

  /** @internal */
  remembered(key: string): Match[] | undefined {
    return this.memo.get(key);
  }

  /** @internal */
  remember(key: string, matches: Match[]): void {
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, matches);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Tokens worth indexing: those with a digit; when there are none, all of them. */
function indexTokens(tokens: readonly string[]): string[] {
  const digits = tokens.filter((t) => /\d/.test(t));
  return digits.length ? digits : [...tokens];
}

export function buildIndex(advisories: Iterable<NormalizedAdvisory>): VulnIndex {
  const index = new VulnIndex();
  for (const a of advisories) index.add(a);
  return index;
}

const RANK: Record<Confidence, number> = { confirmed: 3, likely: 2, possible: 1 };

/**
 * The advisories that apply to one device. One Match per advisory: the strongest product leaf
 * decides the confidence, the CVEs are the union over the leaves that matched.
 */
export function matchIdentity(index: VulnIndex, identity: DeviceIdentity): Match[] {
  const key = [identity.vendor, identity.product, identity.model, identity.orderNumber, identity.firmware, identity.moduleName]
    .map((x) => (typeof x === 'string' ? x.trim() : ''))
    .join('\u0001');
  const cached = index.remembered(key);
  if (cached) return cached;
  const result = computeMatches(index, identity);
  index.remember(key, result);
  return result;
}

function computeMatches(index: VulnIndex, identity: DeviceIdentity): Match[] {
  const order = typeof identity.orderNumber === 'string' ? identity.orderNumber.trim() : '';
  const orderMlfb = mlfbKey(order) ?? mlfbKey(identity.model);
  let vendor = vendorKey(identity.vendor);
  if (vendor === null && orderMlfb) vendor = 'siemens';

  const modelKeys = [orderMlfb, partKey(order), partKey(identity.model)].filter((k): k is string => k !== null);
  const family = mlfbFamily(orderMlfb);
  const ownTokens = [
    ...productTokens(identity.product),
    ...productTokens(identity.model),
    ...productTokens(identity.moduleName),
  ];
  const familyTokens = family ? family.flatMap((n) => productTokens(n)) : [];
  const tokens = new Set([...ownTokens, ...familyTokens]);

  const fwText = typeof identity.firmware === 'string' ? identity.firmware.trim() : '';
  const fw = fwText ? index.parseFirmware(fwText) : null;

  const { byModel, byName } = index.lookup(vendor, [...new Set(modelKeys)], [...tokens]);
  const found = new Map<string, Match>();
  const seen = new Set<Entry>();

  const consider = (e: Entry, how: 'model' | 'name' | 'family' | 'partial', identified: string) => {
    if (seen.has(e)) return;
    seen.add(e);
    const hit = judge(e, how, identified, fw, fwText);
    if (!hit) return;
    const prev = found.get(e.advisory.id);
    if (!prev) {
      found.set(e.advisory.id, hit);
      return;
    }
    const cves = [...new Set([...prev.cves, ...hit.cves])].sort();
    const better = RANK[hit.confidence] > RANK[prev.confidence] ? hit : prev;
    const cvss = Math.max(prev.cvss ?? 0, hit.cvss ?? 0) || null;
    found.set(e.advisory.id, { ...better, cves, cvss, severity: severityOf(cvss) });
  };

  for (const e of byModel) consider(e, 'model', `order/model number ${order || identity.model}`);
  for (const e of byName) {
    if (e.tokens.length === 0) continue;
    // A product pinned to other order numbers is a different article (icsa-26-134-15).
    if (orderMlfb && e.hasMlfb) continue;
    if (!isSpecific(e.tokens)) continue;
    if (e.tokens.every((t) => ownTokens.includes(t))) consider(e, 'name', `product name "${e.product.productName}"`);
    else if (e.tokens.every((t) => tokens.has(t))) consider(e, 'family', `order number family ${family?.join(' / ')}`);
    else if (ownTokens.length > 0 && ownTokens.some((t) => /\d/.test(t)) && ownTokens.every((t) => e.tokens.includes(t))) {
      consider(e, 'partial', `product "${identity.product ?? identity.model}" is part of "${e.product.productName}"`);
    }
  }
  return [...found.values()].sort((a, b) => RANK[b.confidence] - RANK[a.confidence] || (b.cvss ?? 0) - (a.cvss ?? 0) || a.advisoryId.localeCompare(b.advisoryId));
}

/** A name of one generic word ("controller") says nothing; require a digit or two words. */
function isSpecific(tokens: readonly string[]): boolean {
  return tokens.some((t) => /\d/.test(t)) || tokens.length >= 2;
}

function judge(e: Entry, how: 'model' | 'name' | 'family' | 'partial', identified: string, fw: Version | null, fwText: string): Match | null {
  const { product, advisory } = e;
  const range = product.range;
  const where = `${advisory.id} › ${product.vendor} › ${product.productName}`;
  const base = { advisoryId: advisory.id, productId: product.productId, cves: product.cves, severity: product.severity, cvss: product.cvss };
  const strength: Confidence = how === 'model' ? 'confirmed' : how === 'partial' ? 'possible' : 'likely';

  if (range.kind === 'none') return null;
  if (range.kind === 'undecidable' || range.kind === 'unparsed') {
    return { ...base, confidence: 'possible', reason: `${where}: ${identified}; range "${product.rangeText}" ${range.kind}: ${range.reason}` };
  }
  if (range.kind === 'all') {
    const caveat = range.caveats?.length ? `; also requires ${range.caveats.join('; ')}` : '';
    return { ...base, confidence: caveat ? 'possible' : strength, reason: `${where}: ${identified}; all versions affected${caveat}` };
  }
  if (!fw) {
    const why = fwText ? `firmware "${fwText}" not understood` : 'firmware unknown';
    return { ...base, confidence: 'possible', reason: `${where}: ${identified}; ${why}; affected ${describeRange(range)}` };
  }
  const inside = inRange(range, fw);
  if (!inside) return null;
  if (range.caveats?.length) {
    return { ...base, confidence: 'possible', reason: `${where}: ${identified}; firmware ${fw.raw} in ${describeRange(range)} but also requires ${range.caveats.join('; ')}` };
  }
  return { ...base, confidence: strength, reason: `${where}: ${identified}; firmware ${fw.raw} in ${describeRange(range)}` };
}
