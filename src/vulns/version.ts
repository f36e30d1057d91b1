// Vendor version strings from ICS advisories, parsed into values that compare.
//
// There is no common grammar: Siemens writes `V4.7 SP4 HF2` and `V17 Update 5`, Mitsubishi `1.250L`,
// Rockwell `01.21.000`, WAGO `01.07.13(10)`, XINJE `3.5.0_build220706`, Yokogawa `R3.09.50`,
// Schneider `SV3.70`. The model is a release (dotted numbers, zero padded so `2.9 == 2.9.0`), then
// the qualifiers vendors put after a release, in the order they rank: a letter revision, a
// pre-release marker, service pack, update, hotfix, patch, build; then a tail of anything short
// left over. `V4.7 SP4 HF2 < V4.7 SP5 < V4.8` and `V17 < V17 Update 5 < V18` follow from that order.

export interface Version {
  /** The text as given. */
  readonly raw: string;
  readonly release: readonly number[];
  /** Letter revision glued to the release: `1.250L` → 12, `R16A` → 1 (a = 1). 0 when absent. */
  readonly letter: number;
  /** -1 for alpha/beta/rc builds (they precede the release), 0 otherwise. */
  readonly pre: number;
  readonly sp: number;
  readonly update: number;
  readonly hotfix: number;
  readonly patch: number;
  readonly build: number;
  readonly tail: readonly number[];
  /**
   * WAGO writes firmware as `01.07.13(10)` where the bracketed number is the "FW" level that its
   * advisories compare against (`< FW14`, `<= 10`); kept apart so ranges can use it.
   */
  readonly bracket?: number;
}

const MAX_RELEASE = 8;
const MAX_TAIL = 6;
const MAX_INPUT = 80;

/** Words that say "a version follows" and carry no value of their own. */
const PREFIX = /^(?:firmware|fw|software|sw|version|ver|rev|release|bios|sv|v|r)[\s_.:-]*(?=\d)/i;

type Slot = 'sp' | 'update' | 'hotfix' | 'patch' | 'build' | 'pre';

/** Qualifier keywords, longest first so `update` wins over `u`. */
const QUALIFIERS: readonly [RegExp, Slot][] = [
  [/^service\s*pack/i, 'sp'],
  [/^feature\s*pack/i, 'sp'],
  [/^sp/i, 'sp'],
  [/^fp/i, 'sp'], // feature pack (Siemens SIMATIC PCS neo, Bosch)
  [/^update/i, 'update'],
  [/^upd/i, 'update'],
  [/^cu/i, 'update'], // cumulative update
  [/^tcu/i, 'update'], // Honeywell Experion "R511.5 TCU4 HF4"
  [/^ru/i, 'update'], // roll-up
  [/^u(?=\d)/i, 'update'], // Niagara 4.7u1
  [/^r(?=\d)/i, 'update'], // release level after a version: `9.0 R2`, `13.3.1 R5`
  [/^hotfix/i, 'hotfix'],
  [/^hf/i, 'hotfix'],
  [/^patch/i, 'patch'],
  [/^p(?=\d)/i, 'patch'], // RUGGEDCOM ROS `V3.15 P018`
  [/^build\s*(?:nr\.?|no\.?)?/i, 'build'],
  [/^b(?=\d)/i, 'build'],
  [/^(?:alpha|beta|rc)/i, 'pre'],
];

function letterRank(s: string): number {
  let n = 0;
  for (const ch of s.toLowerCase().slice(0, 3)) n = n * 27 + (ch.charCodeAt(0) - 96);
  return n;
}

/**
 * Parses one vendor version string. Returns null when the text is not a version (a product name,
 * a serial number rule, a wildcard like `3.X.17`); it never throws.
 */
export function parseVersion(input: unknown): Version | null {
  if (typeof input !== 'string') return null;
  let s = input.trim();
  if (s.length === 0 || s.length > MAX_INPUT) return null;
  for (let i = 0; i < 3; i++) {
    const m = PREFIX.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  // Mitsubishi motion-CPU operating systems are versioned by one letter alone (`<=W`)
  if (/^[a-z]$/i.test(s)) return { raw: input.trim(), release: [0], letter: letterRank(s), sp: 0, update: 0, hotfix: 0, patch: 0, build: 0, pre: 0, tail: [] };
  const rel = /^(\d{1,12})((?:\s?\.\s?\d{1,12})*)/.exec(s);
  if (!rel) return null;
  const release = rel[0].split('.').map((p) => Number(p.trim()));
  if (release.length > MAX_RELEASE) return null;
  let rest = s.slice(rel[0].length);
  if (/^(?:\.[x*]|x(?![a-z])|\*)/i.test(rest) && !/^X$/.test(rest)) return null; // wildcard: ranges handle `2.4.x`

  let letter = 0;
  const glued = /^([a-z]{1,2})(?![a-z])/i.exec(rest);
  if (glued && !/^(?:u|p|b|r|sp|hf|fp|cu|ru)\d/i.test(rest)) {
    letter = letterRank(glued[1]);
    rest = rest.slice(glued[0].length);
  }

  const v = { sp: 0, update: 0, hotfix: 0, patch: 0, build: 0, pre: 0 };
  const tail: number[] = [];
  let bracket: number | undefined;
  let guard = 0;
  while (rest.length > 0 && guard++ < 24) {
    const sep = /^[\s_,.\-/]+/.exec(rest);
    if (sep) {
      // a second dotted version after a gap (`V36.011 V35.013`) means a list, not one version
      if (/\s|_/.test(sep[0]) && /^v?\d+\.\d+/i.test(rest.slice(sep[0].length))) return null;
      // `5.1.1-1`, `1.9-40`, `R302-V1`: a number after a dash is a build/revision number
      const dash = /^\s*-\s*v?(\d{1,12})(?![\d.])/i.exec(rest);
      if (dash && v.build === 0 && tail.length === 0) {
        v.build = Number(dash[1]);
        rest = rest.slice(dash[0].length);
        continue;
      }
      rest = rest.slice(sep[0].length);
      continue;
    }
    const paren = /^\(\s*(\d{1,12})\s*\)/.exec(rest);
    if (paren) {
      // WAGO `01.07.13(10)`, Cisco `15.2(6)`: the bracketed number ranks right after the release
      if (v.build === 0) {
        v.build = Number(paren[1]);
        bracket = v.build;
      } else tail.push(Number(paren[1]));
      rest = rest.slice(paren[0].length);
      continue;
    }
    const q = QUALIFIERS.find(([re]) => re.test(rest));
    if (q) {
      const kw = q[0].exec(rest)!;
      rest = rest.slice(kw[0].length);
      const num = /^[\s_.]*(\d{1,12})/.exec(rest);
      const n = num ? Number(num[1]) : 0;
      if (num) rest = rest.slice(num[0].length);
      if (q[1] === 'pre') {
        v.pre = -1;
        tail.push(n);
      } else if (v[q[1]] === 0) v[q[1]] = num ? n : 1;
      else tail.push(n);
      continue;
    }
    const num = /^(\d{1,12})/.exec(rest);
    if (num) {
      tail.push(Number(num[1]));
      rest = rest.slice(num[0].length);
      continue;
    }
    const word = /^([a-z]{1,2})(?![a-z])/i.exec(rest);
    if (word) {
      tail.push(letterRank(word[1]));
      rest = rest.slice(word[0].length);
      continue;
    }
    return null;
  }
  if (rest.length > 0 || tail.length > MAX_TAIL) return null;
  if (release.some((n) => !Number.isSafeInteger(n))) return null;
  const out: Version = { raw: input.trim(), release, letter, ...v, tail };
  return bracket === undefined ? out : { ...out, bracket };
}

function cmpArrays(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Total order over parsed versions: -1, 0 or 1. Allocation-free: it runs per device per range. */
export function compareVersions(a: Version, b: Version): number {
  return (
    cmpArrays(a.release, b.release) ||
    sign(a.letter - b.letter) ||
    sign(a.pre - b.pre) ||
    sign(a.sp - b.sp) ||
    sign(a.update - b.update) ||
    sign(a.hotfix - b.hotfix) ||
    sign(a.patch - b.patch) ||
    sign(a.build - b.build) ||
    cmpArrays(a.tail, b.tail)
  );
}

function sign(d: number): number {
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** The first version of the next line at the release's last position: `2.4` → `2.5`. */
export function nextRelease(v: Version): Version {
  const release = [...v.release];
  release[release.length - 1] += 1;
  return { raw: `${release.join('.')}`, release, letter: 0, pre: 0, sp: 0, update: 0, hotfix: 0, patch: 0, build: 0, tail: [] };
}

/** Canonical text, for reasons and debugging: `4.7 SP4 HF2`. */
export function formatVersion(v: Version): string {
  const parts = [v.release.join('.')];
  if (v.letter) {
    let letters = '';
    for (let n = v.letter; n > 0; n = Math.floor(n / 27)) letters = String.fromCharCode(64 + (n % 27 || 1)) + letters;
    parts[0] += letters;
  }
  if (v.pre) parts.push('pre');
  if (v.sp) parts.push(`SP${v.sp}`);
  if (v.update) parts.push(`Update ${v.update}`);
  if (v.hotfix) parts.push(`HF${v.hotfix}`);
  if (v.patch) parts.push(`P${v.patch}`);
  if (v.build) parts.push(`build ${v.build}`);
  if (v.tail.length) parts.push(v.tail.join('.'));
  return parts.join(' ');
}
