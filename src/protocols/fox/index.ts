// Niagara Fox (Tridium) on TCP 1911: the text "fox hello" exchange that names a station, its
// Niagara version, Java VM and operating system, as nmap's fox-info reads it.
import type { DeviceIdentity } from '../../model/index.ts';
import type { Fields, Protocol } from '../protocol.ts';
import { encodeFox, parseFox, type FoxMessage } from './message.ts';

export type { FoxMessage, FoxHeader, FoxEntry } from './message.ts';

/** The hello nmap's fox-info sends: protocol version 1.0, message id 1. */
export function helloRequest(): FoxMessage {
  return {
    anomalies: [],
    header: { type: 'a', number: 1, replyTo: -1, channel: 'fox', command: 'hello' },
    entries: [
      { key: 'fox.version', type: 's', value: '1.0' },
      { key: 'id', type: 'i', value: '1' },
    ],
  };
}

/**
 * A station's answer to hello (message 0, no reply number, as nmap's fox-info expects: "fox a 0").
 * Values are written as strings except `id`, an integer.
 */
export function helloResponse(values: ReadonlyArray<readonly [string, string]>, id = 2): FoxMessage {
  return {
    anomalies: [],
    header: { type: 'a', number: 0, replyTo: -1, channel: 'fox', command: 'hello' },
    entries: [
      { key: 'fox.version', type: 's', value: '1.0' },
      { key: 'id', type: 'i', value: String(id) },
      ...values.filter(([k]) => k !== 'fox.version' && k !== 'id').map(([key, value]) => ({ key, type: 's', value: value.replace(/\n/g, ' ') })),
    ],
  };
}

/** The scalar hello values (s:, i:, z:) by key. */
export function helloValues(m: FoxMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of m.entries ?? []) if (e.type !== 'b' && e.type !== 'o') out[e.key] = e.value;
  return out;
}

const IDENTITY_KEYS = [
  'fox.version', 'hostName', 'hostAddress', 'app.name', 'app.version', 'vm.name', 'vm.version',
  'os.name', 'os.version', 'station.name', 'lang', 'timeZone', 'hostId', 'vmUuid', 'brandId',
];

export const fox: Protocol<FoxMessage> = {
  name: 'fox',
  endpoints: [{ transport: 'tcp', port: 1911 }],

  recognize(bytes, _direction, transport) {
    if (transport !== 'tcp') return false;
    const magic = 'fox ';
    for (let i = 0; i < Math.min(magic.length, bytes.length); i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
    return true;
  },

  parse(bytes) {
    return parseFox(bytes);
  },

  encode: encodeFox,

  // A station answers hello with its own description; Workbench (the engineering tool) sends
  // one too, so a station's answer is preferred when both directions are given.
  identify(messages) {
    const hellos = messages.filter((m) => m.header.command === 'hello' && m.entries?.length);
    const app = (m: FoxMessage) => helloValues(m)['app.name'];
    const chosen = hellos.find((m) => app(m) !== undefined && app(m) !== 'Workbench') ?? hellos.find((m) => app(m) !== undefined) ?? hellos[0];
    if (!chosen) return null;
    const v = helloValues(chosen);
    const raw: Record<string, unknown> = {};
    for (const k of IDENTITY_KEYS) if (v[k] !== undefined) raw[k] = k === 'timeZone' ? v[k].split(';')[0] : v[k];
    const identity: DeviceIdentity = { vendor: 'Tridium', product: 'Niagara', raw };
    if (v['app.name']) identity.model = `Niagara ${v['app.name']}`;
    if (v['app.version']) identity.firmware = v['app.version'];
    if (v['station.name']) identity.moduleName = v['station.name'];
    if (v.hostId) identity.serial = v.hostId;
    return identity;
  },

  // tshark has no Fox dissector; keys follow its style under "fox.", hello values by their own key.
  fields(m) {
    const f: Fields = {
      'fox.type': m.header.type,
      'fox.number': m.header.number,
      'fox.reply_to': m.header.replyTo,
      'fox.channel': m.header.channel,
      'fox.command': m.header.command,
    };
    for (const [k, value] of Object.entries(helloValues(m))) f[k.startsWith('fox.') ? k : `fox.${k}`] = value;
    return f;
  },
};
