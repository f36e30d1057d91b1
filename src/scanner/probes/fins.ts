// Omron FINS on 9600: over TCP the node address handshake first (W342 §7-4-3), then Controller
// Data Read (0501, W227 §5-3-3) with the nodes it assigned; over UDP the read alone, as nmap's
// omron-info does. Read-only.
import type { DeviceIdentity } from '../../model/index.ts';
import { controllerDataRead, fins, nodeAddressRequest, type FinsMessage } from '../../protocols/fins/index.ts';
import type { Probe } from './probe.ts';

/** W227 §5-3-3, controller data read, "Kind of memory card". */
const MEMORY_CARD_KINDS: Readonly<Record<number, string>> = { 0: 'No Memory Card', 1: 'SPRAM', 2: 'EPROM', 3: 'EEPROM' };

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return String.fromCharCode(...(end < 0 ? b : b.subarray(0, end)));
}

/**
 * The rest of the controller data read reply after model and version (W227 §5-3-3): 40 octets
 * for system use, then the area data: program area size, IOM size, DM words, timer/counter
 * size, expansion DM size, steps/transitions, memory card kind and size. nmap's omron-info
 * reports each of them; they go to `raw` beside the engine's identity.
 */
export function controllerArea(message: FinsMessage): Record<string, unknown> | null {
  const f = message.frame;
  if (!f || f.command !== 0x0501 || f.endCode === undefined || f.data.length < 92) return null;
  const d = f.data;
  const u16 = (i: number): number => (d[i] << 8) | d[i + 1];
  return {
    forSystemUse: cString(d.subarray(40, 80)),
    programAreaSize: u16(80),
    iomSize: d[82],
    dmWords: u16(83),
    timerCounterSize: d[85],
    expansionDmSize: d[86],
    steps: u16(87),
    memoryCardType: d[89],
    memoryCardKind: MEMORY_CARD_KINDS[d[89]] ?? 'Unknown Memory Card Type',
    memoryCardSize: u16(90),
  };
}

function identity(data: FinsMessage, messages: FinsMessage[]): DeviceIdentity | null {
  const id = fins.identify(messages);
  const area = controllerArea(data);
  if (id && area) id.raw = { ...id.raw, ...area };
  return id;
}

export const finsTcpProbe: Probe = {
  protocol: 'fins',
  transport: 'tcp',
  port: 9600,
  async run(conn) {
    conn.send(fins.encode(nodeAddressRequest(0)));
    const nodes = await conn.read(fins);
    if (!nodes?.tcp || nodes.tcp.command !== 1) return null;
    const messages: FinsMessage[] = [nodes];
    conn.send(fins.encode(controllerDataRead({ da1: nodes.tcp.serverNode ?? 0, sa1: nodes.tcp.clientNode ?? 0, sid: 1 }, true)));
    const data = await conn.read(fins);
    if (!data) return { identity: fins.identify(messages) };
    messages.push(data);
    return { identity: identity(data, messages) };
  },
};

export const finsUdpProbe: Probe = {
  protocol: 'fins',
  transport: 'udp',
  port: 9600,
  async run(conn) {
    conn.send(fins.encode(controllerDataRead({ sid: 1 })));
    const data = await conn.read(fins);
    if (!data?.frame || data.frame.command !== 0x0501) return null;
    return { identity: identity(data, [data]) };
  },
};
