// Matching device identities (what a probe or passive decoder learned) against the products of
// many advisories. The index is built once; each lookup touches only the identity's vendor and
// the products that share a discriminating token or a model number with it, and results are
// memoised per distinct identity, since a region's devices repeat the same few firmware images.
import type { Confidence, DeviceIdentity, Severity } from '../model/index.ts';
import type { AdvisoryProduct, NormalizedAdvisory } from './csaf.ts';
import { severityOf } from './csaf.ts';
import { isSpecificProduct, knownVendorKey, mlfbFamily, mlfbKey, partKey, partNumbersIn, productTokens, vendorKey } from './normalize.ts';
import { describeRange, inRange, serialInCutoff } from './range.ts';
import { parseVersion, type Version } from './version.ts';

export interface Match {
  readonly advisoryId: string;
  readonly productId: string;
  /** Shared with later calls for the same identity (results are memoised): copy before changing. */
  readonly cves: string[];
  readonly confidence: Confidence;
  /** Which advisory branch and range matched, or why the firmware cannot decide. */
  readonly reason: string;
  readonly severity: Severity;
  readonly cvss: number | null;
}

interface Entry {
  advisory: NormalizedAdvisory;
  product: AdvisoryProduct;
  tokens: readonly string[];
  /** Order/model keys of this product: MLFB keys and generic part keys. */
  modelKeys: readonly string[];
  /** True when the product is pinned to Siemens order numbers (icsa-26-134-15 splits S7-1500 by MLFB). */
  hasMlfb: boolean;
  /** Reason fragments built once: "ICSA-… › vendor › product" and the range in words. */
  where: string;
  rangeText: string;
}

const MEMO_LIMIT = 50_000;
const MAX_FIELD = 200;
const MLFB_SHORT = 12; // advisories sometimes give `6GK1411-1AC00` without the last group

export class VulnIndex {
  readonly advisories = new Map<string, NormalizedAdvisory>();
  private readonly byVendorToken = new Map<string, Map<string, Entry[]>>();
  private readonly byModel = new Map<string, Entry[]>();
  /** Wildcard part-number families from product names: `BMXP34*` → "Modicon M340 CPU". */
  private readonly byPartPrefix = new Map<string, Entry[]>();
  private readonly memo = new Map<string, readonly Match[]>();
  private readonly resolvedMemo = new Map<string, Candidate[]>();
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
      const parts = [...partNumbersIn(product.productName), ...partNumbersIn(product.fullName)];
      for (const pn of parts) if (!pn.prefix) modelKeys.add(pn.key);
      const entry: Entry = {
        advisory,
        product,
        tokens: productTokens(product.productName),
        modelKeys: [...modelKeys],
        hasMlfb,
        where: `${advisory.id} › ${product.vendor} › ${product.productName}`,
        rangeText: describeRange(product.range),
      };
      for (const k of entry.modelKeys) push(this.byModel, k, entry);
      for (const pn of parts) if (pn.prefix) push(this.byPartPrefix, pn.key, entry);
      const vendors = product.vendorKeys.length ? product.vendorKeys : [''];
      for (const v of vendors) {
        let tokens = this.byVendorToken.get(v);
        if (!tokens) this.byVendorToken.set(v, (tokens = new Map()));
        for (const t of new Set(indexTokens(entry.tokens))) push(tokens, t, entry);
      }
    }
    this.memo.clear();
    this.resolvedMemo.clear();
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
    drop(this.byPartPrefix);
    for (const tokens of this.byVendorToken.values()) drop(tokens);
    this.memo.clear();
    this.resolvedMemo.clear();
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
      for (let n = 4; n < k.length; n++) {
        for (const e of this.byPartPrefix.get(k.slice(0, n)) ?? []) {
          if (vendor === null || e.product.vendorKeys.includes(vendor)) byModel.add(e);
        }
      }
    }
    const byName = new Set<Entry>();
    const vendorTokens = vendor !== null ? this.byVendorToken.get(vendor) : undefined;
    if (vendorTokens) for (const t of tokens) for (const e of vendorTokens.get(t) ?? []) byName.add(e);
    return { byModel: [...byModel], byName: [...byName] };
  }

  /** @internal */
  resolved(key: string): Candidate[] | undefined {
    return this.resolvedMemo.get(key);
  }

  /** @internal */
  rememberResolved(key: string, candidates: Candidate[]): void {
    if (this.resolvedMemo.size >= MEMO_LIMIT) this.resolvedMemo.clear();
    this.resolvedMemo.set(key, candidates);
  }

  /** @internal */
  remembered(key: string): readonly Match[] | undefined {
    return this.memo.get(key);
  }

  /** @internal */
  remember(key: string, matches: readonly Match[]): void {
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
const NONE: readonly Match[] = Object.freeze([]);
const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, none: 0 };

/**
 * The advisories that apply to one device. One Match per advisory: the strongest product leaf
 * decides the confidence, the CVEs are the union over the leaves that matched. Results are
 * memoised and shared between calls, so they are frozen.
 */
export function matchIdentity(index: VulnIndex, identity: DeviceIdentity): readonly Match[] {
  // Identity fields come from device banners: only strings count, and only their first characters.
  const field = (x: unknown) => (typeof x === 'string' ? x.slice(0, MAX_FIELD).trim() : undefined);
  const id: DeviceIdentity = {
    vendor: field(identity.vendor),
    product: field(identity.product),
    model: field(identity.model),
    orderNumber: field(identity.orderNumber),
    firmware: field(identity.firmware),
    moduleName: field(identity.moduleName),
    serial: field(identity.serial),
  };
  // A serial decides only a serial cut-off (verdict, detail): when none of the identity's candidate
  // products has one, the serial is left out of the memo key, so the devices of one model and
  // firmware share one result instead of each computing (and the memo retaining) its own.
  const candidates = resolve(index, id);
  const bySerial = candidates.some((c) => c.entry.product.range.kind === 'undecidable' && c.entry.product.range.serial !== undefined);
  const key = `${id.vendor ?? ''}\u0001${id.product ?? ''}\u0001${id.model ?? ''}\u0001${id.orderNumber ?? ''}\u0001${id.firmware ?? ''}\u0001${id.moduleName ?? ''}\u0001${bySerial ? (id.serial ?? '') : ''}`;
  const cached = index.remembered(key);
  if (cached) return cached;
  const result = computeMatches(index, id);
  index.remember(key, result);
  return result;
}

/** An identity resolved to the advisory products it names, waiting only for firmware and serial. */
export interface PreparedMatch {
  /** True when matchIdentity would return at least one match for this identity on this firmware and serial. */
  affects(firmware: unknown, serial?: unknown): boolean;
}

/**
 * The product half of matchIdentity, done once for many devices that differ only in firmware and
 * serial (a new advisory applied to a million devices). Null when no product can apply, whatever
 * the firmware.
 */
export function prepareMatch(index: VulnIndex, identity: DeviceIdentity): PreparedMatch | null {
  const field = (x: unknown) => (typeof x === 'string' ? x.slice(0, MAX_FIELD).trim() : undefined);
  const candidates = resolve(index, {
    vendor: field(identity.vendor),
    product: field(identity.product),
    model: field(identity.model),
    orderNumber: field(identity.orderNumber),
    moduleName: field(identity.moduleName),
  });
  if (candidates.length === 0) return null;
  return {
    affects(firmware: unknown, serial?: unknown): boolean {
      const fwText = field(firmware) ?? '';
      const fw = fwText ? index.parseFirmware(fwText) : null;
      const s = field(serial) ?? '';
      return candidates.some((c) => verdict(c.entry, c.how, fw, s) !== null);
    },
  };
}

interface Candidate {
  entry: Entry;
  how: How;
  identified: string;
}

type How = 'model' | 'name' | 'family' | 'partial';

/**
 * Which advisory products an identity names, before looking at firmware. This depends only on
 * vendor, product, model, order number and module, so it is memoised separately: a million
 * devices run a few thousand distinct product descriptions.
 */
function resolve(index: VulnIndex, identity: DeviceIdentity): Candidate[] {
  const order = typeof identity.orderNumber === 'string' ? identity.orderNumber.trim() : '';
  const key = [identity.vendor, identity.product, identity.model, order, identity.moduleName]
    .map((x) => (typeof x === 'string' ? x.trim() : ''))
    .join('\u0001');
  const cached = index.resolved(key);
  if (cached) return cached;

  const orderMlfb = mlfbKey(order) ?? mlfbKey(identity.model);
  // Without a vendor, a product line that names its maker ("SIMATIC", "MELSEC", "ControlLogix") or
  // a Siemens order number still tells it.
  let vendor = vendorKey(identity.vendor) ?? knownVendorKey(identity.product) ?? knownVendorKey(identity.model);
  if (vendor === null && orderMlfb) vendor = 'siemens';
  const modelKeys = [orderMlfb, partKey(order), partKey(identity.model), partKey(identity.product)].filter((k): k is string => k !== null);
  const family = mlfbFamily(orderMlfb);
  const ownTokens = new Set([
    ...productTokens(identity.product),
    ...productTokens(identity.model),
    ...productTokens(identity.moduleName),
  ]);
  const tokens = new Set([...ownTokens, ...(family ? family.flatMap((n) => productTokens(n)) : [])]);
  const ownHasDigit = [...ownTokens].some((t) => /\d/.test(t));
  // A model string that spells out an advisory's whole product name ("NPort 5110") is as exact
  // as a part number, provided the name carries a model number.
  const modelName = productTokens(identity.model).join(' ');

  const { byModel, byName } = index.lookup(vendor, [...new Set(modelKeys)], [...tokens]);
  const out: Candidate[] = [];
  const seen = new Set<Entry>();
  for (const e of byModel) {
    seen.add(e);
    out.push({ entry: e, how: 'model', identified: `order/part number ${order || identity.model || identity.product}` });
  }
  for (const e of byName) {
    if (seen.has(e) || e.tokens.length === 0) continue;
    // A product pinned to other order numbers is a different article (icsa-26-134-15).
    if (orderMlfb && e.hasMlfb) continue;
    if (!isSpecificProduct(e.tokens)) continue;
    if (modelName !== '' && e.tokens.join(' ') === modelName && e.tokens.length >= 2 && e.tokens.some((t) => /\d/.test(t))) {
      out.push({ entry: e, how: 'model', identified: `model "${identity.model}"` });
    } else if (e.tokens.every((t) => ownTokens.has(t))) {
      out.push({ entry: e, how: 'name', identified: `product name "${e.product.productName}"` });
    } else if (e.tokens.every((t) => tokens.has(t))) {
      out.push({ entry: e, how: 'family', identified: `order number family ${family?.join(' / ')}` });
    } else if (ownHasDigit && ownTokens.size >= 2 && [...ownTokens].every((t) => e.tokens.includes(t))) {
      // "S7-1200" is part of "S7-1200 CPU 1214C": possible; a lone "S7" names no product line
      out.push({ entry: e, how: 'partial', identified: `product "${identity.product ?? identity.model}" is part of "${e.product.productName}"` });
    }
  }
  // group by advisory for computeMatches (stable: model hits first within an advisory)
  const rank = new Map<NormalizedAdvisory, number>();
  for (const c of out) if (!rank.has(c.entry.advisory)) rank.set(c.entry.advisory, rank.size);
  out.sort((a, b) => rank.get(a.entry.advisory)! - rank.get(b.entry.advisory)!);
  index.rememberResolved(key, out);
  return out;
}

function computeMatches(index: VulnIndex, identity: DeviceIdentity): readonly Match[] {
  const candidates = resolve(index, identity);
  if (candidates.length === 0) return NONE;
  const fwText = typeof identity.firmware === 'string' ? identity.firmware.trim() : '';
  const fw = fwText ? index.parseFirmware(fwText) : null;
  const serial = identity.serial ?? '';
  // Candidates arrive grouped by advisory (resolve keeps index order), so one pass builds one
  // Match per advisory without intermediate objects.
  const out: Match[] = [];
  let i = 0;
  while (i < candidates.length) {
    const advisory = candidates[i].entry.advisory;
    let best: Candidate | null = null;
    let bestConfidence: Confidence = 'possible';
    let cves: string[] | null = null;
    let cvss: number | null = null;
    // CNVD publishes a level without a score: the product's own severity stands when no CVSS does
    let level: Severity = 'none';
    for (; i < candidates.length && candidates[i].entry.advisory === advisory; i++) {
      const c = candidates[i];
      const confidence = verdict(c.entry, c.how, fw, serial);
      if (confidence === null) continue;
      const p = c.entry.product;
      if (SEVERITY_RANK[p.severity] > SEVERITY_RANK[level]) level = p.severity;
      if (best === null) {
        cves = p.cves;
        cvss = p.cvss;
      } else {
        if (p.cves !== cves) cves = [...new Set([...(cves ?? []), ...p.cves])].sort();
        if (p.cvss !== null && (cvss === null || p.cvss > cvss)) cvss = p.cvss;
      }
      if (best === null || RANK[confidence] > RANK[bestConfidence]) {
        best = c;
        bestConfidence = confidence;
      }
    }
    if (best === null) continue;
    out.push(
      Object.freeze({
        advisoryId: advisory.id,
        productId: best.entry.product.productId,
        cves: [...(cves ?? [])],
        confidence: bestConfidence,
        reason: `${best.entry.where}: ${best.identified}; ${detail(best.entry, fw, fwText, serial)}`,
        severity: cvss !== null ? severityOf(cvss) : level,
        cvss,
      }),
    );
  }
  out.sort((a, b) => RANK[b.confidence] - RANK[a.confidence] || (b.cvss ?? 0) - (a.cvss ?? 0) || a.advisoryId.localeCompare(b.advisoryId));
  return Object.freeze(out);
}

/** How sure a product leaf applies to a firmware; null when it does not. */
function verdict(e: Entry, how: How, fw: Version | null, serial: string): Confidence | null {
  const range = e.product.range;
  const strength: Confidence = how === 'model' ? 'confirmed' : how === 'partial' ? 'possible' : 'likely';
  switch (range.kind) {
    case 'none':
      return null;
    case 'undecidable': {
      const inside = range.serial && serial ? serialInCutoff(range.serial, serial) : undefined;
      if (inside === false) return null;
      return inside ? strength : 'possible';
    }
    case 'unparsed':
      return 'possible';
    case 'all':
      return range.caveats?.length ? 'possible' : strength;
    default:
      if (!fw) return 'possible';
      if (!inRange(range, fw)) return null;
      return range.caveats?.length ? 'possible' : strength;
  }
}

/** The range half of a match reason: which range held the firmware, or why it could not tell. */
function detail(e: Entry, fw: Version | null, fwText: string, serial: string): string {
  const range = e.product.range;
  const caveats = range.caveats?.length ? range.caveats.join('; ') : '';
  switch (range.kind) {
    case 'undecidable':
      if (range.serial && serial && serialInCutoff(range.serial, serial)) {
        return `serial ${serial} within "${e.product.rangeText}" (first ${range.serial.digits} digits ${range.serial.op} ${range.serial.bound})`;
      }
      return `range "${e.product.rangeText}" ${range.kind}: ${range.reason}${range.serial ? '; a serial number would decide it' : ''}`;
    case 'unparsed':
      return `range "${e.product.rangeText}" ${range.kind}: ${range.reason}`;
    case 'all':
      return caveats ? `all versions affected; also requires ${caveats}` : 'all versions affected';
    default:
      if (!fw) return `${fwText ? `firmware "${fwText}" not understood` : 'firmware unknown'}; affected ${e.rangeText}`;
      return `firmware ${fw.raw} in ${e.rangeText}${caveats ? ` but also requires ${caveats}` : ''}`;
  }
}
