// Draws candidate labelled cases from the bundled advisories (run by hand:
// `node --import tsx src/vulns/labelled/draw.ts > /tmp/drawn.json`, then review into cases.json).
//
// Expectations come from an oracle that is deliberately simpler than the matcher: a product
// applies when its Siemens order number equals the identity's, or when vendor key and product key
// are exactly equal. Boundary versions are made from the range text itself ("< X": X is outside,
// X with its last number decremented inside), not from the range parser. Only products with no
// fuzzy relatives (no other product of the vendor sharing a digit token) are drawn, so the oracle
// and a correct matcher must agree; the traps with relatives are written by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCsaf, type AdvisoryProduct, type NormalizedAdvisory } from '../csaf.ts';
import { mlfbFamily, mlfbKey, productKey, productTokens } from '../normalize.ts';
import { inRange } from '../range.ts';
import { parseVersion } from '../version.ts';

const ROOT = join(import.meta.dirname, '../../../reference/csaf');
const advisories: NormalizedAdvisory[] = [];
for (const year of readdirSync(ROOT).sort()) {
  if (year.endsWith('.json')) continue;
  for (const f of readdirSync(join(ROOT, year)).sort()) {
    const r = importCsaf(JSON.parse(readFileSync(join(ROOT, year, f), 'utf8')));
    if (r.ok) advisories.push(r.advisory);
  }
}

interface Row {
  a: NormalizedAdvisory;
  p: AdvisoryProduct;
}
const rows: Row[] = advisories.flatMap((a) => a.products.map((p) => ({ a, p })));

function decrement(v: string): string | null {
  const m = /^(.*?)(\d+)(\D*)$/.exec(v);
  if (!m || Number(m[2]) === 0) return null;
  return `${m[1]}${String(Number(m[2]) - 1).padStart(m[2].length, '0')}${m[3]}`;
}
function increment(v: string): string | null {
  const m = /^(.*?)(\d+)(\D*)$/.exec(v);
  if (!m) return null;
  return `${m[1]}${String(Number(m[2]) + 1).padStart(m[2].length, '0')}${m[3]}`;
}

/** Inside/outside versions from the text alone. */
function boundaries(text: string): { inside: string[]; outside: string[] } | null {
  const t = text.replace(/^vers:all\//, '').replace(/^All versions\s*/i, '').trim();
  const SUF = '(?:\\s*(?:SP|HF|Update|Upd)\\s*\\d+)*';
  let m = new RegExp(`^<\\s*(V?\\d+(?:\\.\\d+)*${SUF})$`, 'i').exec(t);
  if (m) {
    const d = decrement(m[1]);
    return d ? { inside: [d], outside: [m[1], increment(m[1])!] } : null;
  }
  m = new RegExp(`^<=\\s*(V?\\d+(?:\\.\\d+)*${SUF})$`, 'i').exec(t);
  if (m) return { inside: [m[1]], outside: [increment(m[1])!] };
  m = new RegExp(`^>=\\s*(V?\\d+(?:\\.\\d+)*)\\s*(?:and\\s*)?<\\s*(V?\\d+(?:\\.\\d+)*${SUF})$`, 'i').exec(t);
  if (m) {
    const below = decrement(m[1]);
    return { inside: [m[1], decrement(m[2]) ?? m[1]], outside: [m[2], ...(below ? [below] : [])] };
  }
  return null;
}

function relatives(r: Row): number {
  const digits = productTokens(r.p.productName).filter((t) => /\d/.test(t));
  if (digits.length === 0) return Infinity;
  const key = productKey(r.p.productName);
  return rows.filter(
    (o) => o.p.vendorKey === r.p.vendorKey && productKey(o.p.productName) !== key && productTokens(o.p.productName).some((t) => digits.includes(t)),
  ).length;
}

/**
 * Family entries reviewed by hand: the advisory names the product line without the model, and the
 * drawn model belongs to it (ICSA-19-283-02 lists "SIMATIC HMI KTP Mobile Panels", all versions;
 * ICSA-22-102-03 lists "Inductive Automation Ignition" > 8.0.4).
 */
const REVIEWED_RELATIVES: [string, string][] = [
  ['SIMATIC HMI KTP Mobile Panels KTP400F, KTP700, KTP700F, KTP900 and KTP900F', 'SIMATIC HMI KTP Mobile Panels'],
  ['Inductive Automation Ignition 8 Gateway', 'Inductive Automation Ignition'],
];

function oracle(identity: { vendorKey: string | null; product?: string; orderNumber?: string; firmware: string }) {
  const fw = parseVersion(identity.firmware);
  const definite = new Set<string>();
  const possible = new Set<string>();
  const why: string[] = [];
  const mk = identity.orderNumber ? mlfbKey(identity.orderNumber) : null;
  const pk = identity.product ? productKey(identity.product) : null;
  // A Siemens family entry without order numbers ("SIMATIC S7-400 CPU family") covers every CPU
  // of the family; the oracle accepts only an exact family key, not the matcher's subset rule.
  const familyKey = mk ? productKey(mlfbFamily(mk)?.[0]) : null;
  for (const { a, p } of rows) {
    const byFamily =
      familyKey !== null && familyKey !== '' && p.vendorKey === 'siemens' && !p.modelNumbers.some((m) => mlfbKey(m)) && productKey(p.productName) === familyKey;
    const byModel = byFamily || (mk !== null && p.modelNumbers.some((m) => mlfbKey(m) === mk));
    const reviewed = REVIEWED_RELATIVES.some(([own, rel]) => productKey(own) === pk && productKey(rel) === productKey(p.productName));
    const byName =
      pk !== null &&
      p.vendorKey === identity.vendorKey &&
      (productKey(p.productName) === pk || reviewed) &&
      !(mk && p.modelNumbers.some((m) => mlfbKey(m)));
    if (!byModel && !byName) continue;
    const r = p.range;
    if (r.kind === 'none') continue;
    if (r.kind === 'undecidable' || r.kind === 'unparsed' || r.caveats?.length) {
      p.cves.forEach((c) => possible.add(c));
      why.push(`${a.id} "${p.rangeText}" → possible`);
      continue;
    }
    const hit = r.kind === 'all' ? true : fw ? inRange(r, fw) : undefined;
    if (hit === undefined) p.cves.forEach((c) => possible.add(c));
    else if (hit) p.cves.forEach((c) => definite.add(c));
    why.push(`${a.id} "${p.rangeText}" → ${hit === undefined ? 'possible' : hit ? 'in' : 'out'}`);
  }
  for (const c of definite) possible.delete(c);
  return { expected: [...definite].sort(), possible: [...possible].sort(), why };
}

const VENDOR_SPELLINGS: Record<string, string[]> = {
  siemens: ['Siemens', 'Siemens AG', 'SIEMENS'],
  rockwell: ['Rockwell Automation', 'Allen-Bradley', 'Rockwell'],
  schneider: ['Schneider Electric', 'Schneider Electric SE', 'Telemecanique'],
  mitsubishi: ['Mitsubishi Electric', 'MITSUBISHI ELECTRIC Corporation'],
};

const out: unknown[] = [];
const perAdvisory = new Map<string, number>();
const seenProduct = new Set<string>();
let spelling = 0;
for (const r of rows) {
  if (out.length >= Number(process.argv[2] ?? 400)) break;
  if (!r.p.vendorKey || r.p.cves.length === 0) continue;
  if ((perAdvisory.get(r.a.id) ?? 0) >= 1) continue;
  const key = `${r.p.vendorKey}|${productKey(r.p.productName)}`;
  if (seenProduct.has(key)) continue;
  const b = boundaries(r.p.rangeText);
  if (!b) continue;
  const mlfb = r.p.modelNumbers.find((m) => mlfbKey(m));
  if (!mlfb && relatives(r) > 0) continue;
  if (!mlfb && rows.filter((o) => o.p.vendorKey === r.p.vendorKey && productKey(o.p.productName) === productKey(r.p.productName)).length > 3) continue;
  seenProduct.add(key);
  perAdvisory.set(r.a.id, 1);
  const spellings = VENDOR_SPELLINGS[r.p.vendorKey] ?? [r.p.vendor.trim()];
  const vendor = spellings[spelling++ % spellings.length];
  for (const [firmware, where] of [...b.inside.map((v) => [v, 'inside'] as const), ...b.outside.map((v) => [v, 'outside'] as const)]) {
    const identity = mlfb
      ? { vendor, orderNumber: mlfb.replace(/^(\w{4})(\d{3})/, '$1 $2'), firmware }
      : { vendor, product: r.p.productName, firmware };
    const o = oracle({ vendorKey: r.p.vendorKey, ...identity });
    out.push({
      name: `${r.a.id} ${r.p.productName}: ${firmware} ${where} "${r.p.rangeText}"`,
      trap: mlfb ? 'order-number' : 'product-name',
      identity,
      expected: o.expected,
      ...(o.possible.length ? { possible: o.possible } : {}),
      source: o.why,
    });
  }
}
console.log(JSON.stringify(out, null, 1));
