// The summary of one capture in the tshark oracle's shape (schema ics-pcap-oracle/1), so a
// structural diff against reference/corpus/oracle works: per-occurrence histograms of protocol
// fields and directional conversations counted in frames that carry an ICS PDU.
import type { CaptureResult } from '../capture/index.ts';
import type { AnalyzerSink, MessageEvent } from './analyzer.ts';
import { HISTOGRAM_FIELDS, HISTOGRAM_GROUPS, conversationName, histogramKey } from './oracle-fields.ts';

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
  /** Frames in which at least one message was decoded, by protocol. */
  frames_by_protocol: Record<string, number>;
  /** Messages (PDUs) decoded, by protocol. */
  pdus_by_protocol: Record<string, number>;
  /** Frames with a decoded message that carries anomalies. */
  malformed_frames: number;
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
type Cell = Map<Value, number> | null;

export class SummaryBuilder implements AnalyzerSink {
  private readonly counts: Record<string, Record<string, Map<Value, number>>> = {};
  /** Per field name: its histogram cell and the protocol prefix before the first dot. */
  private readonly keys = new Map<string, { cell: Cell; prefix: string }>();
  private readonly rows = new Map<string, ConversationRow>();
  private readonly framesByProtocol: Record<string, number> = {};
  private readonly pdusByProtocol: Record<string, number> = {};
  private readonly withoutIp: Record<string, number> = {};
  private malformed = 0;
  private lastMalformedFrame = -1;

  constructor() {
    for (const [group, keys] of Object.entries(HISTOGRAM_GROUPS)) {
      const g: Record<string, Map<Value, number>> = {};
      for (const k of keys) g[k] = new Map();
      this.counts[group] = g;
    }
  }

  message(e: MessageEvent): void {
    const name = e.protocol.name;
    this.pdusByProtocol[name] = (this.pdusByProtocol[name] ?? 0) + 1;
    const fields = e.protocol.fields(e.message);
    const flow = e.flow;
    const protocol = conversationName(name, flow ? flow.transport : 'udp');
    // tshark counts a frame for a protocol only when that dissector ran on it: a message that
    // carries none of the protocol's own fields (a bare COTP connect under S7, say) does not count.
    // S7comm-plus rows come from tshark's display filter `cotp && data.data[0:1] == 72`: frames
    // whose COTP data starts with the S7comm-plus header, i.e. messages with its header fields.
    let carries = false;
    for (const key in fields) {
      let info = this.keys.get(key);
      if (info === undefined) {
        const target = HISTOGRAM_FIELDS[key];
        const dot = key.indexOf('.');
        info = { cell: target ? this.counts[target[0]][target[1]] : null, prefix: dot < 0 ? key : key.slice(0, dot) };
        this.keys.set(key, info);
      }
      if (info.prefix === protocol || info.prefix === name) carries = true;
      const cell = info.cell;
      if (cell === null) continue;
      const v = fields[key];
      if (Array.isArray(v)) {
        for (const x of v) cell.set(x, (cell.get(x) ?? 0) + 1);
      } else {
        cell.set(v as Value, (cell.get(v as Value) ?? 0) + 1);
      }
    }
    if (e.message.anomalies.length > 0 && e.frame !== this.lastMalformedFrame) {
      this.malformed++;
      this.lastMalformedFrame = e.frame;
    }
    if (!flow) {
      // tshark's ics_frames_without_ip: ICS frames with no IP header (BACnet over LLC).
      if (carries || name === 'bacnet') this.withoutIp[name] = (this.withoutIp[name] ?? 0) + 1;
      return;
    }
    const app = flow.app!;
    if (!carries || app.lastFrame[e.dir] === e.frame) return;
    app.lastFrame[e.dir] = e.frame;
    this.framesByProtocol[name] = (this.framesByProtocol[name] ?? 0) + 1;
    let row = app.tag[e.dir] as ConversationRow | null;
    if (!row || row.protocol !== protocol) {
      const src = e.dir === 0 ? flow.a : flow.b;
      const dst = e.dir === 0 ? flow.b : flow.a;
      const dport = e.dir === 0 ? flow.portB : flow.portA;
      const key = `${src}|${dst}|${dport}|${flow.transport}|${protocol}`;
      row = this.rows.get(key) ?? null;
      if (!row) {
        row = { src, dst, dport, transport: flow.transport, protocol, frames: 0 };
        this.rows.set(key, row);
      }
      app.tag[e.dir] = row;
    }
    row.frames++;
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
      frames_by_protocol: sortKeys(this.framesByProtocol),
      pdus_by_protocol: sortKeys(this.pdusByProtocol),
      malformed_frames: this.malformed,
      conversations,
      ics_frames_without_ip: sortKeys(this.withoutIp),
    };
    if (result.issue) out.capture.issue = { ...result.issue };
    for (const [group, keys] of Object.entries(this.counts)) {
      const g: Record<string, Record<string, number>> = {};
      for (const [k, cell] of Object.entries(keys)) {
        const h: Record<string, number> = {};
        for (const [v, n] of cell) {
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
