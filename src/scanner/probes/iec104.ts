// IEC 60870-5-104 on TCP 2404: STARTDT act and TESTFR act, whose confirmations prove the service
// (IEC 60870-5-104 §5.3). A station interrogation (C_IC_NA_1) makes the station send its process
// image: it is a command, so it runs only with --intrusive and this table's opt-in.
import { iec104, startDataTransferActivation, stationInterrogation, testFrameActivation, type Iec104Message } from '../../protocols/iec104/index.ts';
import type { Conn } from '../sockets.ts';
import type { Probe } from './probe.ts';

async function confirmation(conn: Conn, fn: string, sink: Iec104Message[]): Promise<boolean> {
  for (let i = 0; i < 16; i++) {
    const m = await conn.read(iec104);
    if (!m) return false;
    sink.push(m);
    if (m.apci.format === 'U' && m.apci.function === fn) return true;
  }
  return false;
}

export const iec104Probe: Probe = {
  protocol: 'iec104',
  transport: 'tcp',
  port: 2404,
  intrusive: { step: 'station interrogation (C_IC_NA_1, QOI 20)', optIn: true },
  async run(conn, ctx) {
    const messages: Iec104Message[] = [];
    conn.send(iec104.encode(startDataTransferActivation()));
    if (!(await confirmation(conn, 'STARTDT con', messages))) return null;
    conn.send(iec104.encode(testFrameActivation()));
    await confirmation(conn, 'TESTFR con', messages);
    if (ctx.intrusive) {
      conn.send(iec104.encode(stationInterrogation()));
      // Until the activation termination (cause 10) of the interrogation, or silence.
      for (let i = 0; i < 64; i++) {
        const m = await conn.read(iec104);
        if (!m) break;
        messages.push(m);
        if (m.asdu?.typeId === 100 && m.asdu.cause === 10) break;
      }
    }
    return { identity: iec104.identify(messages) };
  },
};
