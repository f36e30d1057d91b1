// The 18-character unified social credit code (统一社会信用代码), GB 32100-2015:
//   position 1      registration authority (登记管理部门代码), e.g. 9 = market regulation (工商)
//   position 2      organisation category (机构类别代码), e.g. 1 = enterprise
//   positions 3–8   registration authority's administrative division code (GB/T 2260, 6 digits)
//   positions 9–17  subject identifier = the GB 11714 organisation code, itself ending in a check character
//   position 18     check character over positions 1–17 (GB 32100-2015 §5, ISO 7064 MOD 31-3 style)

/** GB 32100-2015 Table 2: digits and upper-case letters without I, O, Z, S, V; a character's value is its index. */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

// W_i = 3^(i-1) mod 31, GB 32100-2015 §5.
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeResult =
  | {
      ok: true;
      /** Upper-cased input. */
      code: string;
      /** Positions 3–8. */
      regionCode: string;
      registrationAuthority: string;
      organizationCategory: string;
      /** Positions 9–17. */
      organizationCode: string;
      /**
       * Whether positions 9–17 also pass the GB 11714 check. Reported, not enforced: the standard's
       * check character is position 18, and refusing a registered enterprise over the inner code
       * would be worse than accepting it.
       */
      organizationCodeValid: boolean;
    }
  | { ok: false; reason: string };

/** The check character for the first 17 characters, or null when they are not 17 charset characters. */
export function creditCodeCheckChar(first17: string): string | null {
  if (typeof first17 !== 'string' || first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_CHARSET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  // C18 = 31 - MOD(Σ Ci·Wi, 31); a result of 31 is written as 0.
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31];
}

// GB 11714-1997 §5: values 0–9 then A=10 … Z=35; weights 3 7 9 10 5 8 4 2; C9 = 11 - MOD(Σ, 11), 10 → X, 11 → 0.
const ORG_VALUES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

function organizationCheckChar(body8: string): string | null {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const v = ORG_VALUES.indexOf(body8[i]);
    if (v < 0) return null;
    sum += v * ORG_WEIGHTS[i];
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function validateCreditCode(s: string): CreditCodeResult {
  if (typeof s !== 'string') return { ok: false, reason: 'not a string' };
  if (s.length !== 18) return { ok: false, reason: `length ${s.length}, expected 18 characters` };
  // ASCII only: String#toUpperCase would turn "ﬀ" into "FF" and change the length.
  const code = s.replace(/[a-z]/g, (c) => c.toUpperCase());
  for (let i = 0; i < 18; i++) {
    if (!CREDIT_CODE_CHARSET.includes(code[i])) {
      return { ok: false, reason: `character "${s[i]}" at position ${i + 1} is not in the GB 32100 charset (no I, O, Z, S, V)` };
    }
  }
  const regionCode = code.slice(2, 8);
  if (!/^[0-9]{6}$/.test(regionCode)) return { ok: false, reason: `positions 3–8 must be a 6-digit region code, got "${regionCode}"` };
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (expected !== code[17]) return { ok: false, reason: `check character is "${code[17]}", expected "${expected}"` };
  const organizationCode = code.slice(8, 17);
  return {
    ok: true,
    code,
    regionCode,
    registrationAuthority: code[0],
    organizationCategory: code[1],
    organizationCode,
    organizationCodeValid: organizationCheckChar(organizationCode.slice(0, 8)) === organizationCode[8],
  };
}

/**
 * For fixtures: pads `prefix` (up to 17 characters, e.g. "91360100" or "91360100MA35XYZ")
 * with zeros to 16, adds the GB 11714 check character when position 17 is missing, then the
 * GB 32100 check character. Throws on characters outside the charset: callers are tests.
 */
export function makeCreditCode(prefix: string): string {
  const upper = prefix.replace(/[a-z]/g, (c) => c.toUpperCase());
  if (upper.length > 17) throw new RangeError(`credit code prefix longer than 17: ${prefix}`);
  let first17 = upper.padEnd(16, '0');
  if (first17.length === 16) first17 += organizationCheckChar(first17.slice(8, 16)) ?? '';
  const check = creditCodeCheckChar(first17);
  if (check === null) throw new RangeError(`credit code prefix has characters outside the GB 32100 charset: ${prefix}`);
  return first17 + check;
}
