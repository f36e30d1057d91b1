// Omron FINS device on UDP and TCP 9600: the FINS/TCP node address handshake (W342 §7-4-3) and
// controller data read 0501 (W227 §5-3-3), as nmap's omron-info asks them.
import {
  controllerDataRead, controllerDataResponse, fins, nodeAddressRequest, nodeAddressResponse, type FinsMessage,
} from '../../protocols/fins/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';

/** End code 0x0401: the command is not supported by the unit (W227 §5-1-3). */
const NOT_SUPPORTED = 0x0401;

function serverNode(device: Device): number {
  const last = Number(device.vars.address.split('.')[3] ?? 1);
  return last > 0 && last < 255 ? last : 1;
}

function answer(device: Device, request: FinsMessage, conversation: Conversation): FinsMessage[] {
  const spec = device.persona.services.fins;
  if (!spec) return [];
  if (request.tcp?.command === 0) {
    // W342 §7-4-3: client node 0 asks the server to pick one; it answers with the node it assigned.
    conversation.data.clientNode = request.tcp.clientNode || 0xef;
    return [nodeAddressResponse(conversation.data.clientNode, serverNode(device))];
  }
  const q = request.frame;
  if (!q || q.icf & 0x40) return [];
  if (q.command === 0x0501) return [controllerDataResponse(request, render(spec.controllerModel, device.vars), render(spec.controllerVersion, device.vars))];
  const m: FinsMessage = {
    anomalies: [],
    direction: 'to-client',
    frame: {
      icf: 0xc0 | (q.icf & 0x01), rsv: 0, gct: 0x02, dna: q.sna, da1: q.sa1, da2: q.sa2, sna: q.dna, sa1: q.da1, sa2: q.da2,
      sid: q.sid, command: q.command, endCode: NOT_SUPPORTED, data: new Uint8Array(0),
    },
  };
  if (request.tcp) m.tcp = { command: 2, errorCode: 0 };
  return [m];
}

export const finsBehaviour: Behaviour<FinsMessage> = {
  name: 'fins',
  protocol: fins,
  answer,
  probes: (_device, transport) =>
    transport === 'tcp' ? [nodeAddressRequest(0), controllerDataRead({ da1: 0, sa1: 0xef }, true)] : [controllerDataRead({ da1: 0, sa1: 0x63, sid: 0 })],
};
