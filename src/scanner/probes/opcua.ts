// OPC UA Binary on TCP 4840: Hello, OpenSecureChannel with SecurityPolicy None, GetEndpoints
// (IEC 62541-4 §5.4.4; no session is created), CloseSecureChannel. The server's
// ApplicationDescription in each endpoint names it.
import {
  closeSecureChannelRequest, getEndpointsRequest, helloMessage, openSecureChannelRequest, opcua, type OpcuaMessage,
} from '../../protocols/opcua/index.ts';
import type { FlowState } from '../../protocols/index.ts';
import type { Probe } from './probe.ts';

/**
 * The token id of an OpenSecureChannelResponse (IEC 62541-4 §5.5.2.2): its body ends with the
 * ChannelSecurityToken (channelId, tokenId, createdAt, revisedLifetime: 20 octets) and the
 * serverNonce ByteString, so it is found from the end, where the channel id repeats the header's.
 */
export function tokenIdOf(m: OpcuaMessage): number | null {
  const b = m.body;
  if (!b || m.secureChannelId === undefined) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = b.length - 24; i >= 0; i--) {
    if (v.getUint32(i, true) !== m.secureChannelId) continue;
    const nonce = v.getInt32(i + 20, true);
    const end = i + 24 + Math.max(0, nonce);
    if (end === b.length) return v.getUint32(i + 4, true);
  }
  return null;
}

export const opcuaProbe: Probe = {
  protocol: 'opcua',
  transport: 'tcp',
  port: 4840,
  async run(conn) {
    const state: FlowState = {};
    const url = `opc.tcp://${conn.address}:${conn.port}`;
    const messages: OpcuaMessage[] = [];
    conn.send(opcua.encode(helloMessage(url)));
    const ack = await conn.read(opcua, state);
    if (!ack || (ack.messageType !== 'ACK' && ack.messageType !== 'ERR')) return null;
    messages.push(ack);
    if (ack.messageType === 'ERR') return { identity: null };
    conn.send(opcua.encode(openSecureChannelRequest(1)));
    const opn = await conn.read(opcua, state);
    if (!opn || opn.messageType !== 'OPN' || opn.secureChannelId === undefined) return { identity: null };
    const tokenId = tokenIdOf(opn) ?? 1;
    conn.send(opcua.encode(getEndpointsRequest(url, opn.secureChannelId, tokenId, 2, 2)));
    const endpoints = await conn.read(opcua, state);
    if (endpoints) messages.push(endpoints);
    conn.send(opcua.encode(closeSecureChannelRequest(opn.secureChannelId, tokenId, 3, 3)));
    return { identity: opcua.identify(messages) };
  },
};
