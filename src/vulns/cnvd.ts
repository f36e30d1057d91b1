// CNVD (国家信息安全漏洞共享平台) weekly share files: XML with one <vulnerability> per CNVD entry
// under <vulnerabilitys>. The layout is CNVD's "共享数据" format (fields announced by the CNVD
// secretariat in 2017: CNVD编号, 引用编号 CVE, 漏洞名称, 危害等级, 影响产品, 漏洞类型, 报送时间,
// 公开时间, 发现者, 描述, 解决办法, 补丁名称, 补丁描述), element names as the files spell them,
// including the misspelt <serverity>. CNVD rates with CVSS 2.0 but publishes only the level
// (高/中/低), so an entry has a severity and no score. Each <product> is "vendor product version
// expression" in one line of free text ("Siemens SIMATIC S7-1200 <V4.4", "西门子 SIMATIC WinCC
// 7.5 SP2及之前版本"); what cannot be split that way is reported per product, never guessed.
import type { Severity } from '../model/index.ts';
import type { AdvisoryCve, AdvisoryProduct, ImportProblem, ImportResult, Remediation } from './csaf.ts';
import { rangeProblem, singleVendorProduct } from './problems.ts';
import { parseRange, type VersionRange } from './range.ts';
import { child, childText, parseXml, type XmlElement } from './xml.ts';

export interface CnvdRecord {
  /** The XML of this one <vulnerability> element, as stored and re-imported on start. */
  source: string;
  result: ImportResult;
}

export type CnvdImport = { ok: true; records: CnvdRecord[] } | { ok: false; code: 'INVALID_ADVISORY'; reason: string };

const MAX_PRODUCTS = 500;
const MAX_TEXT = 400;
const CNVD_ID = /^CNVD-\d{4}-\d{4,6}$/;

const LEVELS: Record<string, Severity> = { 超危: 'critical', 严重: 'critical', 高: 'high', 中: 'medium', 低: 'low', high: 'high', medium: 'medium', low: 'low', critical: 'critical' };

/** True when the text looks like a CNVD share file or one of its entries. */
export function isCnvdXml(doc: unknown): boolean {
  return typeof doc === 'string' && /^\s*(?:\ufeff)?(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:vulnerabilitys|vulnerability)[\s>]/.test(doc.slice(0, 4096));
}

/** Every <vulnerability> of a share file (or a lone <vulnerability>). */
export function importCnvdXml(text: unknown): CnvdImport {
  const xml = parseXml(text);
  if (!xml.ok) return { ok: false, code: 'INVALID_ADVISORY', reason: `not readable XML: ${xml.reason}` };
  const root = xml.root;
  const entries = root.name === 'vulnerability' ? [root] : root.name === 'vulnerabilitys' ? root.children.filter((c) => c.name === 'vulnerability') : null;
  if (!entries) return { ok: false, code: 'INVALID_ADVISORY', reason: `root element <${root.name}> is neither <vulnerabilitys> nor <vulnerability>` };
  if (entries.length === 0) return { ok: false, code: 'INVALID_ADVISORY', reason: 'no <vulnerability> element' };
  const source = text as string;
  return { ok: true, records: entries.map((e) => ({ source: source.slice(e.start, e.end), result: importEntry(e) })) };
}

function importEntry(v: XmlElement): ImportResult {
  const id = childText(v, 'number')?.toUpperCase() ?? '';
  if (!CNVD_ID.test(id)) return { ok: false, code: 'INVALID_ADVISORY', reason: `<number> ${JSON.stringify(id.slice(0, 40))} is not a CNVD id` };
  const level = childText(v, 'serverity') ?? childText(v, 'severity');
  const severity: Severity = level ? (LEVELS[level.replace(/危?$/, '')] ?? LEVELS[level.toLowerCase()] ?? 'none') : 'none';
  const problems: ImportProblem[] = [];
  if (level && severity === 'none') problems.push({ code: 'severity-unknown', message: `<serverity> "${level.slice(0, 20)}" is not a CNVD level (高/中/低)` });

  const cveIds: string[] = [];
  for (const c of child(v, 'cves')?.children ?? []) {
    const n = childText(c, 'cveNumber')?.toUpperCase();
    if (n && /^CVE-\d{4}-\d{4,19}$/.test(n)) cveIds.push(n);
  }
  // An entry without a CVE is still a vulnerability: its CNVD id stands in the CVE list.
  const ids = cveIds.length ? [...new Set(cveIds)] : [id];
  if (!cveIds.length) problems.push({ code: 'no-cves', message: `${id}: no CVE reference; findings name ${id}` });

  const remediations: Remediation[] = [];
  const formalWay = childText(v, 'formalWay');
  if (formalWay) remediations.push({ category: 'vendor_fix', details: formalWay.slice(0, 4000) });
  const patch = [childText(v, 'patchName'), childText(v, 'patchDescription')].filter(Boolean).join(': ');
  if (patch) remediations.push({ category: 'vendor_fix', details: patch.slice(0, 4000) });
  const references = (childText(v, 'referenceLink') ?? '')
    .split(/\s+/)
    .filter((u) => /^https?:\/\//i.test(u))
    .slice(0, 50);
  const summary = childText(v, 'description');
  const cves: AdvisoryCve[] = ids.map((cve) => ({ cve, cvss: null, severity, vector: null, cwe: null, summary, knownExploited: false, remediations, references }));

  const products: AdvisoryProduct[] = [];
  const list = (child(v, 'products')?.children ?? []).filter((p) => p.name === 'product');
  list.slice(0, MAX_PRODUCTS).forEach((p, i) => {
    const product = toProduct(`${id}#${i}`, p.text, ids, severity, problems);
    if (product) products.push(product);
  });
  if (list.length > MAX_PRODUCTS) problems.push({ code: 'too-many-products', message: `only the first ${MAX_PRODUCTS} products were read` });
  return {
    ok: true,
    advisory: {
      id,
      title: childText(v, 'title') ?? id,
      publisher: 'CNVD',
      initialRelease: childText(v, 'openTime'),
      currentRelease: childText(v, 'openTime'),
      cves,
      products,
      maxCvss: null,
      severity,
    },
    problems,
  };
}

/** Words that continue a company name rather than start a product ("Schneider Electric", "Phoenix Contact"). */
const COMPANY_WORD = /^(?:electric|electronics|automation|contact|ag|se|inc\.?|co\.?,?|ltd\.?|gmbh|energy|international|controls|corporation|corp\.?|industrial|technologies|technology|digital|software|\(.*\)|有限公司|股份有限公司)$/i;

/**
 * The first word of a version expression: a comparator, a version number, "V" and a digit, or
 * words for "all versions". Product names keep their model numbers ("S7-1200", "M580", "1756-L8").
 */
const VERSION_START = /^(?:[<>≤≥]=?|=|V\d|v\d|\d+(?:\.\d+)+|\d+\.x|所有版本|全版本|全部版本|all$|versions?$|firmware$|固件)/i;

function toProduct(productId: string, raw: string, cves: string[], severity: Severity, problems: ImportProblem[]): AdvisoryProduct | null {
  const text = raw.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
  if (!text) {
    problems.push({ productId, code: 'no-product-id', message: 'an empty <product>' });
    return null;
  }
  // "SIMATIC S7-1200<V4.4": a comparator glued to the name starts the version all the same
  const tokens = text.replace(/([^\s<>≤≥=])([<>≤≥])/g, '$1 $2').split(' ');
  let n = 1;
  while (n < tokens.length - 1 && n < 4 && COMPANY_WORD.test(tokens[n])) n++;
  const vendor = tokens.slice(0, n).join(' ');
  let at = tokens.findIndex((t, i) => i > n && VERSION_START.test(t));
  // "SIMATIC S7-1500 V2.0": a lone trailing V-number after at least one product word
  if (at === -1) at = tokens.length;
  const productName = tokens.slice(n, at).join(' ');
  const versionText = normaliseChineseRange(tokens.slice(at).join(' '));
  const fullName = text;
  if (!productName) {
    problems.push({ productId, code: 'no-product-id', message: `"${text}": no product name after the vendor` });
    return null;
  }
  let range: VersionRange;
  if (!versionText) {
    problems.push({ productId, code: 'no-version', message: `${fullName}: no version given; read as all versions` });
    range = { kind: 'all', source: 'range' };
  } else {
    range = parseRange(versionText, fullName);
    const p = rangeProblem(productId, fullName, versionText, range);
    if (p) problems.push(p);
  }
  return singleVendorProduct({ productId, vendor, productName, fullName, modelText: fullName, range, rangeText: versionText, cves: [...cves], cvss: null, severity });
}

/**
 * CNVD's Chinese range words into the comparators parseRange reads: "V4.4及之前版本" (and earlier)
 * → "<= V4.4", "V4.4之前版本" (before) → "< V4.4", "V2.0至V2.5" (from … to) → "V2.0 - V2.5",
 * "所有版本" → all versions.
 */
export function normaliseChineseRange(text: string): string {
  let t = text.trim();
  if (/^(?:所有版本|全版本|全部版本)$/.test(t)) return 'All versions';
  t = t.replace(/^(.+?)\s*(?:及|和|或)(?:之前|以前|以下|更早)(?:的)?(?:所有)?(?:版本)?$/, '<= $1');
  t = t.replace(/^(.+?)\s*(?:之前|以前|以下)(?:的)?(?:所有)?(?:版本)?$/, '< $1');
  t = t.replace(/^(.+?)\s*(?:及|和)(?:之后|以后|以上)(?:的)?(?:版本)?$/, '>= $1');
  t = t.replace(/^(\S+?)\s*(?:至|到|~|－)\s*(\S+?)(?:版本)?$/, '$1 - $2');
  t = t.replace(/[，、；]/g, ',').replace(/版本$/, '').trim();
  return t;
}
