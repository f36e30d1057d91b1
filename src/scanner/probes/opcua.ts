// OPC UA Binary on TCP 4840: Hello, OpenSecureChannel with SecurityPolicy None, GetEndpoints
// (IEC 62541-4 §5.4.4). The server's ApplicationDescription in each endpoint names it. When an
// endpoint offers SecurityPolicy None with anonymous login, an anonymous session reads the
// server's BuildInfo (IEC 62541-5 §12.4: manufacturer, product, software version) and is closed
// again — one Read of a Server object variable, nothing written, nothing subscribed.
import {
  activateSessionRequest, closeSecureChannelRequest, closeSessionRequest, createSessionRequest, getEndpointsRequest, helloMessage,
  openSecureChannelRequest, opcua, readRequest, SECURITY_POLICY_NONE, SERVICE_IDS, type ChannelRef, type EndpointDescription, type OpcuaMessage,
} from '../../protocols/opcua/index.ts';
import type { FlowState } from '../../protocols/index.ts';
import type { Conn } from '../sockets.ts';
import type { Probe } from './probe.ts';

/** Server_ServerStatus_BuildInfo (NodeIds.csv), its Value attribute. */
const BUILD_INFO = { node: { namespace: 0, kind: 'numeric', id: 2260 } as const, attributeId: 13 };
/** Chunks of one response read before giving up (a GetEndpoints answer with many certificates may be chunked). */
const MAX_CHUNKS = 16;

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

/** The policy id of an endpoint's anonymous login on SecurityPolicy None, if it has one. */
export function anonymousPolicy(endpoints: readonly EndpointDescription[]): string | undefined {
  for (const e of endpoints) {
    if (e.securityMode !== 'None' || e.securityPolicyUri !== SECURITY_POLICY_NONE) continue;
    const t = e.userTokens.find((u) => u.tokenType === 'Anonymous');
    if (t) return t.policyId ?? '';
  }
  return undefined;
}

/** The next complete response: intermediate chunks are joined by the parser's flow state. */
async function response(conn: Conn, state: FlowState): Promise<OpcuaMessage | null> {
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const m = await conn.read(opcua, state);
    if (!m || m.chunkType !== 'C') return m;
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
    const channel = opn.secureChannelId;
    const tokenId = tokenIdOf(opn) ?? 1;
    let n = 1;
    const ch = (): ChannelRef => (n++, { secureChannelId: channel, tokenId, sequenceNumber: n, requestId: n });
    conn.send(opcua.encode(getEndpointsRequest(url, channel, tokenId, 2, 2)));
    n = 2;
    const endpoints = await response(conn, state);
    if (endpoints) messages.push(endpoints);
    const policyId = anonymousPolicy(endpoints?.serviceBody?.endpoints ?? []);
    if (policyId !== undefined) {
      conn.send(opcua.encode(createSessionRequest(ch(), { endpointUrl: url, sessionName: 'otscope' })));
      const created = (await response(conn, state))?.serviceBody?.createdSession;
      if (created) {
        const token = created.authenticationToken;
        conn.send(opcua.encode(activateSessionRequest(ch(), token, { kind: 'anonymous', policyId })));
        const activated = await response(conn, state);
        if (activated?.service?.id === SERVICE_IDS.ActivateSessionResponse && activated.serviceBody?.serviceResult === 0) {
          conn.send(opcua.encode(readRequest(ch(), token, [BUILD_INFO], 3)));
          const read = await response(conn, state);
          if (read) messages.push(read);
        }
        conn.send(opcua.encode(closeSessionRequest(ch(), token)));
        await response(conn, state);
      }
    }
    const last = ch();
    conn.send(opcua.encode(closeSecureChannelRequest(channel, tokenId, last.sequenceNumber, last.requestId)));
    return { identity: opcua.identify(messages) };
  },
};
