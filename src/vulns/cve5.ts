// CVE records in the CVE Record Format 5.x (CVE JSON 5; schema CVE_Record_Format.json of
// CVEProject/cve-schema) into the same NormalizedAdvisory as CSAF. One record is one advisory whose
// id is the CVE id; each `containers.cna.affected[]` entry is one product. Versions follow the
// schema's `versions[]` semantics: `version` alone is one version (or, as Siemens' CNA writes it,
// prose such as "All versions < V2.9.2"); with `lessThan`/`lessThanOrEqual` it is the inclusive
// lower end of a range, "0" meaning from the first release. A CISA ADP container may carry the
// KEV listing (`metrics[].other.type = "kev"`) or SSVC `Exploitation: active`: that is the
// known-exploited flag.
import type { Severity } from '../model/index.ts';
import { severityOf, type AdvisoryCve, type AdvisoryProduct, type ImportProblem, type ImportResult, type Remediation } from './csaf.ts';
import { rangeProblem, singleVendorProduct } from './problems.ts';
import { describeRange, parseRange, type Interval, type VersionRange } from './range.ts';
import { parseVersion } from './version.ts';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

const CVE_ID = /^CVE-\d{4}-\d{4,19}$/;
const MAX_AFFECTED = 2_000;
const MAX_VERSIONS = 500;
const MAX_TEXT = 400;

/** True when the document has the shape of a CVE JSON 5 record (dataType or cveMetadata + containers). */
export function isCveRecord(doc: unknown): boolean {
  return isObj(doc) && (doc.dataType === 'CVE_RECORD' || (isObj(doc.cveMetadata) && isObj(doc.containers)));
}

export function importCveRecord(doc: unknown): ImportResult {
  if (!isObj(doc)) return invalid('not a JSON object');
  if (doc.dataType !== undefined && doc.dataType !== 'CVE_RECORD') return invalid('"dataType" is not "CVE_RECORD"');
  const version = str(doc.dataVersion);
  if (version !== null && !/^5\.\d+(?:\.\d+)?$/.test(version)) return invalid(`"dataVersion" ${JSON.stringify(version.slice(0, 20))} is not 5.x`);
  const meta = doc.cveMetadata;
  if (!isObj(meta)) return invalid('missing "cveMetadata"');
  const id = str(meta.cveId)?.trim().toUpperCase() ?? '';
  if (!CVE_ID.test(id)) return invalid('"cveMetadata.cveId" is not a CVE id');
  if (meta.state === 'REJECTED') return invalid(`${id} is a REJECTED record`);
  if (!isObj(doc.containers) || !isObj(doc.containers.cna)) return invalid('missing "containers.cna"');
  const cna = doc.containers.cna;
  const adp = arr(doc.containers.adp).filter(isObj);
  if (!Array.isArray(cna.affected)) return invalid('missing "containers.cna.affected"');

  // CNA scores first; an ADP's (CISA's Vulnrichment) only when the CNA gives none.
  let score = cvssOf(cna.metrics);
  if (score.cvss === null) for (const a of adp) if ((score = cvssOf(a.metrics)).cvss !== null) break;
  const knownExploited = [cna, ...adp].some((c) => exploited(c.metrics));
  const cwe = cweOf(cna.problemTypes) ?? adp.map((a) => cweOf(a.problemTypes)).find((c) => c) ?? null;
  const english = arr(cna.descriptions).find((d) => isObj(d) && typeof d.lang === 'string' && d.lang.toLowerCase().startsWith('en'));
  const anyDescription = english ?? arr(cna.descriptions).find(isObj);
  const summary = isObj(anyDescription) ? str(anyDescription.value) : null;
  const remediations: Remediation[] = [];
  for (const [list, category] of [[cna.solutions, 'vendor_fix'], [cna.workarounds, 'workaround']] as const) {
    for (const s of arr(list)) {
      const details = isObj(s) ? str(s.value)?.trim() : null;
      if (details) remediations.push({ category, details: details.slice(0, 4000) });
    }
  }
  const references: string[] = [];
  for (const r of arr(cna.references).slice(0, 200)) {
    const url = isObj(r) ? str(r.url) : null;
    if (!url || !/^https?:\/\//i.test(url)) continue;
    references.push(url);
    const tags = isObj(r) ? arr(r.tags) : [];
    if (tags.includes('patch') && isObj(r)) remediations.push({ category: 'vendor_fix', details: str(r.name) ?? 'patch', url });
  }
  const severity = severityOf(score.cvss);
  const cve: AdvisoryCve = { cve: id, cvss: score.cvss, severity, vector: score.vector, cwe, summary, knownExploited, remediations, references };

  const problems: ImportProblem[] = [];
  const products: AdvisoryProduct[] = [];
  cna.affected.slice(0, MAX_AFFECTED).forEach((entry, i) => {
    const p = toProduct(id, i, entry, score.cvss, severity, problems);
    if (p) products.push(p);
  });
  if (cna.affected.length > MAX_AFFECTED) problems.push({ code: 'too-many-products', message: `only the first ${MAX_AFFECTED} affected entries were read` });
  const assigner = str(meta.assignerShortName) ?? '';
  const title = str(cna.title)?.trim() || (summary ? summary.replace(/\s+/g, ' ').slice(0, 200) : id);
  return {
    ok: true,
    advisory: {
      id,
      title,
      publisher: assigner,
      initialRelease: str(meta.datePublished),
      currentRelease: str(meta.dateUpdated) ?? str(meta.datePublished),
      cves: [cve],
      products,
      maxCvss: score.cvss,
      severity,
    },
    problems,
  };
}

function invalid(reason: string): ImportResult {
  return { ok: false, code: 'INVALID_ADVISORY', reason };
}

/** Highest CVSS v3.x base score of a metrics array (v4.0 when no v3 is given). */
function cvssOf(metrics: unknown): { cvss: number | null; vector: string | null } {
  let best: { cvss: number | null; vector: string | null } = { cvss: null, vector: null };
  let v4: typeof best = { cvss: null, vector: null };
  for (const m of arr(metrics)) {
    if (!isObj(m)) continue;
    for (const k of ['cvssV3_1', 'cvssV3_0', 'cvssV4_0'] as const) {
      const c = m[k];
      if (!isObj(c) || typeof c.baseScore !== 'number' || !(c.baseScore >= 0 && c.baseScore <= 10)) continue;
      const into = k === 'cvssV4_0' ? v4 : best;
      if (into.cvss === null || c.baseScore > into.cvss) {
        into.cvss = c.baseScore;
        into.vector = str(c.vectorString);
      }
    }
  }
  return best.cvss !== null ? best : v4;
}

function exploited(metrics: unknown): boolean {
  return arr(metrics).some((m) => {
    const other = isObj(m) && isObj(m.other) ? m.other : null;
    if (!other) return false;
    if (other.type === 'kev') return true;
    // CISA ADP SSVC decision points: {"Exploitation": "active"}
    if (other.type === 'ssvc' && isObj(other.content)) return arr(other.content.options).some((o) => isObj(o) && o.Exploitation === 'active');
    return false;
  });
}

function cweOf(problemTypes: unknown): string | null {
  for (const pt of arr(problemTypes)) {
    for (const d of isObj(pt) ? arr(pt.descriptions) : []) {
      if (!isObj(d)) continue;
      const id = str(d.cweId) ?? /\b(CWE-\d{1,5})\b/.exec(str(d.description) ?? '')?.[1] ?? null;
      if (id && /^CWE-\d{1,5}$/.test(id)) return id;
    }
  }
  return null;
}

function toProduct(cveId: string, index: number, entry: unknown, cvss: number | null, severity: Severity, problems: ImportProblem[]): AdvisoryProduct | null {
  const productId = `${cveId}#${index}`;
  if (!isObj(entry)) {
    problems.push({ productId, code: 'no-product-id', message: `affected[${index}] is not an object` });
    return null;
  }
  const vendor = (str(entry.vendor) ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
  const productName = (str(entry.product) ?? str(entry.packageName) ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
  if (!productName || /^n\/a$/i.test(productName)) {
    problems.push({ productId, code: 'no-product-id', message: `affected[${index}] names no product` });
    return null;
  }
  const fullName = vendor && !/^n\/a$/i.test(vendor) ? `${vendor} ${productName}` : productName;
  const { range, rangeText, problem } = rangeOf(entry, fullName, productId);
  if (problem) problems.push(problem);
  else {
    const p = rangeProblem(productId, fullName, rangeText, range);
    if (p) problems.push(p);
  }
  return singleVendorProduct({ productId, vendor, productName, fullName, modelText: productName, range, rangeText, cves: [cveId], cvss, severity });
}

/** The affected versions of one `affected[]` entry as one VersionRange. */
function rangeOf(entry: Obj, fullName: string, productId: string): { range: VersionRange; rangeText: string; problem?: ImportProblem } {
  const versions = arr(entry.versions).slice(0, MAX_VERSIONS).filter(isObj);
  const defaultStatus = str(entry.defaultStatus);
  const affected = versions.filter((v) => v.status === 'affected');
  const unaffected = versions.filter((v) => v.status === 'unaffected');
  if (affected.length === 0) {
    // "affected unless listed": the schema's defaultStatus with one open-ended unaffected range
    const open = unaffected.length === 1 && (unaffected[0].lessThan === '*' || unaffected[0].lessThanOrEqual === '*') ? parseVersion(unaffected[0].version) : null;
    if (defaultStatus === 'affected' && open) {
      const range: VersionRange = { kind: 'intervals', intervals: [{ upper: open, upperInclusive: false, lowerInclusive: false }], source: 'range' };
      return { range, rangeText: `< ${open.raw}` };
    }
    if (defaultStatus === 'affected' && versions.length === 0) {
      return { range: { kind: 'all', source: 'range' }, rangeText: 'all versions', problem: { productId, code: 'no-version', message: `${fullName}: no versions listed and defaultStatus "affected"; read as all versions` } };
    }
    const range: VersionRange = { kind: 'none', reason: versions.length ? 'every listed version is unaffected' : 'no affected versions listed' };
    return { range, rangeText: '', problem: { productId, code: 'range-none', message: `${fullName}: ${range.reason}` } };
  }
  const intervals: Interval[] = [];
  const texts: string[] = [];
  let all = false;
  const caveats: string[] = [];
  for (const v of affected) {
    const text = (str(v.version) ?? '').trim().slice(0, MAX_TEXT);
    const type = str(v.versionType);
    const upperText = str(v.lessThan) ?? str(v.lessThanOrEqual);
    const inclusive = v.lessThan === undefined && typeof v.lessThanOrEqual === 'string';
    if (type === 'git') {
      return unparsedRange(productId, fullName, text, 'git commit ranges name no firmware version');
    }
    if (Array.isArray(v.changes) && v.changes.length) caveats.push(`status changes within ${text || 'the range'} are not read`);
    if (upperText !== null) {
      const upperTrim = upperText.trim();
      const lowerOpen = text === '' || text === '0' || text === '*' || /^0(?:\.0)*$/.test(text);
      const lower = lowerOpen ? null : parseVersion(text);
      if (!lowerOpen && !lower) return unparsedRange(productId, fullName, text, `lower bound "${text}" is not a version`);
      if (upperTrim === '*') {
        if (!lower) all = true;
        else intervals.push({ lower, lowerInclusive: true, upperInclusive: false });
        texts.push(lower ? `>= ${lower.raw}` : 'all versions');
        continue;
      }
      const upper = parseVersion(upperTrim);
      if (!upper) return unparsedRange(productId, fullName, upperTrim, `upper bound "${upperTrim}" is not a version`);
      intervals.push({ ...(lower ? { lower } : {}), lowerInclusive: lower !== null, upper, upperInclusive: inclusive });
      texts.push(`${lower ? `>= ${lower.raw}, ` : ''}${inclusive ? '<=' : '<'} ${upper.raw}`);
      continue;
    }
    // One version, or prose in the version field (Siemens: "All versions < V2.9.2")
    const r = parseRange(text);
    texts.push(text);
    switch (r.kind) {
      case 'all':
        all = true;
        break;
      case 'exact':
        for (const x of r.versions) intervals.push({ lower: x, lowerInclusive: true, upper: x, upperInclusive: true });
        break;
      case 'intervals':
        intervals.push(...r.intervals);
        if (r.caveats) caveats.push(...r.caveats);
        break;
      default: {
        const range = { ...r, source: 'range' as const };
        return { range, rangeText: text, problem: rangeProblem(productId, fullName, text, range) ?? undefined };
      }
    }
  }
  const rangeText = texts.join(' | ');
  // Unaffected entries beside affected ones are fixed releases; an interval cannot hold a hole, so
  // the union above stays as wide as the affected entries say and the analyst is told.
  const notes = {
    ...(caveats.length ? { caveats } : {}),
    ...(unaffected.length ? { notes: [`${unaffected.length} unaffected entr${unaffected.length === 1 ? 'y' : 'ies'} not subtracted`] } : {}),
  };
  if (all) return { range: { kind: 'all', source: 'range', ...notes }, rangeText };
  const range: VersionRange = { kind: 'intervals', intervals, source: 'range', ...notes };
  return { range, rangeText: rangeText || describeRange(range) };
}

function unparsedRange(productId: string, fullName: string, text: string, reason: string): { range: VersionRange; rangeText: string; problem: ImportProblem } {
  return { range: { kind: 'unparsed', reason, source: 'range' }, rangeText: text, problem: { productId, code: 'range-unparsed', message: `${fullName}: "${text}" not understood (${reason})` } };
}
