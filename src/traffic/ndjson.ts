// Line-per-message output: each decoded message, then each device identity learned passively.
import type { DeviceIdentity } from '../model/index.ts';
import type { Message, Protocol } from '../protocols/index.ts';
import type { AnalyzerSink, MessageEvent } from './analyzer.ts';

/** Messages kept per server endpoint for `identify` (identities show up in the first exchanges). */
const MESSAGES_PER_ENDPOINT = 64;
const MAX_ENDPOINTS = 10_000;

export interface IdentityRecord {
  type: 'identity';
  ip: string;
  port: number;
  protocol: string;
  identity: DeviceIdentity;
}

/** ISO 8601 UTC with microseconds, or nanoseconds when the capture has them. */
export function isoTime(sec: number, nsec: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  const frac = nsec % 1000 === 0 ? String(nsec / 1000).padStart(6, '0') : String(nsec).padStart(9, '0');
  return `${base}.${frac}Z`;
}

export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

interface Endpoint {
  ip: string;
  port: number;
  protocol: Protocol;
  messages: Message[];
}

export class NdjsonWriter implements AnalyzerSink {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly write: (line: string) => void) {}

  message(e: MessageEvent): void {
    const flow = e.flow;
    const fromA = e.dir === 0;
    const line = {
      type: 'message',
      time: isoTime(e.tsSec, e.tsNsec),
      frame: e.frame,
      flow: flow
        ? {
            src: fromA ? flow.a : flow.b,
            sport: fromA ? flow.portA : flow.portB,
            dst: fromA ? flow.b : flow.a,
            dport: fromA ? flow.portB : flow.portA,
            transport: flow.transport,
          }
        : null,
      protocol: e.protocol.name,
      direction: e.direction,
      fields: e.protocol.fields(e.message),
      anomalies: e.message.anomalies,
    };
    this.write(JSON.stringify(line, jsonReplacer));
    if (!flow) return;
    // Over TCP a device is the server and both directions describe it (requests pair with
    // responses). Over UDP devices announce themselves to broadcast addresses (BACnet I-Am), so
    // each sender is described by what it sent.
    const side = flow.transport === 'tcp' ? flow.app!.server : e.dir;
    const ip = side === 0 ? flow.a : flow.b;
    const port = side === 0 ? flow.portA : flow.portB;
    const key = `${ip}|${port}|${e.protocol.name}`;
    let ep = this.endpoints.get(key);
    if (!ep) {
      if (this.endpoints.size >= MAX_ENDPOINTS) return;
      ep = { ip, port, protocol: e.protocol, messages: [] };
      this.endpoints.set(key, ep);
    }
    if (ep.messages.length < MESSAGES_PER_ENDPOINT) ep.messages.push(detach(e.message));
  }

  /** Identities of every server endpoint whose messages reveal one. */
  identities(): IdentityRecord[] {
    const out: IdentityRecord[] = [];
    for (const ep of this.endpoints.values()) {
      let identity: DeviceIdentity | null = null;
      try {
        identity = ep.protocol.identify(ep.messages);
      } catch {
        identity = null;
      }
      if (identity && Object.keys(identity).length > 0) {
        out.push({ type: 'identity', ip: ep.ip, port: ep.port, protocol: ep.protocol.name, identity });
      }
    }
    return out;
  }

  finish(): void {
    for (const r of this.identities()) this.write(JSON.stringify(r, jsonReplacer));
  }
}

/**
 * A copy of a message that owns its bytes: parsers may return views of the reader's buffer, which
 * is reused for the next chunk, and identities are computed from kept messages at the end.
 */
export function detach<T>(value: T, depth = 0): T {
  if (value instanceof Uint8Array) return value.slice() as T;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => detach(v, depth + 1)) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, detach(v, depth + 1)])) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = detach(v, depth + 1);
  return out as T;
}
