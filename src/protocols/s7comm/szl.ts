// System status lists (SZL, "System Status List" in Siemens' "System Software for S7-300/400
// System and Standard Functions", chapter "SSL-ID W#16#xy11 – Module Identification" and
// "W#16#xy1C – Component Identification"): the records behind nmap's s7-info output.
import { ByteReader } from '../../wire/index.ts';

export interface Szl {
  id: number;
  index: number;
  recordLength: number;
  records: Uint8Array[];
}

/** SZL answer header: id, index, record length, record count; then the records. */
export function decodeSzl(payload: Uint8Array): Szl | null {
  const r = new ByteReader(payload);
  const id = r.u16be();
  const index = r.u16be();
  const recordLength = r.u16be();
  const count = r.u16be();
  if (r.overrun || recordLength === 0) return null;
  const records = r.list(count, (x) => x.bytesView(recordLength), 0xffff, recordLength);
  return r.overrun ? null : { id, index, recordLength, records };
}

function text(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s.trim();
}

export interface ModuleIdentification {
  /** Record index: 1 module, 6 basic hardware, 7 basic firmware, 0x81 boot loader. */
  index: number;
  orderNumber: string;
  moduleType: number;
  /**
   * Records 1 and 6: Ausbg the version of the module, Ausbe the release of its PG description
   * file (Wireshark's s7comm dissector names them so). Record 7: 'V' and the firmware's major
   * release in Ausbg, minor and patch in Ausbe.
   */
  ausbg: number;
  ausbe: number;
}

/** SZL-ID 0x0011 / 0x0111 records of 28 octets. */
export function moduleIdentification(szl: Szl): ModuleIdentification[] {
  if ((szl.id & 0xff) !== 0x11 || szl.recordLength !== 28) return [];
  return szl.records.map((rec) => {
    const r = new ByteReader(rec);
    return { index: r.u16be(), orderNumber: r.ascii(20), moduleType: r.u16be(), ausbg: r.u16be(), ausbe: r.u16be() };
  });
}

/** Firmware of a 'V'-marked record: Ausbg = 'V', major; Ausbe = minor, patch. */
export function firmwareOf(m: ModuleIdentification): string | undefined {
  if (m.ausbg >> 8 !== 0x56) return undefined;
  return `V${m.ausbg & 0xff}.${m.ausbe >> 8}.${m.ausbe & 0xff}`;
}

/** SZL-ID 0x001C component identification record indexes. */
export const COMPONENT_NAMES: Readonly<Record<number, string>> = {
  1: 'automationSystemName',
  2: 'moduleName',
  3: 'plantId',
  4: 'copyright',
  5: 'serial',
  7: 'moduleTypeName',
  8: 'memoryCardSerial',
  9: 'manufacturerAndProfile',
  10: 'oemId',
  11: 'locationId',
};

/** SZL-ID 0x001C / 0x011C records of 34 octets: index and 32 octets of text. */
export function componentIdentification(szl: Szl): Record<string, string> {
  const out: Record<string, string> = {};
  if ((szl.id & 0xff) !== 0x1c || szl.recordLength !== 34) return out;
  for (const rec of szl.records) {
    const index = (rec[0] << 8) | rec[1];
    const name = COMPONENT_NAMES[index];
    // Index 9 holds binary ids (manufacturer 0x002A = Siemens), not text.
    if (!name || index === 9 || index === 10) continue;
    const value = text(rec.subarray(2));
    if (value) out[name] = value;
  }
  return out;
}

/** The product family an order number (MLFB) belongs to, from its product-line digits. */
export function familyOf(orderNumber: string): string | undefined {
  const m = /^6ES7\s?(\d)(\d)(\d)-?\s?(\w{5})/.exec(orderNumber.trim());
  if (!m) return undefined;
  const [, a, b, c, tail] = m;
  const line = `${a}${b}${c}`;
  if (line === '288') return 'S7-200 SMART';
  if (a === '2' && b === '1') return Number(tail[3]) >= 3 ? 'S7-1200' : 'S7-200';
  if (a === '3') return 'S7-300';
  if (a === '4') return 'S7-400';
  if (a === '5' && b === '1') return 'S7-1500';
  if (a === '1' && b === '5') return line === '151' ? 'ET 200S' : 'ET 200';
  return undefined;
}
