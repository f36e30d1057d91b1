// DNP3 on 20000: REQUEST_LINK_STATUS (IEEE 1815-2012 §9.2.5.3.3), which any DNP3 link layer
// answers, then a READ of group 0 variation 254 (all device attributes, §A.1), a read-only
// request, addressed to the outstation the link status came from.
import { dnp3, readDeviceAttributes, requestLinkStatus, type Dnp3Message } from '../../protocols/dnp3/index.ts';
import type { FlowState } from '../../protocols/index.ts';
import type { Transport } from '../../model/index.ts';
import type { Conn } from '../sockets.ts';
import type { Probe } from './probe.ts';

/** The outstation address most devices ship with; the master's own address is 3 by convention of test sets. */
const OUTSTATION = 1;
const MASTER = 3;

async function readFrom(conn: Conn, state: FlowState, want: (m: Dnp3Message) => boolean): Promise<Dnp3Message | null> {
  for (let i = 0; i < 8; i++) {
    const m = await conn.read(dnp3, state);
    if (!m || want(m)) return m;
  }
  return null;
}

function dnp3Probe(transport: Transport): Probe {
  return {
    protocol: 'dnp3',
    transport,
    port: 20000,
    async run(conn) {
      const state: FlowState = {};
      conn.send(dnp3.encode(requestLinkStatus(OUTSTATION, MASTER)));
      const status = await readFrom(conn, state, (m) => !m.link.control.direction);
      if (!status) return null;
      const messages = [status];
      conn.send(dnp3.encode(readDeviceAttributes(status.link.source, MASTER)));
      const attrs = await readFrom(conn, state, (m) => m.application !== undefined);
      if (attrs) messages.push(attrs);
      return { identity: dnp3.identify(messages) };
    },
  };
}

export const dnp3TcpProbe = dnp3Probe('tcp');
export const dnp3UdpProbe = dnp3Probe('udp');
