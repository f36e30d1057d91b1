// Session, View and Attribute services over an unsecured channel (IEC 62541-4 §5.6 Session,
// §5.8 View, §5.10 Attribute, §5.4.2 FindServers, §7.30 ServiceFault): the requests a client
// sends and the responses a server gives, as MSG chunks whose bodies the parser reads back.
import { ByteWriter } from '../../wire/index.ts';
import {
  dateTimeTicks, writeByteString, writeDataValue, writeLocalizedText, writeNodeId, writeQualifiedName, writeString,
  type DataValue, type NodeId, type Variant,
} from './codec.ts';
import {
  requestHeader, responseHeader, typeId, uaDateTime, writeApplicationDescription, writeEndpointDescription, type EndpointOffer,
} from './builders.ts';
import type { OpcuaMessage } from './message.ts';
import type { BrowseDescription, BrowseResult, ReadValueId } from './services.ts';

/** Where a MSG chunk goes: the channel, its token, and the sequence and request numbers. */
export interface ChannelRef {
  secureChannelId: number;
  tokenId: number;
  sequenceNumber: number;
  requestId: number;
}

/** Binary encoding ids of the service types (IEC 62541-6 NodeIds.csv). */
export const SERVICE_IDS = {
  ServiceFault: 397, FindServersRequest: 422, FindServersResponse: 425, GetEndpointsRequest: 428,
  CreateSessionRequest: 461, CreateSessionResponse: 464, ActivateSessionRequest: 467, ActivateSessionResponse: 470,
  CloseSessionRequest: 473, CloseSessionResponse: 476, BrowseRequest: 527, BrowseResponse: 530,
  BrowseNextRequest: 533, BrowseNextResponse: 536, ReadRequest: 631, ReadResponse: 634, WriteRequest: 673, WriteResponse: 676,
} as const;

/** Status codes these services answer with (IEC 62541-4 §7.34, Opc.Ua.StatusCodes.csv). */
export const STATUS = {
  Good: 0,
  BadDecodingError: 0x80070000,
  BadServiceUnsupported: 0x800b0000,
  BadNothingToDo: 0x800f0000,
  BadTooManyOperations: 0x80100000,
  BadUserAccessDenied: 0x801f0000,
  BadIdentityTokenInvalid: 0x80200000,
  BadIdentityTokenRejected: 0x80210000,
  BadSessionIdInvalid: 0x80250000,
  BadSessionNotActivated: 0x80270000,
  BadTimestampsToReturnInvalid: 0x802b0000,
  BadNodeIdUnknown: 0x80340000,
  BadAttributeIdInvalid: 0x80350000,
  BadNotWritable: 0x803b0000,
  BadContinuationPointInvalid: 0x804a0000,
  BadBrowseDirectionInvalid: 0x804d0000,
  BadReferenceTypeIdInvalid: 0x804c0000,
  BadTypeMismatch: 0x80740000,
} as const;

/** UserIdentityToken encoding ids (IEC 62541-6 NodeIds.csv). */
const ANONYMOUS_TOKEN = 321;
const USERNAME_TOKEN = 324;

function msg(body: Uint8Array, ch: ChannelRef): OpcuaMessage {
  return { anomalies: [], messageType: 'MSG', chunkType: 'F', ...ch, body };
}

function request(id: number, ch: ChannelRef, token: NodeId | undefined, timestamp: bigint, write: (w: ByteWriter) => void): OpcuaMessage {
  const w = new ByteWriter(128);
  typeId(w, id);
  requestHeader(w, ch.requestId, token, timestamp);
  write(w);
  return msg(w.finish(), ch);
}

function response(id: number, ch: ChannelRef, requestHandle: number, now: number, write: (w: ByteWriter) => void, serviceResult = 0): OpcuaMessage {
  const w = new ByteWriter(256);
  typeId(w, id);
  responseHeader(w, requestHandle, uaDateTime(now), serviceResult);
  write(w);
  return msg(w.finish(), ch);
}

export interface CreateSessionOptions {
  endpointUrl: string;
  sessionName: string;
  clientNonce?: Uint8Array | null;
  /** RequestHeader timestamp (ms since 1970); absent leaves it unset. */
  timestamp?: number;
  applicationUri?: string;
  applicationName?: string;
}

/** CreateSessionRequest (§5.6.2) of a client application with no certificate. */
export function createSessionRequest(ch: ChannelRef, o: CreateSessionOptions): OpcuaMessage {
  return request(SERVICE_IDS.CreateSessionRequest, ch, undefined, o.timestamp === undefined ? 0n : dateTimeTicks(o.timestamp), (w) => {
    writeString(w, o.applicationUri ?? 'urn:otscope:scanner');
    writeString(w, null); // productUri
    writeLocalizedText(w, { text: o.applicationName ?? 'otscope' });
    w.u32le(1); // applicationType Client
    writeString(w, null); // gatewayServerUri
    writeString(w, null); // discoveryProfileUri
    w.i32le(0); // discoveryUrls
    writeString(w, null); // serverUri
    writeString(w, o.endpointUrl);
    writeString(w, o.sessionName);
    writeByteString(w, o.clientNonce ?? null);
    writeByteString(w, null); // clientCertificate
    w.f64le(60_000); // requestedSessionTimeout (ms)
    w.u32le(0); // maxResponseMessageSize: no limit
  });
}

export type IdentityToken = { kind: 'anonymous'; policyId: string } | { kind: 'username'; policyId: string; userName: string; password: Uint8Array };

/** ActivateSessionRequest (§5.6.3) with an anonymous or a user-name token (password unencrypted: policy None). */
export function activateSessionRequest(ch: ChannelRef, authenticationToken: NodeId, identity: IdentityToken): OpcuaMessage {
  return request(SERVICE_IDS.ActivateSessionRequest, ch, authenticationToken, 0n, (w) => {
    writeString(w, null); // clientSignature.algorithm
    writeByteString(w, null); // clientSignature.signature
    w.i32le(0); // clientSoftwareCertificates
    w.i32le(0); // localeIds
    const body = new ByteWriter(64);
    writeString(body, identity.policyId);
    if (identity.kind === 'username') {
      writeString(body, identity.userName);
      writeByteString(body, identity.password);
      writeString(body, null); // encryptionAlgorithm
    }
    writeNodeId(w, { namespace: 0, kind: 'numeric', id: identity.kind === 'anonymous' ? ANONYMOUS_TOKEN : USERNAME_TOKEN });
    w.u8(0x01);
    writeByteString(w, body.finish());
    writeString(w, null); // userTokenSignature.algorithm
    writeByteString(w, null); // userTokenSignature.signature
  });
}

/** BrowseRequest (§5.8.2) over the default view. */
export function browseRequest(ch: ChannelRef, authenticationToken: NodeId, nodes: BrowseDescription[], maxReferences = 0): OpcuaMessage {
  return request(SERVICE_IDS.BrowseRequest, ch, authenticationToken, 0n, (w) => {
    writeNodeId(w, { namespace: 0, kind: 'numeric', id: 0 });
    w.u64le(0n).u32le(0); // view timestamp, version
    w.u32le(maxReferences);
    w.i32le(nodes.length);
    for (const n of nodes) {
      writeNodeId(w, n.node);
      w.u32le(n.browseDirection);
      writeNodeId(w, n.referenceType);
      w.u8(n.includeSubtypes ? 1 : 0).u32le(n.nodeClassMask).u32le(n.resultMask);
    }
  });
}

export function browseNextRequest(ch: ChannelRef, authenticationToken: NodeId, release: boolean, continuationPoints: Uint8Array[]): OpcuaMessage {
  return request(SERVICE_IDS.BrowseNextRequest, ch, authenticationToken, 0n, (w) => {
    w.u8(release ? 1 : 0).i32le(continuationPoints.length);
    for (const c of continuationPoints) writeByteString(w, c);
  });
}

/** ReadRequest (§5.10.2); timestampsToReturn 2 = both. */
export function readRequest(ch: ChannelRef, authenticationToken: NodeId, nodes: ReadValueId[], timestampsToReturn = 2): OpcuaMessage {
  return request(SERVICE_IDS.ReadRequest, ch, authenticationToken, 0n, (w) => {
    w.f64le(0).u32le(timestampsToReturn).i32le(nodes.length);
    for (const n of nodes) {
      writeNodeId(w, n.node);
      w.u32le(n.attributeId);
      writeString(w, n.indexRange ?? null);
      writeQualifiedName(w, { namespace: 0, name: '' });
    }
  });
}

/** WriteRequest (§5.10.4) of values, without timestamps. */
export function writeRequest(ch: ChannelRef, authenticationToken: NodeId, writes: Array<{ node: NodeId; attributeId: number; value: Variant }>): OpcuaMessage {
  return request(SERVICE_IDS.WriteRequest, ch, authenticationToken, 0n, (w) => {
    w.i32le(writes.length);
    for (const x of writes) {
      writeNodeId(w, x.node);
      w.u32le(x.attributeId);
      writeString(w, null);
      writeDataValue(w, { value: x.value });
    }
  });
}

export function findServersRequest(ch: ChannelRef, endpointUrl: string): OpcuaMessage {
  return request(SERVICE_IDS.FindServersRequest, ch, undefined, 0n, (w) => {
    writeString(w, endpointUrl);
    w.i32le(0).i32le(0); // localeIds, serverUris
  });
}

export function closeSessionRequest(ch: ChannelRef, authenticationToken: NodeId, deleteSubscriptions = true): OpcuaMessage {
  return request(SERVICE_IDS.CloseSessionRequest, ch, authenticationToken, 0n, (w) => w.u8(deleteSubscriptions ? 1 : 0));
}

export interface CreatedSession {
  sessionId: NodeId;
  authenticationToken: NodeId;
  revisedTimeout: number;
  serverNonce: Uint8Array;
  endpoints: EndpointOffer[];
  maxRequestMessageSize?: number;
}

/** CreateSessionResponse (§5.6.2.2); on SecurityPolicy None there is no certificate or signature. */
export function createSessionResponse(ch: ChannelRef, requestHandle: number, s: CreatedSession, now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.CreateSessionResponse, ch, requestHandle, now, (w) => {
    writeNodeId(w, s.sessionId);
    writeNodeId(w, s.authenticationToken);
    w.f64le(s.revisedTimeout);
    writeByteString(w, s.serverNonce);
    writeByteString(w, null); // serverCertificate
    w.i32le(s.endpoints.length);
    for (const e of s.endpoints) writeEndpointDescription(w, e);
    w.i32le(0); // serverSoftwareCertificates
    writeString(w, null); // serverSignature.algorithm
    writeByteString(w, null); // serverSignature.signature
    w.u32le(s.maxRequestMessageSize ?? 0);
  });
}

export function activateSessionResponse(ch: ChannelRef, requestHandle: number, serverNonce: Uint8Array, now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.ActivateSessionResponse, ch, requestHandle, now, (w) => {
    writeByteString(w, serverNonce);
    w.i32le(0); // results
    w.i32le(0); // diagnosticInfos
  });
}

export function closeSessionResponse(ch: ChannelRef, requestHandle: number, now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.CloseSessionResponse, ch, requestHandle, now, () => undefined);
}

/** BrowseResponse, or BrowseNextResponse when `next`; every ReferenceDescription field is written (§7.30). */
export function browseResponse(ch: ChannelRef, requestHandle: number, results: BrowseResult[], now = Date.now(), next = false): OpcuaMessage {
  return response(next ? SERVICE_IDS.BrowseNextResponse : SERVICE_IDS.BrowseResponse, ch, requestHandle, now, (w) => {
    w.i32le(results.length);
    for (const r of results) {
      w.u32le(r.status);
      writeByteString(w, r.continuationPoint);
      w.i32le(r.references.length);
      for (const ref of r.references) {
        writeNodeId(w, ref.referenceType);
        w.u8(ref.isForward ? 1 : 0);
        writeNodeId(w, ref.node); // ExpandedNodeId without URI or server index
        writeQualifiedName(w, ref.browseName);
        writeLocalizedText(w, ref.displayName);
        w.u32le(ref.nodeClass);
        writeNodeId(w, ref.typeDefinition);
      }
    }
    w.i32le(0); // diagnosticInfos
  });
}

export function readResponse(ch: ChannelRef, requestHandle: number, values: DataValue[], now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.ReadResponse, ch, requestHandle, now, (w) => {
    w.i32le(values.length);
    for (const v of values) writeDataValue(w, v);
    w.i32le(0); // diagnosticInfos
  });
}

export function writeResponse(ch: ChannelRef, requestHandle: number, results: number[], now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.WriteResponse, ch, requestHandle, now, (w) => {
    w.i32le(results.length);
    for (const s of results) w.u32le(s);
    w.i32le(0); // diagnosticInfos
  });
}

export function findServersResponse(ch: ChannelRef, requestHandle: number, servers: EndpointOffer[], now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.FindServersResponse, ch, requestHandle, now, (w) => {
    w.i32le(servers.length);
    for (const s of servers) writeApplicationDescription(w, s);
  });
}

/** ServiceFault (§7.30): a ResponseHeader whose serviceResult says why, and nothing else. */
export function serviceFault(ch: ChannelRef, requestHandle: number, status: number, now = Date.now()): OpcuaMessage {
  return response(SERVICE_IDS.ServiceFault, ch, requestHandle, now, () => undefined, status);
}
