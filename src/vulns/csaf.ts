// CSAF 2.0 advisories (OASIS CSAF v2.0, §3.1 document, §3.1.2 product_tree, §3.2.3
// vulnerabilities) into one flat, matchable shape. Only what CISA's ICS files use is read
// (reference/README.md §1.2); what cannot be understood is reported per product, never guessed.
import type { Severity } from '../model/index.ts';
import { knownVendorKey, looksLikeIdentifier, mlfbKey, productKey, vendorKey } from './normalize.ts';
import { parseRange, type VersionRange } from './range.ts';

export interface Remediation {
  category: string;
  details: string;
  url?: string;
}

export interface AdvisoryCve {
  cve: string;
  /** Highest CVSS v3 base score given for this CVE, null when the advisory scores none. */
  cvss: number | null;
  severity: Severity;
  vector: string | null;
  cwe: string | null;
  summary: string | null;
  knownExploited: boolean;
  remediations: Remediation[];
  /** Reference URLs (CVE JSON 5 `references`, CNVD `referenceLink`); CSAF keeps its own in the document. */
  references?: string[];
}

export interface AdvisoryProduct {
  /** CSAF product_id of the leaf. */
  productId: string;
  vendor: string;
  vendorKey: string | null;
  /** Every vendor key named by the vendor branch ("Matrikon, Honeywell"). */
  vendorKeys: string[];
  /** The product_name branch. */
  productName: string;
  /** The leaf's product.name: the full human-readable text. */
  fullName: string;
  productKey: string;
  modelNumbers: string[];
  range: VersionRange;
  rangeText: string;
  cves: string[];
  cvss: number | null;
  severity: Severity;
}

export interface NormalizedAdvisory {
  /** document.tracking.id, e.g. ICSA-20-196-06. */
  id: string;
  title: string;
  publisher: string;
  initialRelease: string | null;
  currentRelease: string | null;
  cves: AdvisoryCve[];
  products: AdvisoryProduct[];
  maxCvss: number | null;
  severity: Severity;
}

export type ImportProblemCode =
  | 'range-unparsed'
  | 'range-undecidable'
  | 'range-none'
  | 'range-from-name'
  | 'range-caveat'
  | 'inverted-fields'
  | 'version-holds-model'
  | 'no-version'
  | 'no-product-id'
  | 'no-cves'
  | 'too-many-products'
  | 'trailing-zero-restored'
  | 'severity-unknown';

export interface ImportProblem {
  productId?: string;
  code: ImportProblemCode;
  message: string;
}

export type ImportResult =
  | { ok: true; advisory: NormalizedAdvisory; problems: ImportProblem[] }
  | { ok: false; code: 'INVALID_ADVISORY'; reason: string };

const MAX_DEPTH = 8;
const MAX_LEAVES = 20_000;

/** CVSS v3.x qualitative rating (FIRST CVSS v3.1 specification §5). */
export function severityOf(score: number | null): Severity {
  if (score === null || !(score > 0)) return 'none';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export function importCsaf(doc: unknown): ImportResult {
  if (!isObj(doc)) return invalid('not a JSON object');
  const document = doc.document;
  if (!isObj(document)) return invalid('missing "document"');
  const tracking = document.tracking;
  if (!isObj(tracking)) return invalid('missing "document.tracking"');
  const id = str(tracking.id)?.trim();
  if (!id) return invalid('missing "document.tracking.id"');
  if (!isObj(doc.product_tree)) return invalid('missing "product_tree"');
  if (!Array.isArray(doc.product_tree.branches)) return invalid('missing "product_tree.branches"');
  if (!Array.isArray(doc.vulnerabilities)) return invalid('missing "vulnerabilities"');

  const problems: ImportProblem[] = [];
  const cves: AdvisoryCve[] = [];
  const cvesByProduct = new Map<string, Set<string>>();
  const scoreByProductCve = new Map<string, number>();
  const knownExploitedDoc = mentionsExploitation(arr(document.notes));

  for (const raw of doc.vulnerabilities) {
    if (!isObj(raw)) continue;
    const cve = str(raw.cve)?.trim().toUpperCase();
    if (!cve) continue;
    let cvss: number | null = null;
    let vector: string | null = null;
    for (const s of arr(raw.scores)) {
      if (!isObj(s)) continue;
      const v3 = isObj(s.cvss_v3) ? s.cvss_v3 : null;
      const score = v3 && typeof v3.baseScore === 'number' && Number.isFinite(v3.baseScore) ? v3.baseScore : null;
      if (score === null) continue;
      if (cvss === null || score > cvss) {
        cvss = score;
        vector = str(v3?.vectorString);
      }
      for (const p of arr(s.products)) {
        const pid = str(p);
        if (pid === null) continue;
        const key = `${pid}\u0000${cve}`;
        scoreByProductCve.set(key, Math.max(scoreByProductCve.get(key) ?? 0, score));
      }
    }
    const status = isObj(raw.product_status) ? raw.product_status : {};
    for (const p of arr(status.known_affected)) {
      const pid = str(p);
      if (pid === null) continue;
      let set = cvesByProduct.get(pid);
      if (!set) cvesByProduct.set(pid, (set = new Set()));
      set.add(cve);
    }
    const cwe = isObj(raw.cwe) ? str(raw.cwe.id) : null;
    const summaryNote = arr(raw.notes).find((n) => isObj(n) && n.category === 'summary');
    const remediations: Remediation[] = [];
    for (const r of arr(raw.remediations)) {
      if (!isObj(r)) continue;
      const category = str(r.category);
      const details = str(r.details);
      if (!category || details === null) continue;
      const url = str(r.url);
      remediations.push(url ? { category, details, url } : { category, details });
    }
    cves.push({
      cve,
      cvss,
      severity: severityOf(cvss),
      vector,
      cwe,
      summary: isObj(summaryNote) ? str(summaryNote.text) : null,
      knownExploited: knownExploitedDoc || mentionsExploitation(arr(raw.notes)),
      remediations,
    });
  }
  const cveScore = new Map(cves.map((c) => [c.cve, c.cvss]));

  const products: AdvisoryProduct[] = [];
  const leaves: Leaf[] = [];
  collectLeaves(doc.product_tree.branches, {}, 0, leaves);
  for (const leaf of leaves.slice(0, MAX_LEAVES)) {
    const product = toProduct(leaf, problems);
    if (!product) continue;
    const affected = cvesByProduct.get(product.productId);
    let list = affected ? [...affected] : [];
    if (product.range.onlyCves) list = list.filter((c) => product.range.onlyCves!.includes(c));
    if (list.length === 0) {
      problems.push({ productId: product.productId, code: 'no-cves', message: `${product.fullName}: no CVE lists it as known_affected` });
    }
    product.cves = list.sort();
    let best: number | null = null;
    for (const c of list) {
      const s = scoreByProductCve.get(`${product.productId}\u0000${c}`) ?? cveScore.get(c) ?? null;
      if (s !== null && (best === null || s > best)) best = s;
    }
    product.cvss = best;
    product.severity = severityOf(best);
    products.push(product);
  }
  if (leaves.length > MAX_LEAVES) {
    problems.push({ code: 'too-many-products', message: `only the first ${MAX_LEAVES} product leaves were read` });
  }

  const maxCvss = cves.reduce<number | null>((m, c) => (c.cvss !== null && (m === null || c.cvss > m) ? c.cvss : m), null);
  const publisher = isObj(document.publisher) ? (str(document.publisher.name) ?? '') : '';
  return {
    ok: true,
    advisory: {
      id,
      title: str(document.title) ?? id,
      publisher,
      initialRelease: str(tracking.initial_release_date),
      currentRelease: str(tracking.current_release_date),
      cves,
      products,
      maxCvss,
      severity: severityOf(maxCvss),
    },
    problems,
  };
}

function invalid(reason: string): ImportResult {
  return { ok: false, code: 'INVALID_ADVISORY', reason };
}

function mentionsExploitation(notes: unknown[]): boolean {
  return notes.some((n) => {
    const text = isObj(n) ? str(n.text) : null;
    if (!text) return false;
    if (/known to be exploited|exploited in the wild|actively exploited|known exploited vulnerabilit/i.test(text)) return true;
    return /known public exploits (?:specifically )?target/i.test(text) && !/\bno known public exploits/i.test(text);
  });
}

interface Trail {
  vendor?: string;
  families?: string[];
  productName?: string;
}

interface Leaf extends Trail {
  category: string;
  name: string;
  product: Obj;
}

function collectLeaves(branches: unknown, trail: Trail, depth: number, out: Leaf[]): void {
  if (depth > MAX_DEPTH || out.length > MAX_LEAVES) return;
  for (const b of arr(branches)) {
    if (!isObj(b)) continue;
    const category = str(b.category) ?? '';
    const name = str(b.name) ?? '';
    const next: Trail = { ...trail };
    if (category === 'vendor') next.vendor = name;
    else if (category === 'product_family') next.families = [...(trail.families ?? []), name];
    else if (category === 'product_name') next.productName = name;
    if (Array.isArray(b.branches) && b.branches.length > 0) collectLeaves(b.branches, next, depth + 1, out);
    else if (isObj(b.product)) out.push({ ...next, category, name, product: b.product });
  }
}

function toProduct(leaf: Leaf, problems: ImportProblem[]): AdvisoryProduct | null {
  const productId = str(leaf.product.product_id);
  const fullName = (str(leaf.product.name) ?? '').replace(/\s+/g, ' ').trim();
  if (!productId) {
    problems.push({ code: 'no-product-id', message: `${fullName || leaf.name}: leaf without product_id` });
    return null;
  }
  const vendorText = (leaf.vendor ?? '').trim();
  let vendor = vendorText;
  let vKey = vendorKey(vendorText);
  const vKeys = vendorKeysIn(vendorText);
  // A branch naming several vendors ("ABB, Phoenix Contact, ..., and WAGO", icsa-19-106-03)
  // tells the real one in the leaf's name: "Siemens: 6ES7211-1AE40-0XB0 Simatic S7-1211".
  const prefix = /^([^:]{2,40}):/.exec(fullName);
  if (prefix && vKeys.length > 1) {
    const k = vendorKey(prefix[1]);
    if (k && vKeys.includes(k)) {
      vendor = prefix[1].trim();
      vKey = k;
    }
  }

  let productName = (leaf.productName ?? leaf.families?.at(-1) ?? '').replace(/\s+/g, ' ').trim();
  const modelNumbers = new Set<string>();
  const helper = isObj(leaf.product.product_identification_helper) ? leaf.product.product_identification_helper : null;
  for (const m of arr(helper?.model_numbers)) {
    const s = str(m)?.trim();
    if (s) modelNumbers.add(s);
  }
  for (const m of fullName.matchAll(/\(([0-9][A-Z]{2}[0-9][\s0-9A-Z-]{8,20})\)/g)) {
    if (mlfbKey(m[1])) modelNumbers.add(m[1].trim());
  }

  const rangeText = restoreTrailingZeros(leaf.name, fullName);
  if (rangeText !== leaf.name) {
    problems.push({ productId, code: 'trailing-zero-restored', message: `${fullName}: version "${leaf.name}" read as "${rangeText}" as the product name writes it` });
  }
  let range: VersionRange;
  if (leaf.category === 'product_version_range') {
    range = parseRange(rangeText, fullName);
  } else if (leaf.category === 'product_version') {
    const identifiers = identifiersIn(rangeText, fullName);
    const after = fullName.includes(productName)
      ? fullName.slice(fullName.indexOf(productName) + productName.length).trim()
      : '';
    const inverted =
      productName !== '' &&
      !/\s/.test(productName) &&
      after !== '' &&
      !after.startsWith(':') &&
      (mlfbKey(productName) !== null || (identifiers !== null && looksLikeIdentifier(productName)));
    if (inverted) {
      // icsa-19-106-03: product_name holds the order number, product_version the model
      problems.push({
        productId,
        code: 'inverted-fields',
        message: `${fullName}: product_name "${productName}" is an order number and product_version "${rangeText}" the model; read as model "${after}", all versions`,
      });
      modelNumbers.add(productName);
      if (identifiers) for (const m of identifiers) modelNumbers.add(m);
      productName = after;
      range = { kind: 'all', source: 'range', notes: ['no firmware version given'] };
    } else if (identifiers) {
      problems.push({
        productId,
        code: 'version-holds-model',
        message: `${fullName}: product_version "${rangeText}" names a model, not a version; read as all versions of ${identifiers.join(', ')}`,
      });
      for (const m of identifiers) modelNumbers.add(m);
      range = { kind: 'all', source: 'range', notes: ['no firmware version given'] };
    } else {
      range = parseRange(rangeText, fullName);
      if (range.kind === 'unparsed' && !/[<>=]/.test(rangeText)) {
        // CODESYS lists its variants as versions: "CODESYS V3 products" › "CODESYS Control for Linux"
        problems.push({
          productId,
          code: 'version-holds-model',
          message: `${fullName}: product_version "${rangeText}" names a product variant, not a version; read as all versions of it`,
        });
        const variant = rangeText.replace(/[,\s]+(?:and)?$/, '').trim();
        const words = new Set(productName.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2));
        const shares = variant.toLowerCase().split(/[^a-z0-9]+/).some((w) => words.has(w));
        productName = shares || productName === '' ? variant : `${productName} ${variant}`;
        range = { kind: 'all', source: 'range', notes: ['no firmware version given'] };
      }
    }
  } else {
    problems.push({ productId, code: 'no-version', message: `${fullName}: leaf of category "${leaf.category}" has no version; read as all versions` });
    range = { kind: 'all', source: 'range' };
  }

  // "Wonderware Historian 2014 R2" › "< SP1 P01": the version continues the product name's release
  const release = /(?:^|\s)((?:19|20)\d{2}(?:\s+R\d+)?|V?\d+(?:\.\d+)+)$/i.exec(productName);
  if (range.kind === 'unparsed' && release && /^(?:[<>]=?\s*)?(?:sp|update|upd|hf|patch)\s*\d/i.test(rangeText)) {
    const joined = rangeText.replace(/^([<>]=?)?\s*/, (_m, op: string | undefined) => `${op ?? ''} ${release[1]} `);
    const again = parseRange(joined);
    if (again.kind !== 'unparsed') {
      problems.push({ productId, code: 'range-from-name', message: `${fullName}: "${rangeText}" continues the release in the product name; read as "${joined.trim()}"` });
      range = { ...again, source: 'name' };
    }
  }

  switch (range.kind) {
    case 'unparsed':
      problems.push({ productId, code: 'range-unparsed', message: `${fullName}: "${rangeText}" not understood (${range.reason})` });
      break;
    case 'undecidable':
      problems.push({ productId, code: 'range-undecidable', message: `${fullName}: "${rangeText}" cannot be decided from firmware (${range.reason})` });
      break;
    case 'none':
      problems.push({ productId, code: 'range-none', message: `${fullName}: ${range.reason}` });
      break;
    default:
      if (range.source === 'name' && !problems.some((x) => x.productId === productId && x.code === 'range-from-name')) {
        problems.push({ productId, code: 'range-from-name', message: `${fullName}: "${rangeText}" garbled; range read from the product name` });
      }
      if (range.caveats?.length) {
        problems.push({ productId, code: 'range-caveat', message: `${fullName}: also requires ${range.caveats.join('; ')}` });
      }
  }

  return {
    productId,
    vendor,
    vendorKey: vKey,
    vendorKeys: vKeys.length ? vKeys : vKey ? [vKey] : [],
    productName,
    fullName,
    productKey: productKey(productName),
    modelNumbers: [...modelNumbers],
    range,
    rangeText,
    cves: [],
    cvss: null,
    severity: 'none',
  };
}

/** `1763-L16DWD`, `HEW4PER2B`, `CP31 | CP33 | CP345`, `2700988` as an article number. */
function identifiersIn(text: string, fullName: string): string[] | null {
  const parts = text.split('|').map((p) => p.trim().replace(/[,*\s]+$/, '').trim()).filter(Boolean);
  if (parts.length === 0) return null;
  const all = parts.every((p) => {
    if (/^\d{6,8}$/.test(p)) return /article|\(\s*\d{6,8}\s*\)/i.test(fullName);
    if (/^\d{3,5}-[A-Z]/i.test(p)) return true;
    if (parseRange(p).kind !== 'unparsed') return false;
    return looksLikeIdentifier(p);
  });
  return all ? parts : null;
}

/**
 * CISA's conversion lost trailing zeros in some versions, as if they were decimals: icsa-22-207-04
 * has product_version `2.1` under "NPort 5110: Firmware Versions 2.10". When the leaf's own name
 * shows the longer form, that form is the version.
 */
function restoreTrailingZeros(text: string, fullName: string): string {
  return text.replace(/\d+(?:\.\d+)+/g, (v) => {
    const escaped = v.replace(/\./g, '\\.');
    const m = new RegExp(`(?<![\\d.])${escaped}(0+)(?![\\d.]*\\d)`).exec(fullName);
    return m ? v + m[1] : v;
  });
}

/** All vendor keys named in a vendor branch that may list several companies. */
function vendorKeysIn(text: string): string[] {
  const keys = new Set<string>();
  for (const part of text.split(/,|\band\b|\//)) {
    const k = knownVendorKey(part);
    if (k) keys.add(k);
  }
  const whole = vendorKey(text);
  if (whole) keys.add(whole);
  return [...keys];
}
