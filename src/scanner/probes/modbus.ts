// Modbus/TCP: Read Device Identification (43/14) for the basic, regular and extended object
// categories, following "more follows" (Modbus Application Protocol v1.1b3 §6.21), then Report
// Server ID (17, §6.13). Both are read-only.
import { modbus, readDeviceIdentification, reportServerId, type ModbusMessage } from '../../protocols/modbus/index.ts';
import type { DeviceIdentity } from '../../model/index.ts';
import type { Conn } from '../sockets.ts';
import type { Probe } from './probe.ts';

/** Unit 0 first (pymodbus, most gateways); 255 and 1 are what TCP devices and gateways use otherwise. */
const UNIT_IDS = [0, 255, 1];
/** A device answers at most this many "more follows" continuations per category. */
const MAX_FOLLOWS = 16;

async function exchange(conn: Conn, request: ModbusMessage, sink: ModbusMessage[]): Promise<ModbusMessage | null> {
  conn.send(modbus.encode(request));
  for (;;) {
    const m = await conn.read(modbus);
    if (!m) return null;
    // A late answer to an earlier request is skipped; the transaction id pairs them (§4.4.1.1).
    if (m.transactionId !== request.transactionId) continue;
    sink.push(m);
    return m;
  }
}

async function probeUnit(conn: Conn, unit: number, messages: ModbusMessage[], tid: { n: number }): Promise<boolean | null> {
  let answered = false;
  for (let code = 1; code <= 3; code++) {
    let objectId = code === 1 ? 0 : code === 2 ? 3 : 0x80;
    for (let i = 0; i < MAX_FOLLOWS; i++) {
      const m = await exchange(conn, readDeviceIdentification(++tid.n & 0xffff, unit, code, objectId), messages);
      if (!m) return answered ? true : null;
      answered = true;
      if (m.pdu.kind !== 'device-id') {
        // §7 exception 0x0B: the gateway found no unit with that id.
        if (code === 1 && m.exception && m.exception.code === 0x0b) return false;
        break;
      }
      const level = m.pdu.conformityLevel & 0x7f;
      if (m.pdu.moreFollows !== 0xff || m.pdu.nextObjectId <= objectId) {
        if (level < code + 1) code = 3;
        break;
      }
      objectId = m.pdu.nextObjectId;
    }
  }
  return answered;
}

/**
 * The engine's identity, plus the exception a Report Server ID drew (§7), which nmap's
 * modbus-discover reports as the unit's `error`: a service that answers only with exceptions is
 * still a Modbus server, and that answer is what it says about itself.
 */
function identity(messages: ModbusMessage[]): DeviceIdentity | null {
  const id = modbus.identify(messages);
  const refused = messages.find((m) => m.function.code === 17 && m.exception);
  if (!refused?.exception) return id;
  const raw = { ...id?.raw, reportServerIdException: refused.exception.code };
  return id ? { ...id, raw } : { raw };
}

export const modbusProbe: Probe = {
  protocol: 'modbus',
  transport: 'tcp',
  port: 502,
  async run(conn) {
    const messages: ModbusMessage[] = [];
    const tid = { n: 0 };
    for (const unit of UNIT_IDS) {
      const r = await probeUnit(conn, unit, messages, tid);
      if (r === null) return messages.length ? { identity: identity(messages) } : null;
      if (r) {
        await exchange(conn, reportServerId(++tid.n & 0xffff, unit), messages);
        return { identity: identity(messages) };
      }
    }
    return messages.length ? { identity: identity(messages) } : null;
  },
};
