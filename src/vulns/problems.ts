// What every importer says about a range it read: the same codes and words for CSAF, CVE JSON 5 and
// CNVD, so an analyst reads one vocabulary whatever the source.
import { mlfbKey } from './normalize.ts';
import type { ImportProblem } from './csaf.ts';
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
