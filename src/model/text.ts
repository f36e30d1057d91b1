/**
 * Characters no stored text may hold: NUL (PostgreSQL cannot store it in text; SQLite stops LIKE
 * patterns at it) and UTF-16 surrogates without their pair (not representable in UTF-8).
 */
export const HOSTILE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path of the first string or key in `value` holding hostile text, or null. The path is built
 * on the way back from a find only: request bodies are walked whole (a batch of 1,000 observations
 * has ~15,000 keys), and a path string per key cost more than the walk.
 */
export function findHostileText(value: unknown, path = 'input'): string | null {
  const rest = hostileRest(value, 0);
  return rest === null ? null : path + rest;
}

/** The path below `value` to its first hostile string ('') or key (' key'), or null. */
function hostileRest(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return HOSTILE_TEXT.test(value) ? '' : null;
  if (!value || typeof value !== 'object' || depth > 64) return null;
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (HOSTILE_TEXT.test(k)) return ' key';
    const rest = hostileRest(o[k], depth + 1);
    if (rest !== null) return `.${k}${rest}`;
  }
  return null;
}
