// Requests the scanner sends to ask a server to describe itself without a session
// (IEC 62541-4 §5.4.4 GetEndpoints over an unsecured channel, §5.5.2 OpenSecureChannel), and the
// answers a honeypot persona gives to them.
import { ByteWriter } from '../../wire/index.ts';
import { SECURITY_POLICY_NONE, type OpcuaMessage, type TransportLimits } from './message.ts';
import { writeNodeId, type NodeId } from './codec.ts';
import { APPLICATION_TYPES, SECURITY_MODES, USER_TOKEN_TYPES } from './services.ts';

/** IEC 62541-6 §7.1.2: the server's buffer sizes answer the client's; these are open62541's defaults. */
export const SERVER_LIMITS: TransportLimits = {
  protocolVersion: 0, receiveBufferSize: 65_536, sendBufferSize: 65_536, maxMessageSize: 16_777_216, maxChunkCount: 256,
};

const UA_TCP_PROFILE = 'http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary';

/** IEC 62541-4 §7.28 RequestHeader; the authentication token is the null NodeId outside a session. */
export function requestHeader(w: ByteWriter, requestHandle: number, authenticationToken: NodeId = NULL_NODE, timestamp = 0n): void {
  writeNodeId(w, authenticationToken);
  w.u64le(timestamp);
  w.u32le(requestHandle).u32le(0); // requestHandle, returnDiagnostics
  w.i32le(-1); // auditEntryId: null
  w.u32le(10_000); // timeoutHint (ms)
  w.u8(0x00).u8(0x00).u8(0x00); // additionalHeader: null ExtensionObject
}

const NULL_NODE: NodeId = { namespace: 0, kind: 'numeric', id: 0 };

export function typeId(w: ByteWriter, id: number): void {
  w.u8(0x01).u8(0x00).u16le(id); // four-byte NodeId, namespace 0
}

function string(w: ByteWriter, s: string): void {
  const b = new TextEncoder().encode(s);
  w.i32le(b.length).bytes(b);
}

export function helloMessage(endpointUrl: string): OpcuaMessage {
  return {
    anomalies: [],
    messageType: 'HEL',
    chunkType: 'F',
    hello: { protocolVersion: 0, receiveBufferSize: 65_536, sendBufferSize: 65_536, maxMessageSize: 0, maxChunkCount: 0, endpointUrl },
  };
}

export function openSecureChannelRequest(requestId = 1): OpcuaMessage {
  const w = new ByteWriter(64);
  typeId(w, 446);
  requestHeader(w, requestId);
  w.u32le(0).u32le(0).u32le(1); // clientProtocolVersion, requestType Issue, securityMode None
  w.i32le(0); // clientNonce: empty
  w.u32le(3_600_000); // requestedLifetime
  return {
    anomalies: [],
    messageType: 'OPN',
    chunkType: 'F',
    secureChannelId: 0,
    asymmetric: { securityPolicyUri: SECURITY_POLICY_NONE, senderCertificate: null, receiverCertificateThumbprint: null },
    sequenceNumber: 1,
    requestId,
    body: w.finish(),
  };
}

export function getEndpointsRequest(endpointUrl: string, secureChannelId: number, tokenId: number, sequenceNumber: number, requestId: number): OpcuaMessage {
  const w = new ByteWriter(128);
  typeId(w, 428);
  requestHeader(w, requestId);
  string(w, endpointUrl);
  w.i32le(0).i32le(0); // localeIds, profileUris: empty
  return { anomalies: [], messageType: 'MSG', chunkType: 'F', secureChannelId, tokenId, sequenceNumber, requestId, body: w.finish() };
}

export function closeSecureChannelRequest(secureChannelId: number, tokenId: number, sequenceNumber: number, requestId: number): OpcuaMessage {
  const w = new ByteWriter(48);
  typeId(w, 452);
  requestHeader(w, requestId);
  return { anomalies: [], messageType: 'CLO', chunkType: 'F', secureChannelId, tokenId, sequenceNumber, requestId, body: w.finish() };
}

function nullString(w: ByteWriter): void {
  w.i32le(-1);
}

/** IEC 62541-4 §7.29 ResponseHeader, without diagnostics. */
export function responseHeader(w: ByteWriter, requestHandle: number, timestamp: bigint, serviceResult = 0): void {
  w.u64le(timestamp).u32le(requestHandle).u32le(serviceResult);
  w.u8(0x00); // serviceDiagnostics: empty DiagnosticInfo
  w.i32le(-1); // stringTable: null
  w.u8(0x00).u8(0x00).u8(0x00); // additionalHeader: null ExtensionObject
}

/** DateTime: 100 ns ticks since 1601-01-01 UTC (§5.2.2.5). */
export function uaDateTime(ms: number): bigint {
  return (BigInt(Math.floor(ms)) + 11_644_473_600_000n) * 10_000n;
}

export function acknowledge(limits: TransportLimits = SERVER_LIMITS): OpcuaMessage {
  return { anomalies: [], messageType: 'ACK', chunkType: 'F', acknowledge: { ...limits } };
}

/** OpenSecureChannelResponse on an unsecured channel: the channel id and token the server assigns. */
export function openSecureChannelResponse(
  secureChannelId: number, tokenId: number, request: { sequenceNumber: number; requestId: number; requestHandle?: number }, now = Date.now(),
): OpcuaMessage {
  const w = new ByteWriter(96);
  typeId(w, 449);
  responseHeader(w, request.requestHandle ?? request.requestId, uaDateTime(now));
  w.u32le(0); // serverProtocolVersion
  w.u32le(secureChannelId).u32le(tokenId).u64le(uaDateTime(now)).u32le(3_600_000); // securityToken
  w.i32le(0); // serverNonce: empty
  return {
    anomalies: [],
    messageType: 'OPN',
    chunkType: 'F',
    secureChannelId,
    asymmetric: { securityPolicyUri: SECURITY_POLICY_NONE, senderCertificate: null, receiverCertificateThumbprint: null },
    sequenceNumber: request.sequenceNumber,
    requestId: request.requestId,
    body: w.finish(),
  };
}

export interface EndpointOffer {
  endpointUrl: string;
  applicationUri: string;
  productUri: string;
  applicationName: string;
  securityMode?: (typeof SECURITY_MODES)[number];
  securityPolicyUri?: string;
  /** UserTokenPolicies; anonymous only by default. */
  userTokens?: Array<{ policyId: string; tokenType: (typeof USER_TOKEN_TYPES)[number] }>;
}

/** IEC 62541-4 §7.2 ApplicationDescription of a server. */
export function writeApplicationDescription(w: ByteWriter, offer: Pick<EndpointOffer, 'applicationUri' | 'productUri' | 'applicationName' | 'endpointUrl'>): void {
  string(w, offer.applicationUri);
  string(w, offer.productUri);
  w.u8(0x02);
  string(w, offer.applicationName); // LocalizedText with text only
  w.u32le(APPLICATION_TYPES.indexOf('Server'));
  nullString(w); // gatewayServerUri
  nullString(w); // discoveryProfileUri
  w.i32le(1);
  string(w, offer.endpointUrl); // discoveryUrls
}

/** IEC 62541-4 §7.14 EndpointDescription. */
export function writeEndpointDescription(w: ByteWriter, offer: EndpointOffer, serverCertificate: Uint8Array | null = null): void {
  string(w, offer.endpointUrl);
  writeApplicationDescription(w, offer);
  if (serverCertificate) w.i32le(serverCertificate.length).bytes(serverCertificate);
  else nullString(w);
  w.u32le(SECURITY_MODES.indexOf(offer.securityMode ?? 'None'));
  string(w, offer.securityPolicyUri ?? SECURITY_POLICY_NONE);
  const tokens = offer.userTokens ?? [{ policyId: 'anonymous', tokenType: 'Anonymous' }];
  w.i32le(tokens.length);
  for (const t of tokens) {
    string(w, t.policyId);
    w.u32le(USER_TOKEN_TYPES.indexOf(t.tokenType));
    nullString(w); // issuedTokenType
    nullString(w); // issuerEndpointUrl
    nullString(w); // securityPolicyUri: the endpoint's own
  }
  string(w, UA_TCP_PROFILE);
  w.u8(0); // securityLevel
}

/** GetEndpointsResponse describing the server's endpoints (IEC 62541-4 §5.4.4). */
export function getEndpointsResponse(
  offer: EndpointOffer | EndpointOffer[], channel: { secureChannelId: number; tokenId: number; sequenceNumber: number; requestId: number }, now = Date.now(),
  requestHandle = channel.requestId,
): OpcuaMessage {
  const offers = Array.isArray(offer) ? offer : [offer];
  const w = new ByteWriter(512);
  typeId(w, 431);
  responseHeader(w, requestHandle, uaDateTime(now));
  w.i32le(offers.length);
  for (const o of offers) writeEndpointDescription(w, o);
  return { anomalies: [], messageType: 'MSG', chunkType: 'F', ...channel, body: w.finish() };
}
