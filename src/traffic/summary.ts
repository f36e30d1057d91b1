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
  [group: string]: unknown;
}

/** The oracle's name for S7comm-plus rows, which come from a display filter, not a dissector. */
const HEURISTIC_CONVERSATION = 's7comm_plus_heuristic';

/** Histogram cell resolved once per field name (the table lookup stays off the hot path). */
type Cell = Record<string, number> | null;

export class SummaryBuilder implements AnalyzerSink {
  readonly histograms: Histograms = {};
  private readonly cells = new Map<string, Cell>();
  private readonly rows = new Map<string, ConversationRow>();
  private readonly framesByProtocol: Record<string, number> = {};
  private readonly pdusByProtocol: Record<string, number> = {};
  private malformed = 0;
  private lastMalformedFrame = -1;

  constructor() {
    for (const [group, keys] of Object.entries(HISTOGRAM_GROUPS)) {
      const g: Record<string, Record<string, number>> = {};
      for (const k of keys) g[k] = {};
      this.histograms[group] = g;
    }
  }

  message(e: MessageEvent): void {
    const name = e.protocol.name;
    this.pdusByProtocol[name] = (this.pdusByProtocol[name] ?? 0) + 1;
    const fields = e.protocol.fields(e.message);
    const protocol = conversationName(name, e.flow.transport);
    // tshark counts a frame for a protocol only when that dissector ran on it: a message that
    // carries none of the protocol's own fields (a bare COTP connect under S7, say) does not count.
    let carries = protocol === HEURISTIC_CONVERSATION;
    for (const key in fields) {
      if (!carries && key.startsWith(protocol) && key.charCodeAt(protocol.length) === 46) carries = true;
      let cell = this.cells.get(key);
      if (cell === undefined) {
        const target = HISTOGRAM_FIELDS[key];
        cell = target ? this.histograms[target[0]][target[1]] : null;
        this.cells.set(key, cell);
      }
      if (cell === null) continue;
      const v = fields[key];
      if (Array.isArray(v)) {
        for (const x of v) {
          const k = histogramKey(x);
          cell[k] = (cell[k] ?? 0) + 1;
        }
      } else {
        const k = histogramKey(v as string | number | boolean);
        cell[k] = (cell[k] ?? 0) + 1;
      }
    }
    if (e.message.anomalies.length > 0 && e.frame !== this.lastMalformedFrame) {
      this.malformed++;
      this.lastMalformedFrame = e.frame;
    }
    const app = e.flow.app!;
    if (!carries || app.lastFrame[e.dir] === e.frame) return;
    app.lastFrame[e.dir] = e.frame;
    this.framesByProtocol[name] = (this.framesByProtocol[name] ?? 0) + 1;
    let row = app.tag[e.dir] as ConversationRow | null;
    if (!row || row.protocol !== protocol) {
      const flow = e.flow;
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
    };
    if (result.issue) out.capture.issue = { ...result.issue };
    for (const [group, keys] of Object.entries(this.histograms)) {
      const g: Record<string, Record<string, number>> = {};
      for (const [k, h] of Object.entries(keys)) g[k] = sortNumericKeys(h);
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
