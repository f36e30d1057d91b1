// S7comm device (ISO-on-TCP, RFC 1006 + ISO 8073 COTP class 0): connection confirm, setup
// communication, and the SZL reads nmap's s7-info and the scanner send — 0x0011 module
// identification and 0x001C component identification.
import {
  componentIdentification, connectionConfirm, connectionRequest, moduleIdentification, readSzl, s7comm, setupCommunication,
  setupCommunicationAck, szlResponse, type S7commMessage, type SzlAnswer,
} from '../../protocols/s7comm/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';

/** S7-300/400 CPUs offer 240-octet PDUs, S7-1200/1500 up to 960; the classic 240 answers all. */
const MAX_PDU = 240;

function szl(device: Device, id: number): SzlAnswer | undefined {
  const spec = device.persona.services.s7comm;
  if (!spec) return undefined;
  const v = device.vars;
  // The SZL id's high byte selects a partial list; 0x0011/0x0111 and 0x001C/0x011C name the same records.
  const list = id & 0xff;
  if (list === 0x11) return moduleIdentification(spec.orderNumber ?? device.persona.orderNumber ?? '', v.firmware, spec.hardware);
  if (list === 0x1c) {
    return componentIdentification({
      automationSystemName: render(spec.systemName, v),
      moduleName: render(spec.moduleName, v),
      plantId: render(spec.plantId, v),
      copyright: render(spec.copyright, v),
      serial: v.serial,
      moduleTypeName: render(spec.moduleTypeName, v),
    });
  }
  return undefined;
}

function answer(device: Device, request: S7commMessage, conversation: Conversation): S7commMessage[] {
  const cotp = request.cotp;
  if (cotp.name === 'CR') return [connectionConfirm(request, 0x0001)];
  if (cotp.name === 'DR') {
    conversation.close = true;
    return [];
  }
  const s7 = request.s7;
  if (!s7) return [];
  if (s7.rosctr === 1 && s7.param.kind === 'setup-communication') return [setupCommunicationAck(request, MAX_PDU)];
  const p = s7.param;
  if (s7.rosctr === 7 && p.kind === 'userdata' && p.group === 4 && p.subfunction === 1 && s7.data.kind === 'userdata' && s7.data.payload.length >= 4) {
    const payload = s7.data.payload;
    const id = (payload[0] << 8) | payload[1];
    const index = (payload[2] << 8) | payload[3];
    const answer = szl(device, id);
    // An SZL the CPU does not have comes back as an empty list with the id asked for.
    return [szlResponse(request, answer ?? { id, index, recordLength: 0, records: [] })];
  }
  return [];
}

export const s7commBehaviour: Behaviour<S7commMessage> = {
  name: 's7comm',
  protocol: s7comm,
  answer,
  probes: () => [connectionRequest(), setupCommunication(1, 480), readSzl(2, 0x0011, 0x0001), readSzl(3, 0x001c, 0x0001)],
};
