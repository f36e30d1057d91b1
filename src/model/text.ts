/**
 * Characters no stored text may hold: NUL (PostgreSQL cannot store it in text; SQLite stops LIKE
 * patterns at it) and UTF-16 surrogates without their pair (not representable in UTF-8).
 */
export const HOSTILE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string or key in `value` holding hostile text, or null. */
export function findHostileText(value: unknown, path = 'input', depth = 0): string | null {
  if (typeof value === 'string') return HOSTILE_TEXT.test(value) ? path : null;
  if (!value || typeof value !== 'object' || depth > 64) return null;
  for (const [k, v] of Object.entries(value)) {
    if (HOSTILE_TEXT.test(k)) return `${path} key`;
    const found = findHostileText(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}
