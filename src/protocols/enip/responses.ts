// Answers an EtherNet/IP persona gives, as messages for `enip.encode` (CIP Vol 2 §2-4.2).
import { encodeIdentityItem, ITEM, type EnipMessage, type IdentityItem } from './enip.ts';

/** ListIdentity reply carrying one identity item; the sender context is echoed. */
export function listIdentityResponse(request: EnipMessage, identity: IdentityItem): EnipMessage {
  return {
    anomalies: [],
    direction: 'to-client',
    command: 0x0063,
    sessionHandle: 0,
    status: 0,
    senderContext: request.senderContext,
    options: 0,
    body: { kind: 'items', items: [{ typeId: ITEM.listIdentity, data: encodeIdentityItem(identity) }] },
  };
}
