// The summary of one capture in the tshark oracle's shape (schema ics-pcap-oracle/1), so a
// structural diff against reference/corpus/oracle works: per-occurrence histograms of protocol
// fields and directional conversations counted in frames that carry an ICS PDU.
import type { CaptureResult } from '../capture/index.ts';
import type { Flow } from '../capture/index.ts';
import type { AnalyzerSink, CountPlan, FlowApp, MessageEvent, PduCounter } from './analyzer.ts';
import type { FieldValue, Fields, Protocol } from '../protocols/index.ts';
import { FIELD_PREFIXES, HISTOGRAM_FIELDS, HISTOGRAM_GROUPS, conversationName, histogramKey } from './oracle-fields.ts';

export interface ConversationRow {
  src: string;
  dst: string;
  dport: number;
  transport: 'tcp' | 'udp';
  protocol: string;
  frames: number;
}

export type Histograms = Record<string, Record<string, Record<string, number>>>;

export interface CaptureSummary {
  schema: 'ics-pcap-oracle/1';
  file: string;
  capture: { format: string | null; link_types: number[]; issue?: { code: string; offset: number; message: string } };
  packet_count: number;
  /**
   * Frames that carry a protocol's PDU, keyed by tshark's dissector name (mbtcp, s7comm, enip,
   * bvlc, …) as in the oracle's frames_by_protocol, so those keys compare directly.
   */
  frames_by_protocol: Record<string, number>;
  /** Messages decoded, by registry protocol name (a protocol's own unit, not tshark's PDUs). */
  messages_by_protocol: Record<string, number>;
  /** Frames with a decoded message that records anomalies (not tshark's _ws.malformed). */
  frames_with_anomalies: number;
  conversations: ConversationRow[];
  /** ICS frames with no IP header, by protocol (BACnet over 802.2 LLC). */
  ics_frames_without_ip: Record<string, number>;
  [group: string]: unknown;
}

type Value = string | number | boolean;
/**
 * Histogram cell resolved once per field name (the table lookup stays off the hot path). Values
 * are counted under their raw value, turned into the oracle's decimal keys only when built.
 */
type Cell = Counter | null;

/**
 * One histogram's counts. Nearly every value counted is a small code (function, service, type id,
 * unit id), so those go to an array slot; anything else to a map.
 */
class Counter {
  private readonly small = new Float64Array(256);
  private readonly other = new Map<Value, number>();

  add(v: Value): void {
    if (typeof v === 'number' && v >= 0 && v < 256 && (v | 0) === v) this.small[v]++;
    else this.other.set(v, (this.other.get(v) ?? 0) + 1);
  }

  /** add() for the integers a tally counts. */
  addInt(v: number): void {
    if (v >>> 0 < 256) this.small[v]++;
    else this.other.set(v, (this.other.get(v) ?? 0) + 1);
  }

  *entries(): IterableIterator<[Value, number]> {
    for (let v = 0; v < 256; v++) if (this.small[v] > 0) yield [v, this.small[v]];
    yield* this.other;
  }
}

// Each path of Counter's add and addInt taken on a scratch counter before any capture, often
// enough for V8 to have made their feedback vectors (it does so after a few calls): the optimizing
// compiler inlines them into the tallies, and a first value past 255 mid-run (an OPC UA service
// id) would otherwise deoptimize them and every tally they had been inlined into.
{
  const c = new Counter();
  for (let i = 0; i < 16; i++) {
    c.addInt(1);
    c.addInt(256);
    c.add(1);
    c.add(256);
    c.add('MSG');
  }
}

/** How one protocol's messages are counted: the histogram fields it can have, looked up directly. */
interface Plan extends CountPlan {
  /** Registry protocol name. */
  name: string;
  conversation: string;
  /** Messages counted under this plan (by protocol and transport). */
  messages: number;
  /** Frames counted for the conversation protocol (frames_by_protocol), summed by name when built. */
  frames: number;
  /** ICS frames without IP (ics_frames_without_ip). */
  withoutIp: number;
  /** null when the protocol has no entry in FIELD_PREFIXES: every field is walked instead. */
  lookups: { field: string; cell: Counter; marker: boolean }[] | null;
  /** The cells of the protocol's tally fields, by index (empty without a tally). */
  cells: Counter[];
}

function count(cell: Counter, v: FieldValue): void {
  if (typeof v === 'number') cell.add(v);
  else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) cell.add(v[i]);
  } else {
    cell.add(v as Value);
  }
}

export class SummaryBuilder implements AnalyzerSink, PduCounter {
  /** The summary counts tallied PDUs itself (see Analyzer). */
  readonly counter: PduCounter = this;
  /** Tally: whether the PDU just tallied carries the protocol's own header. */
  own = false;
  /** Tally: whether parse would record anomalies on the PDU just tallied. */
  flawed = false;
  /** Tally: the cells of the plan selected for the PDUs being tallied. */
  private cells: Counter[] = [];
  private readonly counts: Record<string, Record<string, Counter>> = {};
  /** Per field name: its histogram cell and the protocol prefix before the first dot. */
  private readonly keys = new Map<string, { cell: Cell; prefix: string }>();
  /** Plans by protocol object, per transport (a protocol is counted the same whatever its object's name). */
  private readonly tcpPlans = new Map<unknown, Plan>();
  private readonly udpPlans = new Map<unknown, Plan>();
  private readonly rows = new Map<string, ConversationRow>();
  private malformed = 0;
  private lastMalformedFrame = -1;

  constructor() {
    for (const [group, keys] of Object.entries(HISTOGRAM_GROUPS)) {
      const g: Record<string, Counter> = {};
      for (const k of keys) g[k] = new Counter();
      this.counts[group] = g;
    }
  }

  add(field: number, value: number): void {
    this.cells[field].addInt(value);
  }

  addText(field: number, value: string): void {
    this.cells[field].add(value);
  }

  select(plan: Plan): void {
    this.cells = plan.cells;
  }

  plan(p: Protocol, transport: 'tcp' | 'udp'): Plan {
    return (transport === 'tcp' ? this.tcpPlans : this.udpPlans).get(p) ?? this.newPlan(p, transport);
  }

  /**
   * A PDU tallied (on a flow, or without IP when `flow` is null): counted as message() counts one,
   * its frame among those with anomalies when `flawed`, and for the protocol when `own`.
   */
  counted(plan: Plan, flow: Flow<FlowApp> | null, dir: number, frame: number): void {
    plan.messages++;
    if (this.flawed) this.flawedFrame(frame);
    if (!this.own) return;
    // tshark's ics_frames_without_ip: ICS frames with no IP header (BACnet over LLC).
    if (flow === null) plan.withoutIp++;
    else this.frame(plan, flow, dir, frame);
  }

  message(e: MessageEvent): void {
    const p = e.protocol;
    const fields = p.summaryFields ? p.summaryFields(e.message) : p.fields(e.message);
    const flow = e.flow;
    const plan = this.plan(p, flow !== null ? flow.transport : 'udp');
    plan.messages++;
    // tshark counts a frame for a protocol only when that dissector ran on it: a message that
    // carries none of the protocol's own fields (a bare COTP connect under S7, say) does not count.
    // S7comm-plus rows come from the display filter `cotp && data.data[0:1] == 72`: frames whose
    // COTP data starts with the S7comm-plus header, i.e. messages with its header fields.
    let carries = false;
    const lookups = plan.lookups;
    if (lookups !== null) {
      for (let i = 0; i < lookups.length; i++) {
        const l = lookups[i];
        const v = fields[l.field];
        if (v === undefined) continue;
        if (l.marker) carries = true;
        count(l.cell, v);
      }
    }
    if (!carries) carries = this.scan(fields, plan);
    if (e.message.anomalies.length > 0) this.flawedFrame(e.frame);
    if (flow === null) {
      // tshark's ics_frames_without_ip: ICS frames with no IP header (BACnet over LLC).
      if (carries) plan.withoutIp++;
      return;
    }
    if (carries) this.frame(plan, flow, e.dir, e.frame);
  }

  /** A message with anomalies: its frame is counted once among the frames with anomalies. */
  private flawedFrame(frame: number): void {
    if (frame === this.lastMalformedFrame) return;
    this.malformed++;
    this.lastMalformedFrame = frame;
  }

  /** A frame of the flow direction carries the protocol: counted once per frame, with its conversation. */
  private frame(plan: Plan, flow: Flow<FlowApp>, dir: number, frame: number): void {
    const app = flow.app!;
    if (app.lastFrame[dir] === frame) return;
    app.lastFrame[dir] = frame;
    plan.frames++;
    const protocol = plan.conversation;
    let row = app.tag[dir] as ConversationRow | null;
    if (row === null || row.protocol !== protocol) {
      const src = dir === 0 ? flow.a : flow.b;
      const dst = dir === 0 ? flow.b : flow.a;
      const dport = dir === 0 ? flow.portB : flow.portA;
      const key = `${src}|${dst}|${dport}|${flow.transport}|${protocol}`;
      row = this.rows.get(key) ?? null;
      if (!row) {
        row = { src, dst, dport, transport: flow.transport, protocol, frames: 0 };
        this.rows.set(key, row);
      }
      app.tag[dir] = row;
    }
    row.frames++;
  }

  /**
   * Walks every field: for a protocol without a plan this counts the histograms too; otherwise it
   * only decides whether the message carries the protocol's own fields.
   */
  private scan(fields: Fields, plan: Plan): boolean {
    const name = plan.name;
    let carries = false;
    for (const key in fields) {
      let info = this.keys.get(key);
      if (info === undefined) {
        const target = HISTOGRAM_FIELDS[key];
        const dot = key.indexOf('.');
        info = { cell: target ? this.counts[target[0]][target[1]] : null, prefix: dot < 0 ? key : key.slice(0, dot) };
        this.keys.set(key, info);
      }
      if (info.prefix === plan.conversation || info.prefix === name) carries = true;
      if (!plan.lookups && info.cell !== null) count(info.cell, fields[key]);
    }
    return carries;
  }

  private newPlan(p: Protocol, transport: 'tcp' | 'udp'): Plan {
    const name = p.name;
    const conversation = conversationName(name, transport);
    const prefixes = FIELD_PREFIXES[name];
    const plan: Plan = {
      name,
      conversation,
      messages: 0,
      frames: 0,
      withoutIp: 0,
      lookups: prefixes
        ? Object.keys(HISTOGRAM_FIELDS)
            .filter((f) => prefixes.includes(f.slice(0, f.indexOf('.'))))
            .map((field) => {
              const prefix = field.slice(0, field.indexOf('.'));
              const [group, key] = HISTOGRAM_FIELDS[field];
              return { field, cell: this.counts[group][key], marker: prefix === conversation || prefix === name };
            })
        : null,
      cells: (p.tally?.fields ?? []).map((field) => {
        const [group, key] = HISTOGRAM_FIELDS[field];
        return this.counts[group][key];
      }),
    };
    (transport === 'tcp' ? this.tcpPlans : this.udpPlans).set(p, plan);
    return plan;
  }

  /** Sums a count of every plan by a name of the plan (protocols may share one). */
  private totals(key: (plan: Plan) => string, value: (plan: Plan) => number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const plans of [this.tcpPlans, this.udpPlans]) {
      for (const plan of plans.values()) {
        const n = value(plan);
        if (n) out[key(plan)] = (out[key(plan)] ?? 0) + n;
      }
    }
    return out;
  }

  build(file: string, packets: number, result: CaptureResult): CaptureSummary {
    const conversations = [...this.rows.values()].sort(
      (x, y) =>
        cmp(x.src, y.src) || cmp(x.dst, y.dst) || x.dport - y.dport || cmp(x.transport, y.transport) || cmp(x.protocol, y.protocol),
    );
    const out: CaptureSummary = {
      schema: 'ics-pcap-oracle/1',
      file,
      capture: { format: result.format, link_types: result.linkTypes },
      packet_count: packets,
      frames_by_protocol: sortKeys(this.totals((p) => p.conversation, (p) => p.frames)),
      messages_by_protocol: sortKeys(this.totals((p) => p.name, (p) => p.messages)),
      frames_with_anomalies: this.malformed,
      conversations,
      ics_frames_without_ip: sortKeys(this.totals((p) => p.name, (p) => p.withoutIp)),
    };
    if (result.issue) out.capture.issue = { ...result.issue };
    for (const [group, keys] of Object.entries(this.counts)) {
      const g: Record<string, Record<string, number>> = {};
      for (const [k, cell] of Object.entries(keys)) {
        const h: Record<string, number> = {};
        for (const [v, n] of cell.entries()) {
          const key = histogramKey(v);
          h[key] = (h[key] ?? 0) + n;
        }
        g[k] = sortNumericKeys(h);
      }
      out[group] = g;
    }
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
}

function sortNumericKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (Number(a) - Number(b)) || cmp(a, b)));
}
