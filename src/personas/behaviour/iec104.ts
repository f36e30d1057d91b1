// IEC 60870-5-104 controlled station on TCP 2404: U-format confirmations (§5.3), and a station
// interrogation answered with ActCon, the single points, ActTerm (IEC 60870-5-101 §7.4.5).
import {
  iec104, mirror, singlePoints, startDataTransferActivation, stationInterrogation, uConfirmation, type Iec104Message,
} from '../../protocols/iec104/index.ts';
import { hash32 } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';

const C_IC_NA_1 = 100;
const BROADCAST = 0xffff;
/** Information object addresses of the reported points start here, as RTU configurations often do. */
const FIRST_IOA = 1001;

function answer(device: Device, request: Iec104Message, conversation: Conversation): Iec104Message[] {
  const spec = device.persona.services.iec104;
  if (!spec) return [];
  const d = conversation.data;
  const confirmation = uConfirmation(request);
  if (confirmation) {
    if (request.apci.format === 'U' && request.apci.function === 'STARTDT act') d.started = 1;
    if (request.apci.format === 'U' && request.apci.function === 'STOPDT act') d.started = 0;
    return [confirmation];
  }
  if (request.apci.format !== 'I' || !request.asdu) return [];
  d.received = ((d.received ?? 0) + 1) & 0x7fff;
  // §5.3: I-format data before STARTDT is not answered.
  if (!d.started) return [];
  const asdu = request.asdu;
  if (asdu.typeId !== C_IC_NA_1 || (asdu.commonAddress !== spec.commonAddress && asdu.commonAddress !== BROADCAST)) return [];
  const send = () => {
    const n = d.sent ?? 0;
    d.sent = (n + 1) & 0x7fff;
    return n;
  };
  const points = Array.from({ length: spec.points }, (_, i) => [FIRST_IOA + i, (hash32(`${device.vars.serial}/${i}`) & 1) as 0 | 1] as const);
  const rx = d.received;
  return [
    mirror(asdu, 7, send(), rx, spec.commonAddress),
    singlePoints(spec.commonAddress, points, send(), rx),
    mirror(asdu, 10, send(), rx, spec.commonAddress),
  ];
}

export const iec104Behaviour: Behaviour<Iec104Message> = {
  name: 'iec104',
  protocol: iec104,
  answer,
  probes: () => [startDataTransferActivation(), stationInterrogation(BROADCAST)],
};
