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
import { mlfbFamily, mlfbKey, productKey, productTokens, vendorKey } from '../normalize.ts';
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
 * Relatives reviewed by hand: an advisory names the product line, and the identity's product
 * belongs to it. Each pair was checked against the advisory text, e.g. ICSA-19-283-02 lists
 * "SIMATIC HMI KTP Mobile Panels" (all versions), ICSA-22-102-03 "Inductive Automation Ignition"
 * (> 8.0.4), ICSA-22-090-05 "CompactLogix 5370 controllers" (all), ICSA-21-194-03 "SCALANCE
 * XB-200" (< V4.3), ICSA-19-106-02 "750-889" (< FW14) for the WAGO 750-889 controller,
 * ICSA-19-283-01 "SIMATIC WinAC RTX 2010" (< V2010 SP3) for WinAC RTX (F) 2010 SP2.
 */
const REVIEWED_RELATIVES: [string, string[]][] = [
  ['SIMATIC HMI KTP Mobile Panels KTP400F, KTP700, KTP700F, KTP900 and KTP900F', ['SIMATIC HMI KTP Mobile Panels']],
  ['Inductive Automation Ignition 8 Gateway', ['Inductive Automation Ignition']],
  ['SIMATIC WinAC RTX (F) 2010 SP2', ['SIMATIC WinAC RTX 2010 (6ES7671-0RC08-0YA0)', 'SIMATIC WinAC RTX (F) 2010']],
  ['SIMATIC WinCC V7.4', ['SIMATIC WinCC']],
  ['SIMATIC HMI Comfort Outdoor Panels 7" & 15" (incl. SIPLUS variants)', ['SIMATIC HMI Comfort Panels (incl. SIPLUS variants)']],
  ['CompactLogix 5370 L1 controllers', ['CompactLogix 5370 controllers', 'CompactLogix 5370']],
  ['SCALANCE XB-200/XC-200/XP-200/XR300-WG', ['SCALANCE XB-200']],
  ['750-889 Controller', ['750-889', '750-889 firmware']],
  ['SIMATIC S7-1200 CPU 1214C DC/DC/DC', ['SIMATIC S7-1200 CPU family (incl. SIPLUS variants)', 'SIMATIC S7-1200 CPU family']],
];

/** The oracle's own reading of a serial cut-off: the trailing number is the bound on as many leading digits. */
function serialVerdict(text: string, serial: string | undefined): boolean | undefined {
  const m = /(\d{4,5})\D*$/.exec(text.replace(/(\d+) \1$/, '$1'));
  if (!serial || !m || !/serial/i.test(text)) return undefined;
  const lead = serial.replace(/\D/g, '').slice(0, m[1].length);
  return lead.length === m[1].length ? Number(lead) <= Number(m[1]) : undefined;
}

function oracle(identity: { vendorKey: string | null; product?: string; orderNumber?: string; firmware: string; serial?: string }) {
  const fw = identity.firmware ? parseVersion(identity.firmware) : null;
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
    // Schneider writes "(part numbers BMXP34*)": a reference that starts with the stem belongs to it
    const stems = [
      ...[...p.fullName.matchAll(/part numbers? ([A-Z0-9]+)\*/g)].map((m) => m[1]),
      ...[...p.fullName.matchAll(/\b([A-Z]{3}) ([A-Z]\d+)x\b/g)].map((m) => m[1] + m[2]), // "M340 CPUs BMX P34x"
    ];
    const squashed = (identity.product ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
    const byPart = p.vendorKey === identity.vendorKey && stems.some((stem) => squashed.startsWith(stem));
    const byModel = byFamily || byPart || (mk !== null && p.modelNumbers.some((m) => mlfbKey(m) === mk));
    const reviewed = REVIEWED_RELATIVES.some(([own, rels]) => productKey(own) === pk && rels.some((rel) => productKey(rel) === productKey(p.productName)));
    const byName =
      pk !== null &&
      p.vendorKey === identity.vendorKey &&
      (productKey(p.productName) === pk || reviewed) &&
      !(mk && p.modelNumbers.some((m) => mlfbKey(m)));
    if (!byModel && !byName) continue;
    const r = p.range;
    if (r.kind === 'none') continue;
    if (r.caveats?.length && fw && (r.kind === 'intervals' || r.kind === 'exact') && !inRange(r, fw)) {
      why.push(`${a.id} "${p.rangeText}" → out (caveat not reached)`);
      continue;
    }
    const bySerial = r.kind === 'undecidable' ? serialVerdict(p.rangeText, identity.serial) : undefined;
    if (bySerial !== undefined) {
      if (bySerial) p.cves.forEach((c) => definite.add(c));
      why.push(`${a.id} "${p.rangeText}" serial ${identity.serial} → ${bySerial ? 'in' : 'out'}`);
      continue;
    }
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
/** The traps of reference/README.md §1.3–§1.5, written by hand; expectations from the same oracle, reviewed. */
type Hand = [trap: string, identity: { vendor?: string; product?: string; orderNumber?: string; serial?: string }, firmware: (string | undefined)[]];
const HAND: Hand[] = [
  ['union-of-branches', { vendor: 'Siemens', orderNumber: '6ES7 615-4DF10-0AB0' }, ['V2.9.6', 'V2.9.7', 'V3.0.0', 'V3.0.1', 'V3.0.2', 'V3.0.3', 'V3.1.4']],
  ['mlfb-spacing', { vendor: 'Siemens AG', orderNumber: '6ES7615-4DF10-0AB0' }, ['V3.0.2']],
  ['garbled-range-name-fallback', { vendor: 'Siemens', product: 'SIMATIC S7-200 SMART CPU family' }, ['V2.1', 'V2.2', 'V2.5.0', 'V2.5.1']],
  ['firmware-unknown', { vendor: 'Siemens', product: 'SIMATIC S7-200 SMART CPU family' }, [undefined, 'unknown build']],
  ['serial-cutoff', { vendor: 'Mitsubishi Electric', product: 'MELSEC-Q Series Q03UDECPU' }, ['1.0']],
  ['serial-decided', { vendor: 'Mitsubishi Electric', product: 'MELSEC-Q Series Q03UDECPU', serial: '24051A0001' }, ['1.0']],
  ['serial-decided', { vendor: 'Mitsubishi Electric', product: 'MELSEC-Q Series Q03UDECPU', serial: '26051A0001' }, ['1.0']],
  ['serial-decided', { vendor: 'Mitsubishi Electric', product: 'MELSEC-Q Series Q03UDECPU', serial: '27011A0001' }, ['1.0']],
  ['sp-split-by-pipe', { vendor: 'Siemens', product: 'SINUMERIK 828D' }, ['4.7', '4.8', '4.8 SP4', '4.8 SP5', '4.9']],
  ['product-name-comparison', { vendor: 'Siemens', product: 'SIMATIC WinAC RTX (F) 2010 SP2' }, ['2010 SP2']],
  ['suffix-order', { vendor: 'Siemens', product: 'SINUMERIK 808D Programming Tool' }, ['V4.7', 'V4.7 SP4 HF1', 'V4.7 SP4 HF2', 'V4.7 SP5', 'V4.8']],
  ['suffix-order', { vendor: 'Siemens', product: 'SIMATIC WinCC V7.4' }, ['V7.4 SP1', 'V7.4 SP1 Upd1', 'V7.4 SP1 Update 2']],
  ['update-order', { vendor: 'Siemens', product: 'SIMATIC HMI Comfort Outdoor Panels 7" & 15" (incl. SIPLUS variants)' }, ['V17', 'V17 Update 4', 'V17 Update 5', 'V18']],
  ['zero-padded', { vendor: 'Mitsubishi Electric Corporation', product: 'GS21 model' }, ['01.20.000', '01.21.000', '1.30', '01.39.000', '01.40.000']],
  ['sv-prefix', { vendor: 'Schneider Electric', product: 'Modicon X80 BMXNOR0200H RTU' }, ['SV1.70', 'SV1.80']],
  ['build-suffix', { vendor: 'Hikvision', product: 'DS-K1T320XXX' }, ['3.5.0_build220706', '3.5.0_build220801', '3.5.1']],
  ['exact-version', { vendor: 'Honeywell', product: 'Safety Manager SC' }, ['R211.1', 'R211.3']],
  ['five-part', { vendor: 'Tridium', product: 'Niagara 4.4u2' }, ['4.4.93.40.1', '4.4.93.40.2']],
  ['vers-pipe-interval', { vendor: 'Phoenix Contact', product: 'FL SWITCH 3006T-2FX SM' }, ['0.9', '1.0', '1.32', '1.33']],
  ['vers-pipe-interval', { vendor: 'Allen-Bradley', product: 'CompactLogix 5370 L1 controllers' }, ['19', '20', '30.014', '30.015']],
  ['siemens-prose-between', { vendor: 'Siemens', product: 'SCALANCE XB-200/XC-200/XP-200/XR300-WG' }, ['V2.9', 'V3.0', 'V3.0.1', 'V3.0.2']],
  ['siemens-prose-list', { vendor: 'Siemens', product: 'SIMATIC PCS 7' }, ['V7.1', 'V8.0', 'V8.1', 'V8.2']],
  ['function-state-caveat', { vendor: 'Siemens', orderNumber: '6ES7 288-1ST20-0AA0' }, ['V2.5.0', 'V2.6']],
  ['x-wildcard', { vendor: 'Siemens', orderNumber: '6ES7154-8AB01-0AB0' }, ['V3.2.16', 'V3.2.17']],
  ['per-cve-qualifier', { vendor: 'Siemens', product: 'SIMATIC Drive Controller family' }, ['V2.0']],
  ['inverted-fields', { vendor: 'Siemens', orderNumber: '6ES7211-1AE40-0XB0' }, ['V4.1']],
  ['build-in-parentheses', { vendor: 'WAGO', product: '750-889 Controller' }, ['01.07.13(10)', '01.07.13(11)', '01.07.13(14)']],
  ['letter-revision', { vendor: 'Mitsubishi Electric', product: 'GT Designer3' }, ['1.250L', '1.250M', '1.255R']],
  ['exact-set', { vendor: 'Rockwell Automation ', product: 'ControlLogix 5580 controllers' }, ['28.011', '28.013', '28.014']],
  ['wildcard', { vendor: 'WAGO', product: 'CoDeSys' }, ['2.4.1', '2.5']],
  ['span', { vendor: 'Hitachi Energy', product: 'RTU500 series CMU' }, ['12.4.5', '12.4.12']],
  ['per-line-fix', { vendor: 'Rockwell Automation', product: 'ControlLogix 5580' }, ['33.016', '33.017', '34.013', '34.014', '36.011']],
  ['family-from-mlfb', { vendor: 'Siemens', orderNumber: '6ES7 214-1AG40-0XB0' }, ['V4.2.3', 'V4.5.0', 'V4.6.0']],
  ['part-number-family', { vendor: 'Schneider Electric', product: 'BMX P34 2020' }, ['SV3.40', 'SV3.51']],
  ['part-number-family', { vendor: 'Schneider Electric', product: 'BMEP58 2040' }, ['SV4.01']],
  ['family-by-name', { vendor: 'Siemens AG', product: 'SIMATIC S7-1200 CPU 1214C DC/DC/DC' }, ['V4.2.3', 'V4.5.1', 'V4.6.0']],
  ['wrong-vendor', { vendor: 'Omron', product: 'SINUMERIK 828D' }, ['4.7']],
  ['unknown-product', { vendor: 'Siemens', product: 'SIMATIC Nonexistent 9999' }, ['V1.0']],
];
for (const [trap, id, firmwares] of HAND) {
  for (const firmware of firmwares) {
    const identity = firmware === undefined ? { ...id } : { ...id, firmware };
    const o = oracle({ vendorKey: vendorKey(id.vendor), ...id, firmware: firmware ?? '' });
    out.push({
      name: `${trap}: ${id.orderNumber ?? id.product} @ ${firmware ?? '(no firmware)'}${id.serial ? ` serial ${id.serial}` : ''}`,
      trap,
      identity,
      expected: o.expected,
      ...(o.possible.length ? { possible: o.possible } : {}),
      source: o.why,
    });
  }
}
console.log(JSON.stringify(out, null, 1));
