// What every importer says about a range it read: the same codes and words for CSAF, CVE JSON 5 and
// CNVD, so an analyst reads one vocabulary whatever the source; and the product record of the
// importers whose entries name one vendor and one product (CVE JSON 5, CNVD).
import type { Severity } from '../model/index.ts';
import { knownVendorKey, mlfbKey, productKey, vendorKey } from './normalize.ts';
import type { AdvisoryProduct, ImportProblem } from './csaf.ts';
import type { VersionRange } from './range.ts';

export function rangeProblem(productId: string, fullName: string, rangeText: string, range: VersionRange): ImportProblem | null {
  switch (range.kind) {
    case 'unparsed':
      return { productId, code: 'range-unparsed', message: `${fullName}: "${rangeText}" not understood (${range.reason})` };
    case 'undecidable':
      return { productId, code: 'range-undecidable', message: `${fullName}: "${rangeText}" cannot be decided from firmware (${range.reason})` };
    case 'none':
      return { productId, code: 'range-none', message: `${fullName}: ${range.reason}` };
    default:
      return range.caveats?.length ? { productId, code: 'range-caveat', message: `${fullName}: also requires ${range.caveats.join('; ')}` } : null;
  }
}

/** Siemens order numbers written in a product name: "SIMATIC S7-1500 CPU 1518-4 PN/DP (6ES7518-4AP00-0AB0)". */
export function orderNumbersIn(name: string): string[] {
  const out = new Set<string>();
  for (const m of name.slice(0, 400).matchAll(/\(([0-9][A-Z]{2}[0-9][\s0-9A-Z-]{8,20})\)/g)) {
    if (mlfbKey(m[1])) out.add(m[1].trim());
  }
  return [...out];
}

/** One affected product of a single named vendor, keyed for matching as CSAF products are. */
export function singleVendorProduct(p: {
  productId: string;
  vendor: string;
  productName: string;
  fullName: string;
  /** The text order numbers are read from. */
  modelText: string;
  range: VersionRange;
  rangeText: string;
  cves: string[];
  cvss: number | null;
  severity: Severity;
}): AdvisoryProduct {
  const vKey = vendorKey(p.vendor) ?? knownVendorKey(p.productName);
  return {
    productId: p.productId,
    vendor: p.vendor,
    vendorKey: vKey,
    vendorKeys: vKey ? [vKey] : [],
    productName: p.productName,
    fullName: p.fullName,
    productKey: productKey(p.productName),
    modelNumbers: orderNumbersIn(p.modelText),
    range: p.range,
    rangeText: p.rangeText,
    cves: p.range.kind === 'none' ? [] : p.cves,
    cvss: p.cvss,
    severity: p.severity,
  };
}
