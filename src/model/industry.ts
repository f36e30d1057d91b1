// GB/T 4754-2017 国民经济行业分类: section (门类, letter A–T) → division (大类, 2 digits) →
// group (中类, 3 digits) → class (小类, 4 digits). Codes are written with or without the section
// letter: "C", "38" / "C38", "381" / "C381", "3811" / "C3811".
//
// The reference data holds the 20 sections and 97 divisions only, so a group or class is checked
// as far as its division: "3811" is accepted because division 38 exists, though whether group 381
// and class 3811 exist is not known here, and `name` is then the division's name.
import { readFileSync } from 'node:fs';

export interface IndustryDivision {
  code: string;
  name: string;
}

export interface IndustrySection {
  code: string;
  name: string;
  divisions: IndustryDivision[];
}

export type IndustryLevel = 'section' | 'division' | 'group' | 'class';

export type IndustryCodeResult =
  | {
      ok: true;
      /** Canonical form: section letter plus digits, e.g. "C3811". */
      code: string;
      level: IndustryLevel;
      section: string;
      sectionName: string;
      /** Two digits; null for a bare section. */
      division: string | null;
      /** Name of the finest level the data knows: the section's, or the division's for divisions, groups and classes. */
      name: string;
    }
  | { ok: false; reason: string };

const DATA_URL = new URL('../../reference/industry/gbt4754-2017-sections-divisions.json', import.meta.url);

let sections: IndustrySection[] | null = null;
let divisionIndex: Map<string, { section: IndustrySection; division: IndustryDivision }> | null = null;

/** The 20 sections with their divisions, as the standard lists them. Read once, on first use. */
export function industrySections(): readonly IndustrySection[] {
  if (!sections) {
    const data = JSON.parse(readFileSync(DATA_URL, 'utf8')) as { sections: IndustrySection[] };
    sections = data.sections;
    divisionIndex = new Map();
    for (const section of sections) {
      for (const division of section.divisions) divisionIndex.set(division.code, { section, division });
    }
  }
  return sections;
}

// Group codes add a digit 1–9 to the division (0 would repeat the division); class codes add 0–9,
// where 0 marks a group that is not subdivided (e.g. 0190 其他农业).
const SHAPE = /^([A-T])?([0-9]{2})?([1-9])?([0-9])?$/;

export function validateIndustryCode(s: string): IndustryCodeResult {
  if (typeof s !== 'string') return { ok: false, reason: 'not a string' };
  const upper = s.replace(/[a-z]/g, (c) => c.toUpperCase());
  const m = SHAPE.exec(upper);
  // The regex lets a group digit appear without a division, or a class digit without a group; refuse both.
  if (!m || s === '' || (!m[2] && (m[3] || m[4])) || (m[4] && !m[3])) {
    return { ok: false, reason: `"${s}" is not a GB/T 4754-2017 code (letter, 2, 3 or 4 digits, optionally after the letter)` };
  }
  const [, letter, division, group, klass] = m;
  const all = industrySections();
  if (!division) {
    const section = all.find((x) => x.code === letter);
    if (!section) return { ok: false, reason: `no section ${letter}` };
    return { ok: true, code: section.code, level: 'section', section: section.code, sectionName: section.name, division: null, name: section.name };
  }
  const hit = divisionIndex!.get(division);
  if (!hit) return { ok: false, reason: `no division ${division} in GB/T 4754-2017` };
  if (letter && letter !== hit.section.code) {
    return { ok: false, reason: `division ${division} belongs to section ${hit.section.code}, not ${letter}` };
  }
  const digits = division + (group ?? '') + (klass ?? '');
  return {
    ok: true,
    code: hit.section.code + digits,
    level: klass ? 'class' : group ? 'group' : 'division',
    section: hit.section.code,
    sectionName: hit.section.name,
    division,
    name: hit.division.name,
  };
}

/** Name of a code's finest known level (see validateIndustryCode), or null for an invalid code. */
export function industryName(code: string): string | null {
  const r = validateIndustryCode(code);
  return r.ok ? r.name : null;
}
