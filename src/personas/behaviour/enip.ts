// EtherNet/IP device: ListIdentity (CIP Vol 2 §2-4.2) over TCP and UDP 44818, RegisterSession
// (§2-4.4) so engineering tools can go on; other encapsulation commands are refused with status
// 0x0001 (invalid or unsupported command, Table 2-3.3).
import { enip, listIdentity, listIdentityResponse, type EnipMessage, type IdentityItem } from '../../protocols/enip/index.ts';
import { render, versionParts } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';

/** Identity object state 3 = operational; status 0x0060 = configured, owned-by-none (Vol 1 §5A-2.2). */
const STATE_OPERATIONAL = 3;
const STATUS_CONFIGURED = 0x0060;

export function identityItem(device: Device): IdentityItem | undefined {
  const spec = device.persona.services.enip;
  if (!spec) return undefined;
  const [major, minor] = versionParts(spec.revision ? render(spec.revision, device.vars) : device.vars.firmware);
  return {
    protocolVersion: 1,
    socketAddress: { family: 2, port: 44818, address: device.vars.address },
    vendorId: spec.vendorId,
    deviceType: spec.deviceType,
    productCode: spec.productCode,
    revision: { major: major & 0xff, minor: minor & 0xff },
    status: spec.status ?? STATUS_CONFIGURED,
    serialNumber: Number.parseInt(device.vars.serial, 16) >>> 0,
    productName: render(spec.productName, device.vars),
    state: STATE_OPERATIONAL,
  };
}

function answer(device: Device, request: EnipMessage, conversation: Conversation): EnipMessage[] {
  const item = identityItem(device);
  if (request.command === 0x0063 && item) return [listIdentityResponse(request, item)];
  const base = { anomalies: [], direction: 'to-client' as const, command: request.command, senderContext: request.senderContext, options: 0 };
  if (request.command === 0x0065 && request.body.kind === 'register-session' && conversation.transport === 'tcp') {
    conversation.data.session = (conversation.data.session ?? 0x1000) + 1;
    return [{ ...base, sessionHandle: conversation.data.session, status: 0, body: { kind: 'register-session', protocolVersion: 1, optionFlags: 0 } }];
  }
  if (request.command === 0x0066) {
    conversation.close = true;
    return [];
  }
  // UDP carries only the list commands; anything else there is silently dropped (§2-2.1).
  if (conversation.transport === 'udp') return [];
  return [{ ...base, sessionHandle: request.sessionHandle, status: 0x0001, body: { kind: 'empty' } }];
}

export const enipBehaviour: Behaviour<EnipMessage> = {
  name: 'enip',
  protocol: enip,
  answer,
  probes: () => [listIdentity(new Uint8Array([0x6f, 0x74, 0x73, 0x63, 0x6f, 0x70, 0x65, 0x01]))],
};
