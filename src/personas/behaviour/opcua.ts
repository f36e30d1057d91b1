// OPC UA server (IEC 62541-6 UA TCP, unsecured channel): HEL → ACK, OPN → OpenSecureChannel
// response, GetEndpoints → one endpoint with the persona's ApplicationDescription, CLO closes.
import {
  acknowledge, getEndpointsRequest, getEndpointsResponse, helloMessage, openSecureChannelRequest, openSecureChannelResponse, opcua,
  type OpcuaMessage,
} from '../../protocols/opcua/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';

/** Binary encoding ids of the request types (IEC 62541-6 NodeIds.csv). */
const GET_ENDPOINTS_REQUEST = 428;

/** A fixed clock keeps answers reproducible; clients read no meaning into the server timestamp. */
const EPOCH = Date.UTC(2026, 0, 1);

export function endpointUrl(device: Device): string {
  return `opc.tcp://${device.vars.address}:4840`;
}

function answer(device: Device, request: OpcuaMessage, conversation: Conversation): OpcuaMessage[] {
  const spec = device.persona.services.opcua;
  if (!spec) return [];
  const d = conversation.data;
  if (request.messageType === 'HEL') return [acknowledge()];
  if (request.messageType === 'CLO') {
    conversation.close = true;
    return [];
  }
  const next = () => (d.sequence = (d.sequence ?? 50) + 1);
  if (request.messageType === 'OPN') {
    d.channel = (d.channel ?? 0) + 1;
    d.token = 1;
    return [openSecureChannelResponse(d.channel, d.token, { sequenceNumber: next(), requestId: request.requestId ?? 0 }, EPOCH)];
  }
  if (request.messageType === 'MSG' && request.service?.id === GET_ENDPOINTS_REQUEST) {
    const offer = {
      endpointUrl: endpointUrl(device),
      applicationUri: render(spec.applicationUri, device.vars),
      productUri: render(spec.productUri, device.vars),
      applicationName: render(spec.applicationName, device.vars),
    };
    const channel = { secureChannelId: d.channel ?? request.secureChannelId ?? 0, tokenId: d.token ?? 1, sequenceNumber: next(), requestId: request.requestId ?? 0 };
    return [getEndpointsResponse(offer, channel, EPOCH)];
  }
  // Sessions are not offered: a client that goes further is disconnected, as a server whose
  // endpoints all need security would.
  conversation.close = true;
  return [];
}

export const opcuaBehaviour: Behaviour<OpcuaMessage> = {
  name: 'opcua',
  protocol: opcua,
  answer,
  probes: (device) => {
    const url = endpointUrl(device);
    return [helloMessage(url), openSecureChannelRequest(1), getEndpointsRequest(url, 1, 1, 2, 2)];
  },
};
