// Passive analysis: every TCP direction and UDP datagram is matched to a protocol by its content
// (the registry's `recognize`, confirmed by `parse`; the server's well-known port breaks ties, and
// on it a protocol's own parse stands in when its recogniser declines), then fed to that
// protocol's `parse`, one PDU at a time, with a FlowState per direction. A sink that only counts
// (the summary) has the PDUs of protocols with a `tally` counted in place instead, without parse.
import { CaptureSession, L3, type CapturePacket, type Flow, type FlowEndReason, type FlowHandler, type Frame } from '../capture/index.ts';
import { TALLY_PARSE, type Direction, type FlowState, type Message, type Parsed, type PduTally, type Protocol, type Tally } from '../protocols/index.ts';
import { LLC_PROTOCOLS, MSTP_NPDU_FRAMES, MSTP_PROTOCOL } from './llc.ts';

/** Largest partial PDU held per direction while waiting for the rest of it. */
export const MAX_PENDING_PDU = 1 << 20;
/** Partial PDUs held by all flows together; past it a new partial PDU is dropped (resync). */
export const MAX_PENDING_TOTAL = 64 * 1024 * 1024;
/** A reassembly buffer larger than this is released once it is empty. */
const KEEP_BUFFER = 64 * 1024;
/** Segments of a direction tried for recognition before the flow is left undecoded. */
const RECOGNITION_TRIES = 8;

/** One decoded message. The object is reused: read it during the callback. */
export interface MessageEvent {
  /** Frame number that completed the PDU. */
  frame: number;
  tsSec: number;
  tsNsec: number;
  /** The TCP/UDP flow, or null for a frame without IP (a BACnet NPDU over 802.2 LLC). */
  flow: Flow<FlowApp> | null;
  /** 0 = the flow's A→B, 1 = B→A. */
  dir: number;
  direction: Direction;
  protocol: Protocol;
  message: Message;
}

export interface AnalyzerSink {
  message(e: MessageEvent): void;
  /** A flow's analysis is over (closed, idle, evicted or end of capture). */
  flowEnd?(flow: Flow<FlowApp>, reason: FlowEndReason): void;
  /** Present on a sink that counts: PDUs of protocols with a tally are counted through it. */
  readonly counter?: PduCounter;
}

/** What a counting sink keeps for one protocol on one transport (the summary's plan). */
export interface CountPlan {
  readonly name: string;
}

/**
 * A sink's counting side: the analyzer picks a plan per flow once, selects it before a segment's
 * PDUs are tallied into this Tally, and reports each tallied PDU with the frame that completed it.
 */
export interface PduCounter extends Tally {
  plan(protocol: Protocol, transport: 'tcp' | 'udp'): CountPlan;
  select(plan: CountPlan): void;
  /** flow is null for a frame without IP (802.2 LLC, MS/TP). */
  counted(plan: CountPlan, flow: Flow<FlowApp> | null, dir: number, frame: number): void;
}

interface DirState {
  state: FlowState;
  /** Bytes of an unfinished PDU (copied), buf[0, len). */
  buf: Uint8Array | null;
  len: number;
  tries: number;
}

/** What the analyzer keeps per flow (Flow.app). */
export interface FlowApp {
  protocol: Protocol | null;
  /** The protocol's tally when the sink counts, with the sink's plan for it; else null. */
  tally: PduTally | null;
  plan: CountPlan | null;
  /** Which endpoint is the server: 0 = A, 1 = B. */
  server: number;
  dirs: [DirState, DirState];
  /** Owner data, e.g. the summary's conversation rows per direction. */
  tag: [unknown, unknown];
  /** Frame last counted per direction (for per-frame statistics). */
  lastFrame: [number, number];
  /** The protocol is one of the server port's (else it was chosen by content alone). */
  byPort: boolean;
  /** Whether each direction's first bytes were checked against the protocol. */
  checked: [boolean, boolean];
}

function newDir(): DirState {
  return { state: {}, buf: null, len: 0, tries: 0 };
}

export class Analyzer implements FlowHandler<FlowApp> {
  readonly session: CaptureSession<FlowApp>;
  private readonly event: MessageEvent;
  private readonly tcpPorts = new Map<number, Protocol[]>();
  private readonly udpPorts = new Map<number, Protocol[]>();
  private readonly byName: Map<string, Protocol>;
  private readonly counter: PduCounter | null;
  packets = 0;
  messages = 0;
  /** Bytes of unfinished PDUs held by all flows. */
  pendingTotal = 0;

  constructor(
    private readonly protocols: readonly Protocol[],
    private readonly sink: AnalyzerSink,
  ) {
    this.session = new CaptureSession<FlowApp>(this);
    this.counter = sink.counter ?? null;
    this.byName = new Map(protocols.map((p) => [p.name, p]));
    for (const p of protocols) {
      for (const e of p.endpoints) {
        const m = e.transport === 'tcp' ? this.tcpPorts : this.udpPorts;
        const list = m.get(e.port) ?? [];
        list.push(p);
        m.set(e.port, list);
      }
    }
    for (const p of protocols) parsePdu(p, NO_BYTES, 'to-server', {});
    // No bytes are incomplete or not-mine for every tally: nothing is counted.
    if (this.counter) for (const p of protocols) if (p.tally) tallyPdu(p.tally, NO_BYTES, 0, 0, 'to-server', this.counter, {});
    this.event = { frame: 0, tsSec: 0, tsNsec: 0, flow: null, dir: 0, direction: 'to-server', protocol: protocols[0], message: null as unknown as Message };
  }

  /** Feed one captured packet (the object may be reused by the reader afterwards). */
  packet(p: CapturePacket): void {
    this.packets++;
    this.session.packetIn(p);
  }

  /** End of input: flush every flow. */
  finish(): void {
    this.session.finish();
  }

  tcpData(flow: Flow<FlowApp>, dir: number, b: Uint8Array, start: number, end: number, frame: number, tsSec: number, tsNsec: number): void {
    const app = flow.app ?? this.init(flow, b, start, end, dir);
    if (app.protocol && !app.checked[dir]) this.confirm(flow, app, dir, b, start, end);
    if (!app.protocol && !this.decide(flow, app, dir, b, start, end)) return;
    const protocol = app.protocol!;
    const ds = app.dirs[dir];
    const direction: Direction = 1 - dir === app.server ? 'to-server' : 'to-client';
    let work = b;
    let pos = start;
    let stop = end;
    const need = ds.len + (end - start);
    if (ds.len > 0 && need > MAX_PENDING_PDU) {
      // Too long to finish: drop the unfinished PDU and try this segment from its start.
      this.drop(ds);
    } else if (ds.len > 0) {
      // The rest of an unfinished PDU: append to what is held and parse from there.
      this.pendingTotal -= ds.len;
      if (ds.buf!.length < need) {
        const bigger = new Uint8Array(Math.min(MAX_PENDING_PDU, Math.max(need, ds.buf!.length * 2)));
        bigger.set(ds.buf!.subarray(0, ds.len));
        ds.buf = bigger;
      }
      ds.buf!.set(b.subarray(start, end), ds.len);
      work = ds.buf!;
      pos = 0;
      stop = need;
      ds.len = 0;
    }
    const tally = app.tally;
    const counter = this.counter;
    if (tally !== null && counter !== null) counter.select(app.plan!);
    while (pos < stop) {
      if (tally !== null && counter !== null) {
        counter.own = false;
        counter.flawed = false;
        const n = tallyPdu(tally, work, pos, stop, direction, counter, ds.state);
        if (n > 0) {
          this.messages++;
          counter.counted(app.plan!, flow, dir, frame);
          pos += n;
          continue;
        }
        if (n !== TALLY_PARSE) {
          if (n < 0 && -n <= MAX_PENDING_PDU) {
            this.keep(ds, work, pos, stop);
            return;
          }
          break;
        }
      }
      const r = parsePdu(protocol, work.subarray(pos, stop), direction, ds.state);
      if (r.kind === 'done' && r.consumed > 0) {
        this.emit(flow, dir, direction, protocol, r.message, frame, tsSec, tsNsec);
        pos += r.consumed;
        continue;
      }
      if (r.kind === 'incomplete' && r.needed <= MAX_PENDING_PDU) {
        this.keep(ds, work, pos, stop);
        return;
      }
      // not-mine (or a PDU too large to hold): resynchronise at the next segment boundary.
      break;
    }
    if (ds.buf !== null && ds.buf.length > KEEP_BUFFER) ds.buf = null;
  }

  tcpGap(flow: Flow<FlowApp>, dir: number): void {
    // The unfinished PDU lost its middle: drop it; parsing restarts at the next segment. The
    // protocol's state for this direction (chunks being joined, fragments being collected) would
    // join bytes across the hole, so it starts afresh too.
    if (!flow.app) return;
    const ds = flow.app.dirs[dir];
    this.drop(ds);
    ds.state = {};
  }

  private drop(ds: DirState): void {
    this.pendingTotal -= ds.len;
    ds.len = 0;
    if (ds.buf !== null && ds.buf.length > KEEP_BUFFER) ds.buf = null;
  }

  udp(flow: Flow<FlowApp>, dir: number, b: Uint8Array, start: number, end: number): void {
    const app = flow.app ?? this.init(flow, b, start, end, dir);
    if (app.protocol && !app.checked[dir]) this.confirm(flow, app, dir, b, start, end);
    if (!app.protocol && !this.decide(flow, app, dir, b, start, end)) return;
    const protocol = app.protocol!;
    const direction: Direction = 1 - dir === app.server ? 'to-server' : 'to-client';
    const ds = app.dirs[dir];
    const p = this.session.packet;
    const frame = p ? p.index : 0;
    let pos = start;
    const tally = app.tally;
    const counter = this.counter;
    if (tally !== null && counter !== null) counter.select(app.plan!);
    while (pos < end) {
      if (tally !== null && counter !== null) {
        counter.own = false;
        counter.flawed = false;
        const n = tallyPdu(tally, b, pos, end, direction, counter, ds.state);
        if (n > 0) {
          this.messages++;
          counter.counted(app.plan!, flow, dir, frame);
          pos += n;
          continue;
        }
        if (n !== TALLY_PARSE) return;
      }
      const r = parsePdu(protocol, b.subarray(pos, end), direction, ds.state);
      if (r.kind !== 'done' || r.consumed <= 0) return;
      this.emit(flow, dir, direction, protocol, r.message, frame, p ? p.tsSec : 0, p ? p.tsNsec : 0);
      pos += r.consumed;
    }
  }

  llc(frame: Frame): void {
    const llc = frame.l3 === L3.MSTP ? (MSTP_NPDU_FRAMES.has(frame.mstpFrameType) ? MSTP_PROTOCOL : undefined) : LLC_PROTOCOLS.get(frame.dsap);
    if (!llc) return;
    const protocol = this.byName.get(llc.name);
    if (!protocol) return;
    const p = this.session.packet;
    const counter = this.counter;
    if (counter !== null && protocol.tally !== undefined) {
      // Counted like a tallied PDU, as a frame without IP (the plan of the protocol over UDP, as for a message).
      const plan = counter.plan(protocol, 'udp');
      counter.select(plan);
      counter.own = false;
      counter.flawed = false;
      if (llc.count(frame.data, frame.payloadOffset | 0, frame.payloadEnd | 0, counter)) {
        counter.own = true;
        this.messages++;
        counter.counted(plan, null, 0, p ? p.index : 0);
        return;
      }
    }
    const message = llc.parse(frame.data.subarray(frame.payloadOffset, frame.payloadEnd));
    this.emit(null, 0, 'to-server', protocol, message, p ? p.index : 0, p ? p.tsSec : 0, p ? p.tsNsec : 0);
  }

  flowEnd(flow: Flow<FlowApp>, reason: FlowEndReason): void {
    if (flow.app) for (const ds of flow.app.dirs) this.drop(ds);
    this.sink.flowEnd?.(flow, reason);
  }

  private emit(flow: Flow<FlowApp> | null, dir: number, direction: Direction, protocol: Protocol, message: Message, frame: number, tsSec: number, tsNsec: number): void {
    const e = this.event;
    e.frame = frame;
    e.tsSec = tsSec;
    e.tsNsec = tsNsec;
    e.flow = flow;
    e.dir = dir;
    e.direction = direction;
    e.protocol = protocol;
    e.message = message;
    this.messages++;
    this.sink.message(e);
  }

  private keep(ds: DirState, work: Uint8Array, pos: number, stop: number): void {
    const n = stop - pos;
    if (this.pendingTotal + n > MAX_PENDING_TOTAL) {
      ds.len = 0;
      return;
    }
    this.pendingTotal += n;
    if (work === ds.buf) {
      ds.buf.copyWithin(0, pos, stop);
    } else {
      if (!ds.buf || ds.buf.length < n) ds.buf = new Uint8Array(Math.max(n, 512));
      ds.buf.set(work.subarray(pos, stop));
    }
    ds.len = n;
  }

  /**
   * Which endpoint serves: the one on a protocol's well-known port when only one is; else the side
   * that did not send the SYN; else the one the sender's content points at; else the lower port.
   */
  private init(flow: Flow<FlowApp>, b: Uint8Array, start: number, end: number, dir: number): FlowApp {
    let server = -1;
    const ports = flow.transport === 'tcp' ? this.tcpPorts : this.udpPorts;
    const aKnown = ports.has(flow.portA);
    const bKnown = ports.has(flow.portB);
    if (bKnown && !aKnown) server = 1;
    else if (aKnown && !bKnown) server = 0;
    else if (flow.initiator >= 0) server = 1 - flow.initiator;
    else {
      // Mid-stream and no port to go by: the sender's content says which way it flows.
      const bytes = b.subarray(start, end);
      for (const p of this.protocols) {
        if (p.recognize(bytes, 'to-server', flow.transport)) {
          server = 1 - dir;
          break;
        }
        if (p.recognize(bytes, 'to-client', flow.transport)) {
          server = dir;
          break;
        }
      }
      if (server < 0) server = flow.portB <= flow.portA ? 1 : 0;
    }
    const app: FlowApp = { protocol: null, tally: null, plan: null, server, dirs: [newDir(), newDir()], tag: [null, null], lastFrame: [0, 0], byPort: false, checked: [false, false] };
    flow.app = app;
    return app;
  }

  /**
   * Both directions must agree: a protocol chosen by content alone (off its ports) from one
   * direction is dropped, and chosen afresh, when the other direction's first bytes are not its.
   */
  private confirm(flow: Flow<FlowApp>, app: FlowApp, dir: number, b: Uint8Array, start: number, end: number): void {
    app.checked[dir] = true;
    if (app.byPort) return;
    const direction: Direction = 1 - dir === app.server ? 'to-server' : 'to-client';
    if (probe(app.protocol!, b.subarray(start, end), direction) !== FIT_NONE) return;
    this.use(flow, app, null);
    app.dirs[1 - dir].tries = 0;
  }

  private use(flow: Flow<FlowApp>, app: FlowApp, protocol: Protocol | null): void {
    app.protocol = protocol;
    const counted = protocol !== null && protocol.tally !== undefined && this.counter !== null;
    app.tally = counted ? protocol.tally! : null;
    app.plan = counted ? this.counter!.plan(protocol, flow.transport) : null;
  }

  /** Picks the flow's protocol from this segment's content; false while undecided. */
  private decide(flow: Flow<FlowApp>, app: FlowApp, dir: number, b: Uint8Array, start: number, end: number): boolean {
    const ds = app.dirs[dir];
    if (ds.tries >= RECOGNITION_TRIES) return false;
    ds.tries++;
    const bytes = b.subarray(start, end);
    const direction: Direction = 1 - dir === app.server ? 'to-server' : 'to-client';
    const serverPort = app.server === 1 ? flow.portB : flow.portA;
    const onPort = (flow.transport === 'tcp' ? this.tcpPorts : this.udpPorts).get(serverPort) ?? [];
    // A candidate must parse the segment as whole PDUs (the last may be unfinished). Off the
    // server's well-known ports it must also recognise the bytes and parse them cleanly, so
    // content alone never claims a flow on a weak match; on its own port a flawed parse is
    // enough, as it is for a port-based dissector. Recognition, then the port, then a clean parse
    // rank the candidates.
    let chosen: Protocol | null = null;
    let chosenRank = 0;
    for (const p of this.protocols) {
      const own = onPort.includes(p);
      const recognized = p.recognize(bytes, direction, flow.transport);
      if (!recognized && !own) continue;
      const fit = probe(p, bytes, direction);
      if (fit === FIT_NONE || (!own && fit !== FIT_CLEAN)) continue;
      const rank = (recognized ? 4 : 0) + (own ? 2 : 0) + (fit === FIT_CLEAN ? 1 : 0);
      if (rank > chosenRank) {
        chosen = p;
        chosenRank = rank;
      }
    }
    this.use(flow, app, chosen);
    app.byPort = chosen !== null && onPort.includes(chosen);
    app.checked[dir] = true;
    return chosen !== null;
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * Every protocol's parse is called from this one site, which the analyzer primes with each of its
 * protocols at construction (parse is total: no bytes give `incomplete` or `not-mine`). Its call
 * feedback is then megamorphic from the first packet, so the optimizing compiler keeps a plain call
 * here instead of inlining the parsers seen so far into tcpData, and does not deoptimize and
 * recompile the analyzer each time the traffic brings another protocol (on the DPI bench that
 * churn cost more CPU than the calls it saved).
 */
function parsePdu(p: Protocol, bytes: Uint8Array, direction: Direction, state: FlowState): Parsed<Message> {
  return p.parse(bytes, direction, state);
}

/** Every tally is called from this one site, like parse (tallies are few and small). */
function tallyPdu(t: PduTally, bytes: Uint8Array, start: number, end: number, direction: Direction, into: Tally, state: FlowState): number {
  return t.count(bytes, start, end, direction, into, state);
}

/** Up to this many PDUs of a first segment are parsed to judge a candidate protocol. */
const PROBE_PDUS = 16;

const FIT_NONE = 0;
/** The first PDU is unfinished, or something in the segment is flawed. */
const FIT_WEAK = 1;
/** At least one whole PDU, all clean, ending on a boundary or in an unfinished PDU. */
const FIT_CLEAN = 2;

/** Where probe's tally calls count: nowhere (only their outcome and `flawed` are read). */
const PROBE_TALLY: Tally = { own: false, flawed: false, add() {}, addText() {} };

/**
 * Parses a segment as consecutive PDUs with scratch state to judge a candidate protocol. A
 * protocol's tally answers first where it can (it gives parse's outcome and whether parse would
 * flag the PDU, and leaves the state as parse would), so a new flow of a tallied protocol is
 * judged without building its messages.
 */
function probe(p: Protocol, bytes: Uint8Array, direction: Direction): number {
  const state: FlowState = {};
  const tally = p.tally;
  let pos = 0;
  let n = 0;
  for (; n < PROBE_PDUS && pos < bytes.length; n++) {
    if (tally !== undefined) {
      PROBE_TALLY.flawed = false;
      const t = tallyPdu(tally, bytes, pos, bytes.length, direction, PROBE_TALLY, state);
      if (t !== TALLY_PARSE) {
        if (t < 0) break;
        if (t === 0) return n === 0 ? FIT_NONE : FIT_WEAK;
        if (PROBE_TALLY.flawed) return FIT_WEAK;
        pos += t;
        continue;
      }
    }
    const r = parsePdu(p, pos === 0 ? bytes : bytes.subarray(pos), direction, state);
    if (r.kind === 'incomplete') break;
    if (r.kind === 'not-mine' || r.consumed <= 0) return n === 0 ? FIT_NONE : FIT_WEAK;
    if (r.message.anomalies.length > 0) return FIT_WEAK;
    pos += r.consumed;
  }
  return n > 0 ? FIT_CLEAN : FIT_WEAK;
}
