// Vendor keys, product keys and Siemens order numbers (MLFB), so that what a probe reports and
// what an advisory lists can be compared. CISA's vendor names are not normalised ("Rockwell
// Automation " with a trailing space, "Schneider Electric Software, LLC", "3S-Smart Software
// Solutions GmbH" for CODESYS), and neither are product names.

/**
 * Vendor aliases, first match wins. Keys are stable identifiers used by the index. Chinese names
 * are included because enterprise-declared inventories in the region use them (西门子, 施耐德).
 */
const VENDORS: readonly [RegExp, string][] = [
  [/\bsiemens\b|\bsimatic\b|\bsiplus\b|\bruggedcom\b|\bscalance\b|西门子/, 'siemens'],
  [/\brockwell\b|allen[\s-]*bradley|\bcontrollogix\b|\bcompactlogix\b|\bmicrologix\b|罗克韦尔|罗克威尔|艾伦[-·]?布拉德利/, 'rockwell'],
  [/schneider|telemecanique|\bmodicon\b|\bsquare d\b|\bapc\b|施耐德/, 'schneider'],
  [/mitsubishi|\bmelsec\b|三菱/, 'mitsubishi'],
  [/\bomron\b|欧姆龙/, 'omron'],
  [/\bmoxa\b|摩莎/, 'moxa'],
  [/hitachi energy|\bhitachi abb\b|日立能源/, 'hitachi-energy'],
  [/\babb\b/, 'abb'],
  [/honeywell|matrikon|霍尼韦尔/, 'honeywell'],
  [/johnson controls|johnson contols|\bjci\b|sensormatic|exacq|tyco|江森/, 'johnson-controls'],
  [/tridium|\bniagara\b/, 'tridium'],
  [/\bwago\b|万可/, 'wago'],
  [/phoenix\s*contact|innominate|菲尼克斯/, 'phoenix-contact'],
  [/advantech|研华/, 'advantech'],
  [/delta electronics|\bdelta\b(?! controls)|台达/, 'delta'],
  [/general electric|\bge digital\b|^ge\b|\(ge\)|通用电气/, 'ge'],
  [/codesys|3s[\s-]*smart/, 'codesys'],
  [/emerson|艾默生/, 'emerson'],
  [/yokogawa|横河/, 'yokogawa'],
  [/beckhoff|倍福/, 'beckhoff'],
  [/\bnari\b|南瑞/, 'nari'],
  [/xinje|信捷/, 'xinje'],
  [/\bwecon\b|维控/, 'wecon'],
  [/inhand|映翰通/, 'inhand'],
  [/\baveva\b|wonderware/, 'aveva'],
  [/fuji electric/, 'fuji-electric'],
  [/\beaton\b/, 'eaton'],
  [/\bhirschmann\b|\bbelden\b/, 'belden'],
  [/automation\s*direct/, 'automationdirect'],
  [/red lion/, 'red-lion'],
  [/schweitzer|\bsel\b/, 'sel'],
  [/wellintech|kinghistorian/, 'wellintech'],
  [/hikvision|海康/, 'hikvision'],
  [/dahua|大华/, 'dahua'],
  [/pepperl/, 'pepperl-fuchs'],
  [/opto\s*22/, 'opto22'],
  [/digi international|^digi\b/, 'digi'],
  [/\binvt\b/, 'invt'],
  [/osisoft/, 'osisoft'],
  [/b&r|b\s*&\s*r industrial/, 'br-automation'],
  [/\bhms\b/, 'hms-networks'],
  [/westermo/, 'westermo'],
];

/** Names longer than this are cut (tokens) or ignored (part numbers): device banners are untrusted. */
const MAX_NAME = 300;

/** Words that name a company form, not a company. */
const COMPANY_NOISE = /\b(?:inc|llc|ltd|gmbh|ag|ab|oy|bv|nv|srl|spa|co|corp|corporation|company|limited|plc|sa|se|s\.a|kg)\b\.?|有限公司|股份|集团/g;

/**
 * A stable key for a vendor name: `Siemens AG` → `siemens`, `Allen-Bradley` → `rockwell`.
 * Unknown vendors become a slug of their name without the company form; empty input gives null.
 */
export function vendorKey(name: unknown): string | null {
  const known = knownVendorKey(name);
  if (known || typeof name !== 'string') return known;
  const s = name.slice(0, MAX_NAME).toLowerCase().replace(/\s+/g, ' ').trim();
  const slug = s
    .replace(/\(.*?\)/g, ' ')
    .replace(COMPANY_NOISE, ' ')
    .replace(/[^a-z0-9\u4e00-\u9fff]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? null : slug;
}

/** The key of a vendor in the alias table, or null for any other name. */
export function knownVendorKey(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const s = name.slice(0, MAX_NAME).toLowerCase().replace(/\s+/g, ' ').trim();
  if (s === '') return null;
  for (const [re, key] of VENDORS) if (re.test(s)) return key;
  return null;
}

/** Vendor names inside product names, dropped from product keys. */
const VENDOR_WORDS = new Set([
  'siemens', 'rockwell', 'automation', 'allen', 'bradley', 'schneider', 'electric', 'mitsubishi', 'omron',
  'moxa', 'abb', 'honeywell', 'johnson', 'controls', 'tridium', 'wago', 'phoenix', 'contact', 'advantech',
  'delta', 'electronics', 'ge', 'codesys', 'emerson', 'yokogawa', 'beckhoff', 'hitachi', 'energy',
]);

/** Words that do not tell one product from another. `cpu` stays: "CPU 1214C" is a model. */
// Singular "Software Controller" or "Controller" name a different product than the CPU family, so
// only plurals ("ControlLogix 5580 controllers") count as noise.
const PRODUCT_NOISE = new Set([
  'simatic', 'siplus', 'family', 'families', 'series', 'firmware', 'fw', 'products', 'devices', 'modules',
  'the', 'and', 'all', 'versions', 'version', 'of', 'for', 'incl', 'including', 'variants', 'variant', 'related',
  'with', 'a', 'an', 'models', 'controllers',
]);

/** Lower-case significant tokens of a product name: `SIMATIC S7-1200 CPU family` → `s7 1200 cpu`. */
export function productTokens(name: unknown): string[] {
  if (typeof name !== 'string') return [];
  const s = name
    .slice(0, MAX_NAME)
    .toLowerCase()
    .replace(/\((?:incl\.?|including)[^)]*\)/g, ' ')
    .replace(/\(\s*\d[a-z]{2}\d[\s0-9a-z-]{8,20}\)/g, ' ') // the MLFB in "CPU 1214C (6ES7214-1AG40-0XB0)
    .replace(/\bcpu famil(?:y|ies)\b/g, ' ')
    .replace(/[^a-z0-9\u4e00-\u9fff]+/g, ' ');
  const words = s.split(' ').filter((t) => t.length > 0 && !PRODUCT_NOISE.has(t));
  const own = words.filter((t) => !VENDOR_WORDS.has(t));
  // WAGO sells a product called "CoDeSys": a name made only of vendor words keeps them
  return own.length > 0 ? own : words;
}

/** Single words that do not name a product on their own. */
const GENERIC = new Set([
  'controller', 'gateway', 'server', 'client', 'panel', 'panels', 'hmi', 'plc', 'cpu', 'switch', 'router', 'module',
  'software', 'device', 'system', 'web', 'station', 'opc', 'rtu', 'dcs', 'scada', 'ups', 'nvr', 'dvr', 'ipc', 'pcs',
  'camera', 'drive', 'relay', 'meter', 'sensor', 'firewall', 'modem', 'inverter',
]);

/** Whether product tokens are specific enough to match on: a digit, two words, or one product word ("PDM", "Niagara"). */
export function isSpecificProduct(tokens: readonly string[]): boolean {
  if (tokens.length >= 2 || tokens.some((t) => /\d/.test(t))) return true;
  return tokens.length === 1 && tokens[0].length >= 3 && !GENERIC.has(tokens[0]);
}

/** Product key: the significant tokens joined by one space. */
export function productKey(name: unknown): string {
  return productTokens(name).join(' ');
}

/**
 * Siemens order numbers (MLFB): `6ES7 214-1AG40-0XB0` and `6ES7214-1AG40-0XB0` are the same
 * article. The key drops spaces and hyphens: `6ES72141AG400XB0`. Returns null for text that is
 * not shaped like an MLFB (4 characters, 3 digits, then 5 and 4 characters; the last group may
 * be missing in advisories, e.g. `6GK1411-1AC00`).
 */
export function mlfbKey(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const s = text.toUpperCase().replace(/[\s-]+/g, '');
  if (!/^[0-9][A-Z]{2}[0-9][0-9]{3}[0-9A-Z]{5}(?:[0-9A-Z]{4})?$/.test(s)) return null;
  return s;
}

/** A generic part-number key: upper case, no spaces, hyphens, dots or slashes. */
export function partKey(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const s = text.toUpperCase().replace(/[\s\-./_]+/g, '');
  return s.length >= 3 && s.length <= 40 && /\d/.test(s) ? s : null;
}

/**
 * The Siemens product line an MLFB belongs to, from its first seven characters. SIPLUS variants
 * (`6AG1`/`6AG2`) share the S7 numbering after the prefix. Only families that ICS fingerprinting
 * commonly returns are listed; unknown prefixes give null rather than a guess.
 */
const MLFB_FAMILIES: readonly [RegExp, string[]][] = [
  [/^6E[SD]7211/, ['S7-1200', 'CPU 1211C']],
  [/^6E[SD]7212/, ['S7-1200', 'CPU 1212C']],
  [/^6E[SD]7214/, ['S7-1200', 'CPU 1214C']],
  [/^6E[SD]7215/, ['S7-1200', 'CPU 1215C']],
  [/^6E[SD]7217/, ['S7-1200', 'CPU 1217C']],
  [/^6E[SD]7212.*F|^6ES721[2-5]1[A-Z]F/, ['S7-1200', 'CPU F']],
  [/^6ES7510/, ['S7-1500', 'ET 200SP', 'CPU 1510SP']],
  [/^6ES7512/, ['S7-1500', 'ET 200SP', 'CPU 1512SP']],
  [/^6ES751[13-8]/, ['S7-1500', 'CPU 151']],
  [/^6ES7505/, ['S7-1500', 'Software Controller']],
  [/^6ES7615/, ['Drive Controller', 'CPU 1504D', 'CPU 1507D']],
  [/^6ES731/, ['S7-300', 'CPU 31']],
  [/^6ES741/, ['S7-400', 'CPU 41']],
  [/^6ES7288/, ['S7-200 SMART']],
  [/^6ES7151/, ['ET 200S', 'IM151']],
  [/^6ES7154/, ['ET 200pro', 'IM154']],
  [/^6ED1052/, ['LOGO!']],
  [/^6GK5/, ['SCALANCE']],
  [/^6GK7/, ['CP']],
  [/^6AV/, ['HMI']],
];

export function mlfbFamily(text: unknown): string[] | null {
  const key = mlfbKey(text);
  if (!key) return null;
  const s7 = key.replace(/^6AG[12]/, '6ES7');
  for (const [re, names] of MLFB_FAMILIES) if (re.test(s7)) return names;
  return null;
}

export interface PartNumber {
  /** partKey form: upper case, no separators. */
  key: string;
  /** True for a family written with a wildcard: `BMXP34*`, `140CPU65xxxxx`, `BMX P34x`. */
  prefix: boolean;
}

/**
 * Part numbers written inside product names, as Schneider does: "Modicon M340 CPU (part numbers
 * BMXP34*)", "Quantum processors with integrated Ethernet COPRO 140CPU65xxxxx", "Premium
 * processors ... TSXP574634 TSXP575634". Only tokens that mix letters and digits and are at least
 * six characters long (four before a wildcard) count, so model names like "M340" stay names.
 */
export function partNumbersIn(name: unknown): PartNumber[] {
  if (typeof name !== 'string' || name.length > MAX_NAME) return [];
  const out = new Map<string, PartNumber>();
  const explicit = /part\s*numbers?/i.test(name);
  // Schneider spaces its references: "BMX P34x", "BMX NOE 0100"
  const text = name
    .replace(/\b([A-Z]{3}) ([A-Z]{3}) (\d{4})\b/g, '$1$2$3')
    .replace(/\b([A-Z]{3}) ([A-Z]{1,3}\d{2,}[A-Za-z0-9]*)/g, '$1$2');
  for (const m of text.matchAll(/(?<![A-Za-z0-9-])([0-9A-Z][0-9A-Z-]{2,}?)(\*|x+\d*\b|X{2,}\d*\b)/g)) {
    const key = m[1].replace(/-/g, '');
    if (key.length >= 4 && /[A-Z]/.test(key) && (/\d/.test(key) || (explicit && m[2] === '*'))) out.set(`${key}*`, { key, prefix: true });
  }
  for (const m of text.matchAll(/(?<![A-Za-z0-9*/-])([0-9A-Z][0-9A-Z-]*[0-9A-Z])(?![A-Za-z0-9*/-])/g)) {
    const key = m[1].replace(/-/g, '');
    if (key.length >= 8 && /[A-Z]/.test(key) && /\d/.test(key) && !mlfbKey(m[1])) out.set(key, { key, prefix: false });
  }
  return [...out.values()];
}

/**
 * Whether text looks like a model, catalogue or article identifier rather than a version:
 * `1763-L16DWD`, `HEW4PER2B`, `S7-1211`, `LNL-X2210`, `6ES7211-1AE40-0XB0`, `2700988`.
 */
export function looksLikeIdentifier(text: string): boolean {
  const t = text.trim().replace(/[,*]+$/, '').trim();
  if (t.length < 3 || t.length > 40 || /\s/.test(t)) return false;
  if (mlfbKey(t)) return true;
  if (/^\d{6,8}$/.test(t)) return true; // Phoenix Contact article numbers
  if (/^\d{3,5}-[A-Z]/i.test(t)) return true; // Rockwell catalogue numbers
  if (!/\d/.test(t) || !/[a-z]/i.test(t)) return false;
  return /^[a-z]{1,6}\d?[-\d]/i.test(t) || /^[a-z]{2,}\d+[a-z]+/i.test(t);
}
