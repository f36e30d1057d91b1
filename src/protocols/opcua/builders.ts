// Requests the scanner sends to ask a server to describe itself without a session
// (IEC 62541-4 §5.4.4 GetEndpoints over an unsecured channel, §5.5.2 OpenSecureChannel).
import { ByteWriter } from '../../wire/index.ts';
import { SECURITY_POLICY_NONE, type OpcuaMessage } from './message.ts';

function requestHeader(w: ByteWriter, requestHandle: number): void {
  w.u8(0x00).u8(0x00); // authenticationToken: two-byte NodeId 0 (no session)
  w.u64le(0n); // timestamp
  w.u32le(requestHandle).u32le(0); // requestHandle, returnDiagnostics
  w.i32le(-1); // auditEntryId: null
  w.u32le(10_000); // timeoutHint (ms)
  w.u8(0x00).u8(0x00).u8(0x00); // additionalHeader: null ExtensionObject
}

function typeId(w: ByteWriter, id: number): void {
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
