// EtherNet/IP ListIdentity (CIP Vol 2 §2-4.2): no session, answered on TCP and UDP 44818 with
// vendor, device type, product code, revision, serial number and product name.
import { enip, listIdentity, type EnipMessage } from '../../protocols/enip/index.ts';
import type { Transport } from '../../model/index.ts';
import type { Probe } from './probe.ts';

/** The sender context is echoed (§2-3.4); it marks our request. */
const CONTEXT = new TextEncoder().encode('otscope\0');

function enipProbe(transport: Transport): Probe {
  return {
    protocol: 'enip',
    transport,
    port: 44818,
    async run(conn) {
      conn.send(enip.encode(listIdentity(CONTEXT)));
      const m: EnipMessage | null = await conn.read(enip);
      if (!m || m.command !== 0x0063) return null;
      return { identity: enip.identify([m]) };
    },
  };
}

export const enipTcpProbe = enipProbe('tcp');
export const enipUdpProbe = enipProbe('udp');
