// A keyed permutation of 0 … n-1: a balanced Feistel network over the smallest even-bit domain
// 2^(2h) ≥ n, walked in cycles until the value falls below n (Black & Rogaway, "Ciphers with
// arbitrary finite domains", 2002). Position p of the scan order is `at(p)`; nothing is stored,
// so a /8 costs no memory and a resumed scan recomputes the same order from the key alone.

const ROUNDS = 4;

/** 32-bit integer mix (the murmur3 finaliser), keyed per round. */
function mix(x: number, key: number): number {
  let h = (x ^ key) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Permutation {
  readonly size: number;
  private readonly half: number;
  private readonly mask: number;
  private readonly factor: number;
  private readonly keys: number[];

  /** `size` up to 2^52; `key` any 32-bit integer (the scan's seed). */
  constructor(size: number, key: number) {
    if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** 52) throw new RangeError(`permutation size ${size} out of range`);
    this.size = size;
    let bits = 2;
    while (2 ** bits < size) bits += 2;
    this.half = bits / 2;
    this.factor = 2 ** this.half;
    this.mask = this.factor - 1;
    this.keys = [];
    let k = key >>> 0;
    for (let i = 0; i < ROUNDS; i++) {
      k = mix(k + 0x9e3779b9 * (i + 1), 0x27d4eb2f);
      this.keys.push(k);
    }
  }

  private encrypt(x: number): number {
    let left = Math.floor(x / this.factor);
    let right = x % this.factor;
    for (const k of this.keys) {
      const next = (left ^ (mix(right, k) & this.mask)) >>> 0;
      left = right;
      right = next;
    }
    return left * this.factor + right;
  }

  /** The element at position `p` (0 ≤ p < size). */
  at(p: number): number {
    let x = this.encrypt(p);
    while (x >= this.size) x = this.encrypt(x);
    return x;
  }
}
