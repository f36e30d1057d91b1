// Tridium Niagara Fox (TCP 1911; 4911 is the same inside TLS). Fox is text: a header line
// "fox <type> <number> <reply-to> <channel> <command>", then optionally a body "{" … "}" of
// "key=type:value" lines, the message ending with ";;\n". Blob (b:) and object (o:) values carry
// a byte length, "b:44[…]" and "o:bog 61[…]", and may hold newlines. There is no public
// specification; the layout here is the one nmap's fox-info.nse sends and reads.
import type { Message, Parsed } from '../protocol.ts';

export const MAX_MESSAGE = 1 << 20;
const MAX_HEADER = 256;
const MAX_ENTRIES = 4096;
const MAGIC = 'fox ';

export interface FoxHeader {
  /** "a" on the hello exchange (the second token). */
  type: string;
  number: number;
  replyTo: number;
  channel: string;
  command: string;
}

export interface FoxEntry {
  key: string;
  /** Value type letter: s string, i integer, z boolean, b blob, o object, … */
  type: string;
  /** The object's type name for o: values (e.g. "bog"). */
  objectType?: string;
  /** Value text; blob and object values as Latin-1 text of their bytes. */
  value: string;
}

export interface FoxMessage extends Message {
  header: FoxHeader;
  /** Undefined when the message has no "{…}" body. */
  entries?: FoxEntry[];
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

class More {
  constructor(readonly needed: number) {}
}

/** Parses one Fox message; throws nothing (the internal More signal becomes `incomplete`). */
export function parseFox(bytes: Uint8Array): Parsed<FoxMessage> {
  for (let i = 0; i < Math.min(MAGIC.length, bytes.length); i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return { kind: 'not-mine' };
  try {
    return parseAfterMagic(bytes);
  } catch (e) {
    if (e instanceof More) return e.needed > MAX_MESSAGE ? { kind: 'not-mine' } : { kind: 'incomplete', needed: e.needed };
    return { kind: 'not-mine' };
  }
}

/** Index of `byte` before `limit`, stopping early at a newline when `byte` is not one. */
function indexOf(bytes: Uint8Array, byte: number, from: number, limit: number): number {
  const end = Math.min(bytes.length, limit);
  for (let i = from; i < end; i++) {
    if (bytes[i] === byte) return i;
    if (bytes[i] === 0x0a) return -1;
  }
  if (bytes.length < limit) throw new More(bytes.length + 1);
  return -1;
}

function expectText(bytes: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (at + i >= bytes.length) throw new More(at + text.length);
    if (bytes[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

function parseAfterMagic(bytes: Uint8Array): Parsed<FoxMessage> {
  const eol = indexOf(bytes, 0x0a, 0, MAX_HEADER);
  if (eol < 0) return { kind: 'not-mine' };
  const tokens = latin1(bytes, 0, eol).split(' ');
  const anomalies: string[] = [];
  if (tokens.length !== 6 || !/^-?\d+$/.test(tokens[2]) || !/^-?\d+$/.test(tokens[3])) anomalies.push('header-malformed');
  const header: FoxHeader = {
    type: tokens[1] ?? '',
    number: Number.parseInt(tokens[2] ?? '', 10) || 0,
    replyTo: Number.parseInt(tokens[3] ?? '', 10) || 0,
    channel: tokens[4] ?? '',
    command: tokens.slice(5).join(' '),
  };
  let at = eol + 1;
  const m: FoxMessage = { header, anomalies };
  if (expectText(bytes, at, ';;\n')) return { kind: 'done', message: m, consumed: at + 3 };
  if (!expectText(bytes, at, '{\n')) return { kind: 'not-mine' };
  at += 2;
  const entries: FoxEntry[] = [];
  for (;;) {
    if (expectText(bytes, at, '};;\n')) {
      m.entries = entries;
      return { kind: 'done', message: m, consumed: at + 4 };
    }
    if (entries.length >= MAX_ENTRIES || at > MAX_MESSAGE) return { kind: 'not-mine' };
    const line = readEntry(bytes, at);
    if (!line) return { kind: 'not-mine' };
    entries.push(line.entry);
    at = line.next;
  }
}

function readEntry(bytes: Uint8Array, at: number): { entry: FoxEntry; next: number } | undefined {
  const eq = indexOf(bytes, 0x3d, at, at + MAX_HEADER);
  const colon = eq < 0 ? -1 : indexOf(bytes, 0x3a, eq, eq + 16);
  if (eq < 0 || colon < 0) return undefined;
  const key = latin1(bytes, at, eq);
  const type = latin1(bytes, eq + 1, colon);
  if (key.includes('\n') || !/^[a-z]{1,8}$/i.test(type)) return undefined;
  const p = colon + 1;
  if (type === 'b' || type === 'o') {
    // "b:<len>[<len bytes>]" and "o:<type> <len>[<len bytes>]"
    const open = indexOf(bytes, 0x5b, p, p + 64);
    if (open < 0) return undefined;
    const lead = latin1(bytes, p, open);
    const match = type === 'b' ? /^(\d{1,9})$/.exec(lead) : /^(\S+) (\d{1,9})$/.exec(lead);
    if (!match) return undefined;
    const len = Number(type === 'b' ? match[1] : match[2]);
    const end = open + 1 + len;
    if (end + 2 > MAX_MESSAGE) return undefined;
    if (bytes.length < end + 2) throw new More(end + 2);
    if (bytes[end] !== 0x5d || bytes[end + 1] !== 0x0a) return undefined;
    const entry: FoxEntry = { key, type, value: latin1(bytes, open + 1, end) };
    if (type === 'o') entry.objectType = match[1];
    return { entry, next: end + 2 };
  }
  const eol = indexOf(bytes, 0x0a, p, MAX_MESSAGE);
  if (eol < 0) return undefined;
  return { entry: { key, type, value: latin1(bytes, p, eol) }, next: eol + 1 };
}

export function encodeFox(m: FoxMessage): Uint8Array {
  const h = m.header;
  let s = `fox ${h.type} ${h.number} ${h.replyTo} ${h.channel} ${h.command}\n`;
  if (!m.entries) s += ';;\n';
  else {
    s += '{\n';
    for (const e of m.entries) {
      if (e.type === 'b') s += `${e.key}=b:${e.value.length}[${e.value}]\n`;
      else if (e.type === 'o') s += `${e.key}=o:${e.objectType ?? 'bog'} ${e.value.length}[${e.value}]\n`;
      else s += `${e.key}=${e.type}:${e.value}\n`;
    }
    s += '};;\n';
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
