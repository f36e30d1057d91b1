// Test and fixture helper: hex`0000 0000 0006 01 01` → bytes (whitespace and comments ignored).
export function hex(strings: TemplateStringsArray | string, ...values: unknown[]): Uint8Array {
  const text = typeof strings === 'string' ? strings : String.raw({ raw: strings }, ...values);
  const clean = text.replace(/#[^\n]*/g, '').replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2) throw new Error('odd number of hex digits');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array, max = Infinity): string {
  let s = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}
