// IEEE 1815-2012 §4.2.2: application fragments = APCI (control, function code, IIN on responses)
// then object headers (group, variation, qualifier, range) each followed by its objects.
import { ByteReader, LIMITS } from '../../wire/index.ts';
import { APPLICATION_FUNCTIONS, DEVICE_ATTRIBUTES, HEADER_ONLY_REQUESTS, IIN_FLAGS, isResponse, objectSize } from './catalog.ts';

export interface ApplicationControl {
  first: boolean;
  final: boolean;
  confirm: boolean;
  unsolicited: boolean;
  sequence: number;
}

export interface ObjectHeader {
  group: number;
  variation: number;
  qualifier: number;
  /** Object prefix code, qualifier bits 4..6 (§4.2.2.7.3.2). */
  prefixCode: number;
  /** Range specifier code, qualifier bits 0..3 (§4.2.2.7.3.3). */
  rangeCode: number;
  start?: number;
  stop?: number;
  /** Number of objects the range names (0 for "all objects", range code 6). */
  count: number;
  /** Group 0 attributes decoded from a response: variation → text or number. */
  attribute?: { name: string; value: string | number };
  /** Group 12 variation 1 control relay output blocks (§A.12.1), the commands an operator sends. */
  crob?: ControlRelayOutputBlock[];
  /** Group 70 variation 3 file commands (§A.23.3): the file opened or deleted and the mode. */
  files?: Array<{ name: string; mode: number }>;
}

export interface ControlRelayOutputBlock {
  index?: number;
  /** Operation type, control code bits 0..3: 0 NUL, 1 PULSE_ON, 2 PULSE_OFF, 3 LATCH_ON, 4 LATCH_OFF. */
  operation: number;
  queue: boolean;
  clear: boolean;
  /** Trip-close code, bits 6..7: 0 NUL, 1 CLOSE, 2 TRIP. */
  tripClose: number;
  count: number;
  onTime: number;
  offTime: number;
  status: number;
}

export interface ApplicationFragment {
  control: ApplicationControl;
  function: number;
  functionName: string;
  /** IIN1 << 8 | IIN2, responses only. */
  iin?: number;
  iinFlags?: string[];
  objects: ObjectHeader[];
  /** Everything after the APCI: object headers and their data, kept so encode restores it. */
  objectBytes: Uint8Array;
}

export const MAX_FRAGMENT = 1 << 16;
const MAX_HEADERS = 1024;

export function parseFragment(bytes: Uint8Array, anomalies: string[]): ApplicationFragment | undefined {
  const r = new ByteReader(bytes);
  const ac = r.u8();
  const fc = r.u8();
  if (r.overrun) {
    anomalies.push('application-truncated');
    return undefined;
  }
  const frag: ApplicationFragment = {
    control: {
      first: (ac & 0x80) !== 0,
      final: (ac & 0x40) !== 0,
      confirm: (ac & 0x20) !== 0,
      unsolicited: (ac & 0x10) !== 0,
      sequence: ac & 0x0f,
    },
    function: fc,
    functionName: APPLICATION_FUNCTIONS[fc] ?? 'unknown',
    objects: [],
    objectBytes: new Uint8Array(0),
  };
  if (!APPLICATION_FUNCTIONS[fc]) anomalies.push('unknown-function-code');
  if (isResponse(fc)) {
    const iin = r.u16be();
    if (r.overrun) {
      anomalies.push('application-truncated');
      return frag;
    }
    frag.iin = iin;
    frag.iinFlags = IIN_FLAGS.filter((_, i) => (iin & (1 << (i < 8 ? i + 8 : i - 8))) !== 0);
  }
  frag.objectBytes = bytes.slice(r.offset);
  walkObjects(r, fc, frag.objects, anomalies);
  return frag;
}

/**
 * Whether the object headers and objects of a fragment with function `fc` at bytes[start, end)
 * walk without an anomaly, walked as parseFragment walks them (the summary's tally counts only
 * fragments that parse cleanly).
 */
export function objectsWalkCleanly(bytes: Uint8Array, start: number, end: number, fc: number): boolean {
  const anomalies: string[] = [];
  walkObjects(new ByteReader(bytes, start, end), fc, [], anomalies);
  return anomalies.length === 0;
}

function walkObjects(r: ByteReader, fc: number, out: ObjectHeader[], anomalies: string[]): void {
  const headerOnly = !isResponse(fc) && HEADER_ONLY_REQUESTS.has(fc);
  while (r.remaining > 0) {
    if (out.length >= MAX_HEADERS) {
      anomalies.push('too-many-object-headers');
      return;
    }
    const group = r.u8();
    const variation = r.u8();
    const qualifier = r.u8();
    const h: ObjectHeader = { group, variation, qualifier, prefixCode: (qualifier >>> 4) & 0x07, rangeCode: qualifier & 0x0f, count: 0 };
    switch (h.rangeCode) {
      case 0:
      case 3:
        h.start = r.u8();
        h.stop = r.u8();
        break;
      case 1:
      case 4:
        h.start = r.u16le();
        h.stop = r.u16le();
        break;
      case 2:
      case 5:
        h.start = r.u32le();
        h.stop = r.u32le();
        break;
      case 6:
        break;
      case 7:
      case 0xb:
        h.count = r.u8();
        break;
      case 8:
        h.count = r.u16le();
        break;
      case 9:
        h.count = r.u32le();
        break;
      default:
        out.push(h);
        anomalies.push('unknown-range-code');
        return;
    }
    if (h.start !== undefined && h.stop !== undefined) {
      if (h.stop < h.start) {
        out.push(h);
        anomalies.push('range-stop-before-start');
        return;
      }
      h.count = h.stop - h.start + 1;
    }
    if (r.overrun) {
      anomalies.push('object-header-truncated');
      return;
    }
    out.push(h);
    if (headerOnly || h.rangeCode === 6) continue;
    if (!skipObjects(r, h, anomalies)) return;
  }
}

const PREFIX_SIZE = [0, 1, 2, 4, 1, 2, 4, 0];

/** Steps over the objects after a header; false when it cannot and walking must stop. */
function skipObjects(r: ByteReader, h: ObjectHeader, anomalies: string[]): boolean {
  if (h.count > LIMITS.maxItems || h.count > r.remaining * 8) {
    anomalies.push('object-count-too-large');
    return false;
  }
  // Once one header's range has held a 32-bit value past the small integers, V8 keeps the range
  // fields of every header as doubles, and count (stop - start + 1) arrives as a heap number even
  // for a range of 0..0. From here it is at most LIMITS.maxItems, so `| 0` is the same value as a
  // small integer, and the reader's offset, advanced by it, stays one: as a heap number it made
  // every later read of the reader deoptimize ("not a Smi" in ByteReader.has and u8).
  const count = h.count | 0;
  const prefix = PREFIX_SIZE[h.prefixCode];
  if (h.prefixCode === 7) {
    anomalies.push('unknown-prefix-code');
    return false;
  }
  // Prefix codes 4..6 carry each object's size, so any object can be stepped over (§4.2.2.7.3.2).
  if (h.prefixCode >= 4) {
    for (let i = 0; i < count; i++) {
      const size = prefix === 1 ? r.u8() : prefix === 2 ? r.u16le() : r.u32le();
      const object = r.sub(size);
      if (r.overrun) break;
      if (h.group === 70 && h.variation === 3) (h.files ??= []).push(fileCommand(object));
    }
    return checkOverrun(r, anomalies);
  }
  const size = objectSize(h.group, h.variation);
  switch (size.kind) {
    case 'none':
      return true;
    case 'bits':
      if (prefix) {
        for (let i = 0; i < count && !r.overrun; i++) r.skip(prefix + 1);
      } else r.skip(Math.ceil((count * size.bits) / 8));
      return checkOverrun(r, anomalies);
    case 'bytes':
      if (h.group === 12 && h.variation === 1) {
        h.crob = [];
        for (let i = 0; i < count && !r.overrun; i++) h.crob.push(readCrob(r, prefix));
        if (r.overrun) h.crob.pop();
      } else r.skip(count * (prefix + size.size));
      return checkOverrun(r, anomalies);
    case 'attribute':
      for (let i = 0; i < count && !r.overrun; i++) {
        r.skip(prefix);
        const type = r.u8();
        const len = r.u8();
        const value = r.bytesView(len);
        const name = DEVICE_ATTRIBUTES[h.variation];
        if (name && !r.overrun) h.attribute = { name, value: attributeValue(type, value) };
      }
      return checkOverrun(r, anomalies);
    case 'unknown':
      anomalies.push('unknown-object-size');
      return false;
  }
}

/** g70v3: name offset and size (offset counts from the object's start), then fixed fields, then the name. */
function fileCommand(o: ByteReader): { name: string; mode: number } {
  const start = o.offset;
  const end = start + o.remaining;
  const nameOffset = o.u16le();
  const nameSize = o.u16le();
  o.skip(6 + 2 + 4 + 4); // time of creation, permissions, authentication key, file size
  const mode = o.u16le();
  let name = '';
  for (let i = start + nameOffset; i < Math.min(end, start + nameOffset + nameSize); i++) name += String.fromCharCode(o.bytes[i]);
  return { name, mode };
}

function readCrob(r: ByteReader, prefix: number): ControlRelayOutputBlock {
  const index = prefix === 1 ? r.u8() : prefix === 2 ? r.u16le() : prefix === 4 ? r.u32le() : undefined;
  const code = r.u8();
  const block: ControlRelayOutputBlock = {
    operation: code & 0x0f,
    queue: (code & 0x10) !== 0,
    clear: (code & 0x20) !== 0,
    tripClose: code >>> 6,
    count: r.u8(),
    onTime: r.u32le(),
    offTime: r.u32le(),
    status: r.u8(),
  };
  if (index !== undefined) block.index = index;
  return block;
}

function checkOverrun(r: ByteReader, anomalies: string[]): boolean {
  if (!r.overrun) return true;
  anomalies.push('object-data-truncated');
  return false;
}

/** §A.1: attribute data types 1 = VSTR (visible string), 2 = UINT, 3 = INT (little-endian). */
function attributeValue(type: number, v: Uint8Array): string | number {
  if ((type === 2 || type === 3) && v.length <= 4) {
    let n = 0;
    for (let i = v.length - 1; i >= 0; i--) n = n * 256 + v[i];
    if (type === 3 && v.length > 0 && v[v.length - 1] & 0x80) n -= 2 ** (8 * v.length);
    return n;
  }
  let s = '';
  for (const b of v) if (b !== 0) s += String.fromCharCode(b);
  return s;
}

export function encodeFragment(f: ApplicationFragment): Uint8Array {
  const c = f.control;
  const head = [
    (c.first ? 0x80 : 0) | (c.final ? 0x40 : 0) | (c.confirm ? 0x20 : 0) | (c.unsolicited ? 0x10 : 0) | (c.sequence & 0x0f),
    f.function & 0xff,
  ];
  if (isResponse(f.function)) head.push(((f.iin ?? 0) >>> 8) & 0xff, (f.iin ?? 0) & 0xff);
  const out = new Uint8Array(head.length + f.objectBytes.length);
  out.set(head);
  out.set(f.objectBytes, head.length);
  return out;
}
