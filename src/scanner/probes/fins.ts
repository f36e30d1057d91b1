// Omron FINS on 9600: over TCP the node address handshake first (W342 §7-4-3), then Controller
// Data Read (0501, W227 §5-3-3) with the nodes it assigned; over UDP the read alone, as nmap's
// omron-info does. Read-only.
import { controllerDataRead, fins, nodeAddressRequest, type FinsMessage } from '../../protocols/fins/index.ts';
import type { Probe } from './probe.ts';

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
    if (data) messages.push(data);
    return { identity: fins.identify(messages) };
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
    return { identity: fins.identify([data]) };
  },
};
