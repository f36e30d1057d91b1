// IPv4 and IPv6 addresses as bytes. Text forms: RFC 791 dotted quad (strict, no leading zeros,
// since inet_aton would read `010` as octal), RFC 4291 §2.2 for IPv6 input and RFC 5952 for output.

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** 4 bytes for IPv4, 16 for IPv6, network order. */
  bytes: Uint8Array;
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Strict parse; null for anything that is not exactly one address (no zone ids, brackets, prefixes or spaces). */
export function parseIp(s: string): IpAddress | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > 45) return null;
  if (s.includes(':')) {
    const bytes = parseIpv6(s);
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIpv4(s);
  return bytes ? { family: 4, bytes } : null;
}

function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!DECIMAL_OCTET.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const groups: number[] = [];
  const words = (parts: string[], last: boolean): number[] | null => {
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      // RFC 4291 §2.2 form 3: the low 32 bits may be written as a dotted quad, only at the very end.
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!HEX_GROUP.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const isCompressed = halves.length === 2;
  const h = words(head, !isCompressed);
  const t = words(tail, true);
  if (!h || !t) return null;
  if (isCompressed) {
    // "::" stands for one or more zero groups (RFC 4291 §2.2 form 2), so at most 7 explicit groups.
    if (h.length + t.length > 7) return null;
    groups.push(...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t);
  } else {
    if (h.length !== 8) return null;
    groups.push(...h);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8;
    out[2 * i + 1] = groups[i] & 0xff;
  }
  return out;
}

function isMappedIpv4(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Canonical text: dotted quad, or RFC 5952 (lowercase, longest zero run of ≥2 groups as "::", §5 dotted tail for ::ffff:0:0/96). */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (isMappedIpv4(b)) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[2 * i] << 8) | b[2 * i + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    // RFC 5952 §4.2.3: the longest run wins, the first one on a tie; a single zero group is not compressed.
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** The address in canonical text, or null when `s` is not an address. */
export function normalizeIp(s: string): string | null {
  const ip = parseIp(s);
  return ip ? formatIp(ip) : null;
}

/** The 16-byte IPv6 form: IPv4 becomes ::ffff:a.b.c.d (RFC 4291 §2.5.5.2). */
export function toIpv6Bytes(ip: IpAddress): Uint8Array {
  if (ip.family === 6) return ip.bytes;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(ip.bytes, 12);
  return out;
}

/** ::ffff:a.b.c.d becomes the IPv4 address a.b.c.d; anything else is returned unchanged. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  if (ip.family === 6 && isMappedIpv4(ip.bytes)) return { family: 4, bytes: ip.bytes.slice(12) };
  return ip;
}

/**
 * 32 lowercase hex digits of the 128-bit address (IPv4 mapped into ::ffff:0:0/96). Fixed width, so
 * string order equals numeric order under every collation the stores use (byte, C, en_US: digits and
 * a–f only), which lets range lookups be `start_key <= key AND end_key >= key`.
 */
export function ipKey(ip: IpAddress): string;
export function ipKey(ip: string | IpAddress): string | null;
export function ipKey(ip: IpAddress | string): string | null {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  if (!parsed) return null;
  let out = '';
  for (const byte of toIpv6Bytes(parsed)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The address an ipKey was made from (IPv4 again for ::ffff:0:0/96 keys); null for a malformed key. */
export function ipFromKey(key: string): IpAddress | null {
  if (!/^[0-9a-f]{32}$/.test(key)) return null;
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(key.slice(2 * i, 2 * i + 2), 16);
  return unmapIpv4({ family: 6, bytes });
}

/** Numeric order over the common 128-bit space (same order as ipKey). */
export function compareIp(a: IpAddress, b: IpAddress): number {
  const x = toIpv6Bytes(a);
  const y = toIpv6Bytes(b);
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** IPv4 address as an unsigned 32-bit integer; null when `ip` is not IPv4 (mapped IPv6 counts). */
export function ipv4ToInt(ip: string | IpAddress): number | null {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  if (!parsed) return null;
  const v4 = unmapIpv4(parsed);
  if (v4.family !== 4) return null;
  const b = v4.bytes;
  return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
}

/** Dotted quad for an integer in 0 … 2^32-1; throws RangeError outside it (a programming error, not input). */
export function intToIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not an IPv4 integer: ${n}`);
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
