import { randomFillSync } from 'node:crypto';

// Time-ordered identifiers (48-bit milliseconds + 80 random bits, Crockford base32, like ULID),
// so rows created later sort later on every dialect without an autoincrement column.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Ingest makes thousands of ids per batch: draw randomness from a pool, not one syscall per id.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

export function newId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[pool[poolAt++] & 31];
  return time + rand;
}
