// Flows keyed by the 5-tuple without allocating per packet: IPv4 tuples hash to a number and are
// compared field by field; IPv6 addresses are compared byte by byte. The table is bounded: the
// oldest flow is evicted when it is full, and flows idle longer than their timeout are swept as
// capture time passes. Eviction and close go through `onEnd` so the owner can flush its state.
import { IPPROTO_TCP, dstString, srcString, type Frame } from './frame.ts';
import { HeldBudget, TcpStream } from './tcp-stream.ts';

export interface FlowLimits {
  maxFlows: number;
  tcpIdleS: number;
  udpIdleS: number;
  /** Seconds a TCP flow closed by FIN from both sides or by RST stays to absorb late segments. */
  closedLingerS: number;
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = { maxFlows: 100_000, tcpIdleS: 600, udpIdleS: 120, closedLingerS: 30 };
const SWEEP_EVERY_S = 10;

export type FlowEndReason = 'closed' | 'idle' | 'evicted' | 'end-of-capture' | 'reused';

export class Flow<T = unknown> {
  /** Endpoint A is the source of the first packet seen, B its destination. */
  readonly a: string;
  readonly b: string;
  readonly portA: number;
  readonly portB: number;
  readonly transport: 'tcp' | 'udp';
  /** IPPROTO_TCP or IPPROTO_UDP: `transport` as the frame gives it. */
  readonly ipProto: number;
  readonly ipVersion: number;
  readonly firstSeen: number;
  lastSeen: number;
  /** [A→B, B→A] byte streams (TCP only). */
  readonly streams: [TcpStream, TcpStream] | null;
  /** Which side opened the connection with a SYN: 0 = A, 1 = B, -1 unknown. */
  initiator = -1;
  /** Per-flow data of the table's owner. */
  app: T | undefined;
  reset = false;
  /** Hash chain and identity fields (private to the table). */
  next: Flow<T> | null = null;
  readonly hash: number;
  readonly a4: number;
  readonly b4: number;
  readonly a6: Uint8Array | null;
  readonly b6: Uint8Array | null;

  constructor(f: Frame, hash: number, now: number, budget: HeldBudget) {
    this.hash = hash;
    this.ipVersion = f.ipVersion;
    this.a = srcString(f);
    this.b = dstString(f);
    this.portA = f.sport;
    this.portB = f.dport;
    this.transport = f.ipProto === IPPROTO_TCP ? 'tcp' : 'udp';
    this.ipProto = f.ipProto;
    this.a4 = f.src4;
    this.b4 = f.dst4;
    this.a6 = f.ipVersion === 6 ? f.addrBytes.slice(f.src6, f.src6 + 16) : null;
    this.b6 = f.ipVersion === 6 ? f.addrBytes.slice(f.dst6, f.dst6 + 16) : null;
    this.firstSeen = now;
    this.lastSeen = now;
    this.streams = this.transport === 'tcp' ? [new TcpStream(budget), new TcpStream(budget)] : null;
  }
}

/** murmur3's finaliser, kept to 30 bits so a flow's hash is always a small integer. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) & 0x3fffffff;
}

function fold6(b: Uint8Array, o: number): number {
  let h = 0;
  for (let i = 0; i < 16; i += 4) h = mix(h ^ ((b[o + i] << 24) | (b[o + i + 1] << 16) | (b[o + i + 2] << 8) | b[o + i + 3]));
  return h;
}

function same6(x: Uint8Array | null, b: Uint8Array, o: number): boolean {
  if (!x) return false;
  for (let i = 0; i < 16; i++) if (x[i] !== b[o + i]) return false;
  return true;
}

/** 0 when the frame goes A→B of the flow, 1 when B→A, -1 when it is another flow's. */
function direction(fl: Flow, f: Frame): number {
  if (fl.ipProto !== f.ipProto || fl.ipVersion !== f.ipVersion) return -1;
  if (f.ipVersion === 4) {
    if (fl.a4 === f.src4 && fl.b4 === f.dst4 && fl.portA === f.sport && fl.portB === f.dport) return 0;
    if (fl.a4 === f.dst4 && fl.b4 === f.src4 && fl.portA === f.dport && fl.portB === f.sport) return 1;
    return -1;
  }
  if (fl.portA === f.sport && fl.portB === f.dport && same6(fl.a6, f.addrBytes, f.src6) && same6(fl.b6, f.addrBytes, f.dst6)) return 0;
  if (fl.portA === f.dport && fl.portB === f.sport && same6(fl.a6, f.addrBytes, f.dst6) && same6(fl.b6, f.addrBytes, f.src6)) return 1;
  return -1;
}

/** Initial number of hash buckets; doubled whenever the flows outnumber them. */
const MIN_BUCKETS = 1024;

export class FlowTable<T = unknown> {
  /** Chain heads by the low bits of the flow hash (a plain array: no Map lookup per packet). */
  private buckets: (Flow<T> | null)[] = new Array<Flow<T> | null>(MIN_BUCKETS).fill(null);
  private mask = MIN_BUCKETS - 1;
  /** Every flow in creation order (the eviction order when full). */
  private order = new Set<Flow<T>>();
  private lastSweep = -Infinity;
  /** The flow of the previous lookup, while it is in the table. */
  private last: Flow<T> | null = null;
  /** Direction of the last looked-up frame: 0 = A→B, 1 = B→A. */
  dir = 0;
  created = 0;
  /** Out-of-order bytes held by all TCP streams of this table. */
  readonly held = new HeldBudget();
  evicted = 0;

  constructor(
    private readonly onEnd: (flow: Flow<T>, reason: FlowEndReason) => void,
    private readonly limits: FlowLimits = DEFAULT_FLOW_LIMITS,
  ) {}

  get size(): number {
    return this.order.size;
  }

  /** The flow of this TCP/UDP frame, created if new; sets `dir`. */
  lookup(f: Frame, now: number): Flow<T> {
    // Sweeps follow capture time; a clock that jumps back (merged files) restarts the schedule.
    if (now - this.lastSweep >= SWEEP_EVERY_S || now < this.lastSweep - SWEEP_EVERY_S) this.sweep(now);
    // Consecutive frames mostly belong to one conversation: try the last flow before hashing.
    const last = this.last;
    if (last !== null) {
      const dir = direction(last, f);
      if (dir >= 0) return this.hit(last, dir, now);
    }
    const e1 = f.ipVersion === 4 ? f.src4 | 0 : fold6(f.addrBytes, f.src6);
    const e2 = f.ipVersion === 4 ? f.dst4 | 0 : fold6(f.addrBytes, f.dst6);
    // The sum of the endpoints' keys is the same from both directions, so both find one bucket;
    // the chain compares the whole tuple, so colliding sums only cost a longer walk.
    const k1 = (e1 ^ Math.imul(f.sport, 0x9e3779b1)) >>> 0;
    const k2 = (e2 ^ Math.imul(f.dport, 0x9e3779b1)) >>> 0;
    const hash = mix((k1 + k2) ^ Math.imul(k1 ^ k2, 0x27d4eb2d) ^ f.ipProto);
    for (let fl = this.buckets[hash & this.mask]; fl !== null; fl = fl.next) {
      if (fl.hash !== hash) continue;
      const dir = direction(fl, f);
      if (dir >= 0) return this.hit(fl, dir, now);
    }
    if (this.order.size >= this.limits.maxFlows) {
      const oldest = this.order.values().next().value;
      if (oldest) this.end(oldest, 'evicted');
    }
    const flow = new Flow<T>(f, hash, now, this.held);
    this.order.add(flow);
    if (this.order.size > this.buckets.length) this.rehash(this.buckets.length * 2);
    else this.link(flow);
    this.created++;
    this.dir = 0;
    this.last = flow;
    return flow;
  }

  private link(flow: Flow<T>): void {
    const slot = flow.hash & this.mask;
    flow.next = this.buckets[slot];
    this.buckets[slot] = flow;
  }

  private rehash(size: number): void {
    this.buckets = new Array<Flow<T> | null>(size).fill(null);
    this.mask = size - 1;
    for (const fl of this.order) this.link(fl);
  }

  private hit(fl: Flow<T>, dir: number, now: number): Flow<T> {
    fl.lastSeen = now;
    this.last = fl;
    this.dir = dir;
    return fl;
  }

  /** Removes the flow, telling the owner why. */
  end(flow: Flow<T>, reason: FlowEndReason): void {
    if (!this.order.delete(flow)) return;
    if (this.last === flow) this.last = null;
    if (reason === 'evicted' || reason === 'idle') this.evicted++;
    const slot = flow.hash & this.mask;
    const head = this.buckets[slot];
    if (head === flow) {
      this.buckets[slot] = flow.next;
    } else {
      for (let p = head; p !== null; p = p.next) {
        if (p.next === flow) {
          p.next = flow.next;
          break;
        }
      }
    }
    flow.next = null;
    this.onEnd(flow, reason);
  }

  /** Ends flows idle past their timeout. */
  sweep(now: number): void {
    this.lastSweep = now;
    for (const fl of this.order) {
      const closed = fl.reset || (fl.streams !== null && fl.streams[0].finished && fl.streams[1].finished);
      const idle = closed ? this.limits.closedLingerS : fl.transport === 'tcp' ? this.limits.tcpIdleS : this.limits.udpIdleS;
      if (now - fl.lastSeen > idle) this.end(fl, closed ? 'closed' : 'idle');
    }
  }

  /** Ends every flow (end of the capture). */
  endAll(): void {
    for (const fl of [...this.order]) this.end(fl, 'end-of-capture');
  }

  flows(): IterableIterator<Flow<T>> {
    return this.order.values();
  }
}
