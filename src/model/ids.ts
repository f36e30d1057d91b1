import { randomFillSync } from 'node:crypto';

// Time-ordered identifiers (48-bit milliseconds + 80 random bits, Crockford base32, like ULID),
// so rows created later sort later on every dialect without an autoincrement column.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

// Ingest makes thousands of ids per batch: draw randomness from a pool, not one syscall per id.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

// Ids made in the same millisecond share their time half: it is encoded once per millisecond, and
// each id is one string made from character codes rather than 26 concatenations.
let lastTime = NaN;
let lastPrefix = '';

function timePrefix(now: number): string {
  if (now === lastTime) return lastPrefix;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  lastTime = now;
  lastPrefix = time;
  return time;
}

export function newId(now = Date.now()): string {
  const time = timePrefix(now);
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const p = pool;
  const i = poolAt;
  poolAt += 16;
  return (
    time +
    String.fromCharCode(
      CODES[p[i] & 31], CODES[p[i + 1] & 31], CODES[p[i + 2] & 31], CODES[p[i + 3] & 31],
      CODES[p[i + 4] & 31], CODES[p[i + 5] & 31], CODES[p[i + 6] & 31], CODES[p[i + 7] & 31],
      CODES[p[i + 8] & 31], CODES[p[i + 9] & 31], CODES[p[i + 10] & 31], CODES[p[i + 11] & 31],
      CODES[p[i + 12] & 31], CODES[p[i + 13] & 31], CODES[p[i + 14] & 31], CODES[p[i + 15] & 31],
    )
  );
}
