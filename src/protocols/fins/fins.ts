// Omron FINS. On UDP 9600 a datagram is one FINS frame: a 10-octet header (ICF RSV GCT DNA DA1
// DA2 SNA SA1 SA2 SID), the command code (MRC SRC), for responses the end code (MRES SRES), then
// data (FINS Commands Reference Manual W227 §3). On TCP 9600 each frame is wrapped in the FINS/TCP
// header: "FINS", length, command, error code (CS/CJ Ethernet Units Operation Manual W342 §7-4).
import { ByteReader, ByteWriter, toHex } from '../../wire/index.ts';
import type { DeviceIdentity, Transport } from '../../model/index.ts';
import type { Direction, Fields, Message, Parsed, Protocol } from '../protocol.ts';
import { AREA_NAMES, COMMAND_NAMES, TCP_COMMAND_NAMES } from './names.ts';
import { finsTally } from './tally.ts';
import { FRAME_HEADER, ICF_RESERVED, ICF_RESPONSE, MAGIC, MAX_GCT, MAX_TCP_LENGTH, TCP_HEADER } from './layout.ts';

export interface FinsFrame {
  icf: number;
  rsv: number;
  gct: number;
  dna: number;
  da1: number;
  da2: number;
  sna: number;
  sa1: number;
  sa2: number;
  sid: number;
  /** MRC << 8 | SRC. */
  command: number;
  /** MRES << 8 | SRES, responses only. */
  endCode?: number;
  data: Uint8Array;
}

export interface FinsTcpHeader {
  command: number;
  errorCode: number;
  clientNode?: number;
  serverNode?: number;
  /** Command data this decoder does not take apart. */
  payload?: Uint8Array;
}

export interface FinsMessage extends Message {
  direction: Direction;
  /** The FINS/TCP wrapper; absent for a UDP datagram. */
  tcp?: FinsTcpHeader;
  frame?: FinsFrame;
}

function headerPlausible(bytes: Uint8Array): boolean {
  if (bytes.length >= 1 && bytes[0] & ICF_RESERVED) return false;
  if (bytes.length >= 2 && bytes[1] !== 0) return false;
  if (bytes.length >= 3 && bytes[2] > MAX_GCT) return false;
  return true;
}

function decodeFrame(bytes: Uint8Array): FinsFrame | null {
  if (!headerPlausible(bytes)) return null;
  const r = new ByteReader(bytes);
  const f: FinsFrame = {
    icf: r.u8(),
    rsv: r.u8(),
    gct: r.u8(),
    dna: r.u8(),
    da1: r.u8(),
    da2: r.u8(),
    sna: r.u8(),
    sa1: r.u8(),
    sa2: r.u8(),
    sid: r.u8(),
    command: r.u16be(),
    data: new Uint8Array(0),
  };
  if (f.icf & ICF_RESPONSE) f.endCode = r.u16be();
  if (r.overrun) return null;
  f.data = r.bytesView(r.remaining);
  return f;
}

function frameSize(bytes: Uint8Array): number {
  return bytes.length >= 1 && bytes[0] & ICF_RESPONSE ? FRAME_HEADER + 4 : FRAME_HEADER + 2;
}

function parseTcp(bytes: Uint8Array, direction: Direction): Parsed<FinsMessage> {
  for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== MAGIC[i]) return { kind: 'not-mine' };
  if (bytes.length < 8) return { kind: 'incomplete', needed: TCP_HEADER };
  const r = new ByteReader(bytes);
  r.skip(4);
  const length = r.u32be();
  if (length < 8 || length > MAX_TCP_LENGTH) return { kind: 'not-mine' };
  const total = 8 + length;
  if (bytes.length < total) return { kind: 'incomplete', needed: total };
  const tcp: FinsTcpHeader = { command: r.u32be(), errorCode: r.u32be() };
  const payload = bytes.subarray(TCP_HEADER, total);
  const message: FinsMessage = { anomalies: [], direction, tcp };
  if (tcp.command === 0 && payload.length === 4) tcp.clientNode = new ByteReader(payload).u32be();
  else if (tcp.command === 1 && payload.length === 8) {
    const p = new ByteReader(payload);
    tcp.clientNode = p.u32be();
    tcp.serverNode = p.u32be();
  } else if (tcp.command === 2 && payload.length) {
    const frame = decodeFrame(payload);
    if (frame) message.frame = frame;
    else {
      tcp.payload = payload;
      message.anomalies.push('malformed-fins-frame');
    }
  } else if (payload.length) {
    tcp.payload = payload;
  }
  if (!(tcp.command in TCP_COMMAND_NAMES)) message.anomalies.push('unknown-tcp-command');
  return { kind: 'done', message, consumed: total };
}

function parse(bytes: Uint8Array, direction: Direction): Parsed<FinsMessage> {
  if (bytes.length && bytes[0] === MAGIC[0]) return parseTcp(bytes, direction);
  if (!headerPlausible(bytes)) return { kind: 'not-mine' };
  if (bytes.length < frameSize(bytes)) return { kind: 'incomplete', needed: frameSize(bytes) };
  const frame = decodeFrame(bytes);
  if (!frame) return { kind: 'not-mine' };
  const anomalies: string[] = [];
  if (!(frame.command in COMMAND_NAMES)) anomalies.push('unknown-command');
  return { kind: 'done', message: { anomalies, direction, frame }, consumed: bytes.length };
}

function writeFrame(w: ByteWriter, f: FinsFrame): void {
  w.u8(f.icf).u8(f.rsv).u8(f.gct).u8(f.dna).u8(f.da1).u8(f.da2).u8(f.sna).u8(f.sa1).u8(f.sa2).u8(f.sid).u16be(f.command);
  if (f.icf & ICF_RESPONSE) w.u16be(f.endCode ?? 0);
  w.bytes(f.data);
}

function encode(m: FinsMessage): Uint8Array {
  const w = new ByteWriter(32);
  if (m.tcp) {
    w.bytes(MAGIC).u32be(0).u32be(m.tcp.command).u32be(m.tcp.errorCode);
    if (m.tcp.clientNode !== undefined) w.u32be(m.tcp.clientNode);
    if (m.tcp.serverNode !== undefined) w.u32be(m.tcp.serverNode);
    if (m.frame) writeFrame(w, m.frame);
    if (m.tcp.payload) w.bytes(m.tcp.payload);
    const out = w.finish();
    // The FINS/TCP length counts everything after itself.
    new DataView(out.buffer).setUint32(4, out.length - 8, false);
    return out;
  }
  if (m.frame) writeFrame(w, m.frame);
  return w.finish();
}

const KNOWN_MRC = new Set(Object.keys(COMMAND_NAMES).map((c) => Number(c) >> 8));

function recognize(bytes: Uint8Array, _direction: Direction, transport: Transport): boolean {
  if (transport === 'tcp') {
    for (let i = 0; i < Math.min(4, bytes.length); i++) if (bytes[i] !== MAGIC[i]) return false;
    return true;
  }
  if (!headerPlausible(bytes)) return false;
  return bytes.length < 11 || KNOWN_MRC.has(bytes[10]);
}

/** Fixed-width text fields end at their first NUL (W227 §5-3-3 controller data). */
function cString(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s.trim();
}

function ok(endCode: number | undefined): boolean {
  // MRES bit 7 and SRES bits 6/7 flag relay errors and fatal/non-fatal CPU errors, not failure.
  return endCode !== undefined && (endCode & 0x7f3f) === 0;
}

/** Controller data read response (0501): model and version, 20 octets each, when sent. */
export function controllerData(frame: FinsFrame): { model: string; version: string } | null {
  if (frame.command !== 0x0501 || !(frame.icf & ICF_RESPONSE) || !ok(frame.endCode) || frame.data.length < 40) return null;
  return { model: cString(frame.data.subarray(0, 20)), version: cString(frame.data.subarray(20, 40)) };
}

function frameFields(fr: FinsFrame, f: Fields): void {
  f['omron.icf'] = fr.icf;
  f['omron.rsv'] = fr.rsv;
  f['omron.gct'] = fr.gct;
  f['omron.dna'] = fr.dna;
  f['omron.da1'] = fr.da1;
  f['omron.da2'] = fr.da2;
  f['omron.sna'] = fr.sna;
  f['omron.sa1'] = fr.sa1;
  f['omron.sa2'] = fr.sa2;
  f['omron.sid'] = fr.sid;
  f['omron.command'] = fr.command;
  f['omron.command_name'] = COMMAND_NAMES[fr.command] ?? 'unknown';
  f['omron.response'] = (fr.icf & ICF_RESPONSE) !== 0;
  if (fr.endCode !== undefined) f['omron.response.code'] = fr.endCode;
  const request = !(fr.icf & ICF_RESPONSE);
  if (request && (fr.command === 0x0101 || fr.command === 0x0102 || fr.command === 0x0103) && fr.data.length >= 6) {
    const r = new ByteReader(fr.data);
    const area = r.u8();
    f['omron.memory.area.read'] = area;
    f['omron.memory.area_name'] = AREA_NAMES[area] ?? 'unknown';
    f['omron.memory.address'] = r.u16be();
    f['omron.memory.address.bits'] = r.u8();
    f['omron.memory.numitems'] = r.u16be();
  }
  if (request && fr.command === 0x0401 && fr.data.length >= 3) f['omron.mode_code'] = fr.data[2];
  const cd = controllerData(fr);
  if (cd) {
    f['omron.controller.model'] = cd.model;
    f['omron.controller.version'] = cd.version;
  }
  if (fr.data.length && !cd) f['omron.data'] = toHex(fr.data, 64);
}

function fields(m: FinsMessage): Fields {
  const f: Fields = {};
  if (m.tcp) {
    f['omron.tcp.command'] = m.tcp.command;
    f['omron.tcp.command_name'] = TCP_COMMAND_NAMES[m.tcp.command] ?? 'unknown';
    f['omron.tcp.error_code'] = m.tcp.errorCode;
    if (m.tcp.clientNode !== undefined) f['omron.tcp.client_node_address'] = m.tcp.clientNode;
    if (m.tcp.serverNode !== undefined) f['omron.tcp.server_node_address'] = m.tcp.serverNode;
  }
  if (m.frame) frameFields(m.frame, f);
  return f;
}

function identify(messages: readonly FinsMessage[]): DeviceIdentity | null {
  for (const m of messages) {
    const cd = m.frame ? controllerData(m.frame) : null;
    if (!cd || !cd.model) continue;
    const id: DeviceIdentity = { vendor: 'Omron', product: cd.model, model: cd.model, raw: { controllerModel: cd.model, controllerVersion: cd.version } };
    if (cd.version) id.firmware = cd.version;
    return id;
  }
  return null;
}

export const fins: Protocol<FinsMessage> = {
  name: 'fins',
  endpoints: [
    { transport: 'udp', port: 9600 },
    { transport: 'tcp', port: 9600 },
  ],
  recognize,
  parse: (bytes, direction) => parse(bytes, direction),
  encode,
  identify,
  fields,
  tally: finsTally,
};
