// MQTT 5.0 §2.2.2.2: the property table. Each identifier has one data type; unknown
// identifiers end the property list because their length cannot be known.
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import { readUtf8String, readVarInt, writeUtf8String, writeVarInt } from './codec.ts';

type PropertyType = 'byte' | 'u16' | 'u32' | 'varint' | 'utf8' | 'binary' | 'pair';

export const PROPERTIES: Record<number, { name: string; type: PropertyType }> = {
  1: { name: 'payload-format-indicator', type: 'byte' },
  2: { name: 'message-expiry-interval', type: 'u32' },
  3: { name: 'content-type', type: 'utf8' },
  8: { name: 'response-topic', type: 'utf8' },
  9: { name: 'correlation-data', type: 'binary' },
  11: { name: 'subscription-identifier', type: 'varint' },
  17: { name: 'session-expiry-interval', type: 'u32' },
  18: { name: 'assigned-client-identifier', type: 'utf8' },
  19: { name: 'server-keep-alive', type: 'u16' },
  21: { name: 'authentication-method', type: 'utf8' },
  22: { name: 'authentication-data', type: 'binary' },
  23: { name: 'request-problem-information', type: 'byte' },
  24: { name: 'will-delay-interval', type: 'u32' },
  25: { name: 'request-response-information', type: 'byte' },
  26: { name: 'response-information', type: 'utf8' },
  28: { name: 'server-reference', type: 'utf8' },
  31: { name: 'reason-string', type: 'utf8' },
  33: { name: 'receive-maximum', type: 'u16' },
  34: { name: 'topic-alias-maximum', type: 'u16' },
  35: { name: 'topic-alias', type: 'u16' },
  36: { name: 'maximum-qos', type: 'byte' },
  37: { name: 'retain-available', type: 'byte' },
  38: { name: 'user-property', type: 'pair' },
  39: { name: 'maximum-packet-size', type: 'u32' },
  40: { name: 'wildcard-subscription-available', type: 'byte' },
  41: { name: 'subscription-identifier-available', type: 'byte' },
  42: { name: 'shared-subscription-available', type: 'byte' },
};

export interface Property {
  id: number;
  name: string;
  value: number | string | Uint8Array | readonly [string, string];
}

const MAX_PROPERTIES = 1024;

/** Reads a property length and the properties inside it; the reader ends just past them. */
export function readProperties(r: ByteReader, anomalies: string[]): Property[] {
  const length = readVarInt(r);
  if (length === undefined || length > r.remaining) {
    anomalies.push('property-length-invalid');
    r.skip(r.remaining);
    return [];
  }
  const p = r.sub(length);
  const out: Property[] = [];
  while (p.remaining > 0 && !p.overrun) {
    if (out.length >= MAX_PROPERTIES) {
      anomalies.push('too-many-properties');
      break;
    }
    const id = readVarInt(p) ?? 0;
    const def = PROPERTIES[id];
    if (!def) {
      anomalies.push('unknown-property');
      break;
    }
    let value: Property['value'];
    switch (def.type) {
      case 'byte': value = p.u8(); break;
      case 'u16': value = p.u16be(); break;
      case 'u32': value = p.u32be(); break;
      case 'varint': value = readVarInt(p) ?? 0; break;
      case 'utf8': value = readUtf8String(p); break;
      case 'binary': value = p.bytesView(p.u16be()).slice(); break;
      case 'pair': value = [readUtf8String(p), readUtf8String(p)] as const; break;
    }
    if (p.overrun) {
      anomalies.push('property-truncated');
      break;
    }
    out.push({ id, name: def.name, value });
  }
  return out;
}

export function writeProperties(w: ByteWriter, props: readonly Property[]): void {
  const body = new ByteWriter(32);
  for (const prop of props) {
    const type = PROPERTIES[prop.id]?.type;
    if (!type) continue;
    writeVarInt(body, prop.id);
    const v = prop.value;
    switch (type) {
      case 'byte': body.u8(Number(v)); break;
      case 'u16': body.u16be(Number(v)); break;
      case 'u32': body.u32be(Number(v)); break;
      case 'varint': writeVarInt(body, Number(v)); break;
      case 'utf8': writeUtf8String(body, String(v)); break;
      case 'binary': {
        const b = v instanceof Uint8Array ? v : new Uint8Array(0);
        body.u16be(b.length).bytes(b);
        break;
      }
      case 'pair': {
        const [k, val] = Array.isArray(v) ? (v as readonly [string, string]) : ['', ''];
        writeUtf8String(body, k);
        writeUtf8String(body, val);
        break;
      }
    }
  }
  const bytes = body.finish();
  writeVarInt(w, bytes.length);
  w.bytes(bytes);
}
