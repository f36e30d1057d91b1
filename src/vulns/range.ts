// Affected-version expressions from CSAF leaves, turned into sets of versions.
//
// The CISA files use many notations side by side (reference/README.md §1.3–§1.5): `vers:all/*`,
// real VERS (`vers:intdot/<2.9.9`), pseudo-VERS that puts free comparators after `vers:all/`,
// bare comparators, `a|b` compounds, Siemens prose ("All versions between V3.0 (including) and
// V3.0.2 (excluding)"), exact versions, wildcards (`2.4.x`) and text that cannot be decided from a
// firmware version at all (serial-number cut-offs, conditions on another product). Every text comes
// out as one explicit outcome; nothing is guessed silently.
import { compareVersions, nextRelease, parseVersion, type Version } from './version.ts';

export interface Interval {
  lower?: Version;
  lowerInclusive: boolean;
  upper?: Version;
  upperInclusive: boolean;
}

/**
 * Mitsubishi's cut-offs on the leading digits of the serial number (icsa-24-074-14:
 * `<=The_first_5_digits_of_serial_No._"26061"`). Firmware cannot decide them; a serial can.
 */
export interface SerialCutoff {
  digits: number;
  op: '<=' | '<';
  bound: string;
}

interface RangeNotes {
  /** Only these CVEs apply to the versions in range ("only affected by CVE-2019-10943"). */
  onlyCves?: string[];
  /** Conditions firmware cannot confirm ("and Function State (FS) <= 9"): a hit is only possible. */
  caveats?: string[];
  /** Text dropped while parsing, kept for the reason shown to analysts. */
  notes?: string[];
  /** Where the range came from: the structured field, or the leaf's product name as a fallback. */
  source?: 'range' | 'name';
}

export type VersionRange =
  | ({ kind: 'all' } & RangeNotes)
  | ({ kind: 'exact'; versions: Version[] } & RangeNotes)
  | ({ kind: 'intervals'; intervals: Interval[] } & RangeNotes)
  /** Known not to be decidable from a firmware version (serial cut-off, other product's version). */
  | ({ kind: 'undecidable'; reason: string; serial?: SerialCutoff } & RangeNotes)
  /** The advisory itself says no version is affected ("removed from the scope of this advisory"). */
  | ({ kind: 'none'; reason: string } & RangeNotes)
  /** Text this parser does not understand. */
  | ({ kind: 'unparsed'; reason: string } & RangeNotes);

type Comparator = '<' | '<=' | '>' | '>=' | '=';

interface Constraint {
  op: Comparator;
  version: Version;
}

type Fail = { fail: string };

const MAX_TEXT = 400;
const MAX_TERMS = 64;
const CVE_RE = /CVE-\d{4}-\d{4,7}/gi;

/**
 * Parses the affected-version text of one CSAF leaf. `fallbackName` is the leaf's
 * `product.name`, read when the structured text is garbled (icsa-20-196-06: `>= <= 2.2 | 2.5.1`
 * next to "v2.2 and later prior to v2.5.1").
 */
export function parseRange(text: unknown, fallbackName?: unknown): VersionRange {
  const primary = parseRangeText(typeof text === 'string' ? text : '');
  if (primary.kind !== 'unparsed' || typeof fallbackName !== 'string') return { ...primary, source: 'range' };
  const fromName = parseNameText(fallbackName);
  if (fromName.kind === 'unparsed' || fromName.kind === 'undecidable' || fromName.kind === 'none') {
    return { ...primary, source: 'range' };
  }
  return {
    ...fromName,
    source: 'name',
    notes: [...(fromName.notes ?? []), `range text "${String(text)}" not understood; read from the product name`],
  };
}

/** True when the version lies in the range; undefined when the range cannot tell. */
export function inRange(range: VersionRange, v: Version): boolean | undefined {
  switch (range.kind) {
    case 'all':
      return true;
    case 'exact':
      return range.versions.some((x) => compareVersions(x, v) === 0);
    case 'intervals':
      return range.intervals.some((iv) => inInterval(iv, v));
    case 'none':
      return false;
    default:
      return undefined;
  }
}

export function inInterval(iv: Interval, v: Version): boolean {
  if (iv.lower) {
    const c = compareBound(v, iv.lower);
    if (c < 0 || (c === 0 && !iv.lowerInclusive)) return false;
  }
  if (iv.upper) {
    const c = compareBound(v, iv.upper);
    if (c > 0 || (c === 0 && !iv.upperInclusive)) return false;
  }
  return true;
}

/**
 * A firmware with a WAGO bracket level (`01.07.13(10)`) against a bare FW level bound (`< FW14`,
 * `<= 10`, icsa-19-106-02, icsa-18-088-01) compares the levels; anything else compares versions.
 */
function compareBound(v: Version, bound: Version): number {
  if (v.bracket !== undefined && bound.release.length === 1 && bound.bracket === undefined && bound.sp + bound.update + bound.hotfix + bound.patch + bound.build + bound.letter === 0) {
    const d = v.bracket - (bound.release[0] ?? 0);
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  return compareVersions(v, bound);
}

/** Human-readable form for match reasons: `>= 3.0.1, < 3.0.3 or < 2.9.7`. */
export function describeRange(range: VersionRange): string {
  switch (range.kind) {
    case 'all':
      return 'all versions';
    case 'exact':
      return `exactly ${range.versions.map((v) => v.raw).join(', ')}`;
    case 'intervals':
      return range.intervals
        .map((iv) => {
          const parts: string[] = [];
          if (iv.lower) parts.push(`${iv.lowerInclusive ? '>=' : '>'} ${iv.lower.raw}`);
          if (iv.upper) parts.push(`${iv.upperInclusive ? '<=' : '<'} ${iv.upper.raw}`);
          return parts.join(', ') || 'all versions';
        })
        .join(' or ');
    default:
      return `${range.kind}: ${range.reason}`;
  }
}

const NUMBER_WORDS: Record<string, number> = { three: 3, four: 4, five: 5, six: 6 };

function serialCutoff(text: string): SerialCutoff | null {
  const s = text.replace(/_/g, ' ').replace(/\s+/g, ' ');
  const m = /(<=|<)?\s*(?:with\s+)?(?:the\s+)?(?:first\s+)?(\d|three|four|five|six)\s+digits\s+of\s+serial\s+(?:number|no\.?)\s*(<=|<)?\s*"?(\d+)"?(?:\s+\4)?\s*$/i.exec(s);
  if (m) {
    const op = (m[1] ?? m[3]) as '<=' | '<' | undefined;
    const digits = NUMBER_WORDS[m[2].toLowerCase()] ?? Number(m[2]);
    if (op && m[4].length === digits) return { digits, op, bound: m[4] };
  }
  const stars = /^(<=|<)\s*serial\s+numbers?\s+(\d+)\*+$/i.exec(s.trim());
  if (stars) return { digits: stars[2].length, op: stars[1] as '<=' | '<', bound: stars[2] };
  return null;
}

/** Whether a device serial falls under a serial cut-off; undefined when the serial does not say. */
export function serialInCutoff(cut: SerialCutoff, serial: string): boolean | undefined {
  const lead = serial.replace(/[\s-]/g, '').slice(0, cut.digits);
  if (lead.length !== cut.digits || !/^\d+$/.test(lead)) return undefined;
  const d = Number(lead) - Number(cut.bound);
  return cut.op === '<=' ? d <= 0 : d < 0;
}

function undecidableReason(s: string): string | null {
  if (/serial/i.test(s)) return 'serial-number cut-off, not a firmware version';
  if (/production[\s_]*date/i.test(s)) return 'production-date cut-off, not a firmware version';
  if (/material dated|dated earlier/i.test(s)) return 'installation-media date, not a firmware version';
  if (/function state \(fs\)/i.test(s) && !/\d+\.\d+/.test(s.replace(/function state \(fs\)\s*[<>=]+\s*\d+/gi, ''))) {
    return 'hardware function-state cut-off, not a firmware version';
  }
  return null;
}

/** Conditions on something other than this product's own version. */
const CONDITION_RE =
  /\s*(?:,\s*)?\b(?:(?:installed |only )?in conjunction with|in connection with(?: using)?|only when running on|when used with)\b.*$/i;

function parseRangeText(input: string): VersionRange {
  let s = input.replace(/\s+/g, ' ').trim();
  if (s.length === 0) return { kind: 'unparsed', reason: 'empty version text' };
  if (s.length > MAX_TEXT) return { kind: 'unparsed', reason: 'version text too long' };
  const undecidable = undecidableReason(s);
  if (undecidable) {
    const serial = serialCutoff(s);
    return serial ? { kind: 'undecidable', reason: undecidable, serial } : { kind: 'undecidable', reason: undecidable };
  }
  if (/removed from the scope/i.test(s)) return { kind: 'none', reason: 'versions removed from the scope of this advisory' };

  const extra: RangeNotes = {};
  const caveats: string[] = [];
  const notes: string[] = [];

  if (/\bonly\b/i.test(s) && /CVE-\d{4}-\d{4,7}/i.test(s)) {
    extra.onlyCves = [...new Set((s.match(CVE_RE) ?? []).map((c) => c.toUpperCase()))];
    s = s.replace(/\(?\s*(?:only affected by\s+)?(?:CVE-\d{4}-\d{4,7}(?:\s*(?:,|and)\s*)?)+\s*(?:only)?\s*\)?/gi, ' ').trim();
  }

  const vers = /^vers:([a-z0-9.+-]+)\/(.*)$/i.exec(s);
  if (vers) {
    // VERS (github.com/package-url/purl-spec VERSION-RANGE-SPEC): `vers:<scheme>/<constraints>`;
    // the `all` scheme only allows `*`, so CISA's `vers:all/<V2.9.7` is read as free text.
    s = vers[2].trim();
    if (vers[1].toLowerCase() !== 'all') {
      try {
        s = decodeURIComponent(s);
      } catch {
        return { kind: 'unparsed', reason: 'bad percent-encoding in VERS' };
      }
    }
  }
  s = s.replace(/_/g, ' ').replace(/\s+/g, ' ').trim();

  const condition = CONDITION_RE.exec(s);
  if (condition) {
    const own = s.slice(0, condition.index).trim();
    const cond = condition[0].replace(/^\s*,?\s*/, '');
    if (/^all versions$/i.test(own) || own === '') {
      return { kind: 'undecidable', reason: `depends on another product: ${cond}` };
    }
    caveats.push(cond);
    s = own;
  }

  const fs = /\s*\band\s+function state \(fs\)\s*(<=|<|>=|>|=)\s*(\d+)\s*$/i.exec(s);
  if (fs) {
    caveats.push(`Function State (FS) ${fs[1]} ${fs[2]}`);
    s = s.slice(0, fs.index).trim();
  }

  s = s.replace(/^(?:all|any)\s+(?:bios\s+|firmware\s+|software\s+)?versions?\b\s*/i, (m) => {
    notes.push(m.trim());
    return '';
  });
  if (s === '' || s === '*') return finish({ kind: 'all' }, extra, caveats, notes);
  const withClause = /^(with|without|using|running)\b/i.exec(s);
  if (withClause && notes.length) {
    caveats.push(s);
    return finish({ kind: 'all' }, extra, caveats, notes);
  }

  // Siemens prose: "between V3.0 (including) and V3.0.2 (excluding)"
  s = s.replace(
    /^between\s+(.+?)\s*\((including|excluding)\)\s*and\s+(.+?)\s*\((including|excluding)\)$/i,
    (_m, a: string, ai: string, b: string, bi: string) =>
      `${ai.toLowerCase() === 'including' ? '>=' : '>'} ${a} ${bi.toLowerCase() === 'including' ? '<=' : '<'} ${b}`,
  );
  s = s.replace(/\bup to and including\b/gi, ' <= ').replace(/^versions?\s+/i, '');

  s = s.replace(/\(([^()]*)\)/g, (m, inner: string) => {
    if (/^\s*\d+\s*$/.test(inner)) return m; // WAGO build number `01.07.13(10)`
    notes.push(inner.trim());
    return ' ';
  });
  s = s.replace(/\s+/g, ' ').trim();
  if (s === '' || s === '*') return finish({ kind: 'all' }, extra, caveats, notes);

  const parsed = parseTerms(s);
  if ('fail' in parsed) {
    const compares = /[<>]|\b(?:prior|before|older)\b/i.test(input);
    if (compares && /[a-z]{5,}/i.test(s.replace(/\b(?:update|patch|build|service pack|hotfix|version)\b/gi, ''))) {
      return { kind: 'undecidable', reason: `compares against text that is not a version: "${input.trim()}"` };
    }
    return { kind: 'unparsed', reason: parsed.fail };
  }
  return finish(parsed, extra, caveats, notes);
}

function finish(range: VersionRange, extra: RangeNotes, caveats: string[], notes: string[]): VersionRange {
  const out: VersionRange = { ...range, ...extra };
  if (caveats.length) out.caveats = caveats;
  if (notes.length) out.notes = notes;
  return out;
}

/** Parses comparator terms joined by `|`, `,`, `and`, or simply juxtaposed (`>=V3.0.1<V3.0.3`). */
function parseTerms(s: string): VersionRange | Fail {
  const rawTerms = s
    .split(/\s*\|\s*|\s*,\s*|\s+and\s+/i)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  if (rawTerms.length === 0) return { fail: 'no version terms' };
  if (rawTerms.length > MAX_TERMS) return { fail: 'too many version terms' };

  // `< 4.8 | SP5` (icsa-19-253-03): a term that is only a qualifier continues the previous version
  const terms: string[] = [];
  for (const t of rawTerms) {
    if (terms.length > 0 && /^(?:sp|hf|upd(?:ate)?|patch|service pack)\s*\d+$/i.test(t)) {
      terms[terms.length - 1] += ` ${t}`;
    } else terms.push(t);
  }

  const constraints: Constraint[] = [];
  const direct: Interval[] = [];
  for (const term of terms) {
    const pieces = splitComparators(term);
    if (pieces.length === 0) return { fail: `no version in "${term}"` };
    for (const piece of pieces) {
      const r = parsePiece(piece.op, piece.text);
      if ('fail' in r) return r;
      constraints.push(...r.constraints);
      direct.push(...r.intervals);
    }
  }

  const exact = constraints.filter((c) => c.op === '=');
  if (direct.length === 0 && exact.length === constraints.length) {
    return { kind: 'exact', versions: exact.map((c) => c.version) };
  }
  return { kind: 'intervals', intervals: [...direct, ...versIntervals(constraints)] };
}

/** `>= V2.0 < V2.2.28` → two pieces; a bare version is one piece with op `=`. */
function splitComparators(term: string): { op: Comparator | null; text: string }[] {
  const out: { op: Comparator | null; text: string }[] = [];
  const re = /(<=|>=|=<|=>|<|>|=)/g;
  let last = 0;
  let op: Comparator | null = null;
  let m: RegExpExecArray | null;
  while ((m = re.exec(term))) {
    const before = term.slice(last, m.index).trim();
    if (before || op) out.push({ op, text: before });
    op = (m[1] === '=<' ? '<=' : m[1] === '=>' ? '>=' : m[1]) as Comparator;
    last = m.index + m[1].length;
  }
  const rest = term.slice(last).trim();
  if (rest || op) out.push({ op, text: rest });
  return out;
}

function parsePiece(op: Comparator | null, text: string): { constraints: Constraint[]; intervals: Interval[] } | Fail {
  const t = text.replace(/^[-\s]+|[-\s.]+$/g, '');
  if (t === '') return { fail: `comparator ${op ?? ''} without a version` };
  if (t === '*' && (op === null || op === '=')) return { constraints: [], intervals: [{ lowerInclusive: true, upperInclusive: true }] };

  // A wildcard: `2.4.x`, `8.1x`, `R15x`, `5.1.0-x`
  // (an upper-case X glued to digits is a Mitsubishi letter revision: `1.597X`)
  const wild = /^(.*?\d)\s*(?:[.-][xX*]|x|\*)$/.exec(t);
  if (wild && !/[xX*].*\d/.test(t)) {
    const base = parseVersion(wild[1]);
    if (!base) return { fail: `unknown wildcard "${t}"` };
    const next = nextRelease(base);
    switch (op) {
      case null:
      case '=':
        return { constraints: [], intervals: [{ lower: base, lowerInclusive: true, upper: next, upperInclusive: false }] };
      case '<':
        return { constraints: [{ op: '<', version: base }], intervals: [] };
      case '<=':
        return { constraints: [{ op: '<', version: next }], intervals: [] };
      case '>':
        return { constraints: [{ op: '>=', version: next }], intervals: [] };
      case '>=':
        return { constraints: [{ op: '>=', version: base }], intervals: [] };
    }
  }

  // Siemens `< V3.X.17`: every 3.x line is fixed at x.17 (S7-300, icsa-19-344-06)
  const mid = /^v?(\d+)\.[xX]\.(\d+)$/i.exec(t);
  if (mid && (op === '<' || op === '<=')) {
    const major = Number(mid[1]);
    const intervals: Interval[] = [{ upper: plain([major]), upperInclusive: false, lowerInclusive: true }];
    for (let minor = 0; minor < 100; minor++) {
      intervals.push({
        lower: plain([major, minor]),
        lowerInclusive: true,
        upper: plain([major, minor, Number(mid[2])]),
        upperInclusive: op === '<=',
      });
    }
    return { constraints: [], intervals };
  }

  // A bare span: `20-33`, `12.4.1-12.4.11`, `28 - 32` (same depth on both sides, else `5.1.1-1` is a build)
  const span = /^(\S+?)\s*-\s*(\S+)$/.exec(t);
  if (span && op === null) {
    const a = parseVersion(span[1]);
    const b = parseVersion(span[2]);
    if (a && b && a.release.length === b.release.length && compareVersions(a, b) < 0) {
      return { constraints: [], intervals: [{ lower: a, lowerInclusive: true, upper: b, upperInclusive: true }] };
    }
  }

  const v = parseVersion(t) ?? parseVersion(t.replace(/^[a-z]{2,4}\s+(?=v?\d)/i, ''));
  if (v) return { constraints: [{ op: op ?? '=', version: v }], intervals: [] };

  // Per-line fixes: `<V33.017_V34.014_V35.013`, `<= 2.0.11 / 3.0.11`: each fix closes its own line
  const list = t.split(/\s*\/\s*|\s+(?=v?\d+\.\d)/i).map((x) => parseVersion(x));
  if (list.length > 1 && list.every((x) => x !== null) && (op === '<' || op === '<=')) {
    const vs = (list as Version[]).slice().sort(compareVersions);
    const intervals: Interval[] = [{ upper: lineStart(vs[0]), upperInclusive: false, lowerInclusive: true }];
    for (const x of vs) intervals.push({ lower: lineStart(x), lowerInclusive: true, upper: x, upperInclusive: op === '<=' });
    return { constraints: [], intervals };
  }
  return { fail: `not a version: "${t}"` };
}

function lineStart(v: Version): Version {
  return plain([v.release[0] ?? 0]);
}

function plain(release: number[]): Version {
  return { raw: release.join('.'), release, letter: 0, pre: 0, sp: 0, update: 0, hotfix: 0, patch: 0, build: 0, tail: [] };
}

/**
 * VERS containment turned into intervals (VERSION-RANGE-SPEC, "checking if a version is
 * contained"): constraints sorted by version; a leading `<`/`<=` opens from minus infinity, each
 * `>`/`>=` followed by a `<`/`<=` closes an interval, a trailing `>`/`>=` runs to infinity. CISA's
 * `>= 1.0 | <= 1.32` therefore means 1.0 to 1.32, not everything.
 */
function versIntervals(constraints: Constraint[]): Interval[] {
  const out: Interval[] = [];
  for (const c of constraints) {
    if (c.op === '=') out.push({ lower: c.version, lowerInclusive: true, upper: c.version, upperInclusive: true });
  }
  const rs = constraints
    .filter((c) => c.op !== '=')
    .map((c, i) => ({ c, i }))
    .sort((a, b) => compareVersions(a.c.version, b.c.version) || a.i - b.i)
    .map((x) => x.c);
  for (let i = 0; i < rs.length; i++) {
    const c = rs[i];
    const isUpper = c.op === '<' || c.op === '<=';
    if (isUpper) {
      out.push({ upper: c.version, upperInclusive: c.op === '<=', lowerInclusive: true });
      continue;
    }
    const next = rs[i + 1];
    if (next && (next.op === '<' || next.op === '<=')) {
      out.push({ lower: c.version, lowerInclusive: c.op === '>=', upper: next.version, upperInclusive: next.op === '<=' });
      i++;
    } else {
      out.push({ lower: c.version, lowerInclusive: c.op === '>=', upperInclusive: true });
    }
  }
  return out;
}

/**
 * Reads the version phrase of a leaf's `product.name`, e.g. "SIMATIC S7-200 SMART CPU family:
 * v2.2 and later prior to v2.5.1" or "NPort 5110: Version 2.4".
 */
export function parseNameText(name: string): VersionRange {
  const colon = name.lastIndexOf(':');
  let s = (colon >= 0 ? name.slice(colon + 1) : name).replace(/\s+/g, ' ').trim();
  if (s.length === 0 || s.length > MAX_TEXT) return { kind: 'unparsed', reason: 'no version phrase in the product name' };
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^(?:versions?\s+)?(\S+) and later,? (?:but )?(?:prior to|before) (\S+)$/i, (m) => `>= ${m[1]} < ${m[2]}`],
    [/^(?:versions?\s+)?(\S+) (?:through|to) (\S+)$/i, (m) => `>= ${m[1]} <= ${m[2]}`],
    [/^(?:all )?(?:versions? )?(?:prior to|before|older than) (\S+)$/i, (m) => `< ${m[1]}`],
    [/^(?:versions? )?(\S+) and (?:prior|earlier|older|before)$/i, (m) => `<= ${m[1]}`],
    [/^(?:versions? )?(\S+) and (?:later|newer|after)$/i, (m) => `>= ${m[1]}`],
    [/^all versions$/i, () => '*'],
  ];
  for (const [re, f] of rules) {
    const m = re.exec(s);
    if (m) {
      s = f(m);
      break;
    }
  }
  const r = parseRangeText(s);
  if (r.kind === 'undecidable') return { kind: 'unparsed', reason: r.reason };
  // "(Intel Core i5 Intel Core i7 and Intel XEON)" strips to nothing; that is not "all versions"
  if (r.kind === 'all' && !/^\*$|\ball versions\b/i.test(s)) return { kind: 'unparsed', reason: 'no version phrase in the product name' };
  return r;
}
