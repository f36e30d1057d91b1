// OPC UA Binary over TCP 4840 (IEC 62541-6): connection protocol messages, secure channel
// chunks with their security headers, the service type of each message, and the server's
// ApplicationDescription from GetEndpoints / CreateSession answers.
import type { DeviceIdentity } from '../../model/index.ts';
import type { Fields, Protocol } from '../protocol.ts';
import { encodeMessage, HEADER_SIZE, parseMessage, startsHeader, type OpcuaMessage } from './message.ts';
import type { ApplicationDescription, BuildInfo } from './services.ts';
import { nodeIdText } from './codec.ts';
import { opcuaTally } from './tally.ts';

export type { OpcuaMessage, MessageType, ChunkType, TransportLimits, AsymmetricSecurityHeader } from './message.ts';
export type {
  ApplicationDescription, BrowseDescription, BrowseResult, BuildInfo, EndpointDescription, ReadValueId, ReferenceDescription, ServiceBody, UserIdentity,
} from './services.ts';
export type { DataValue, LocalizedText, NodeId, QualifiedName, Scalar, Variant } from './codec.ts';
export { BUILT_IN, DATE_TIME_UNSET, dateTimeMs, dateTimeTicks, nodeIdText, numericNodeId } from './codec.ts';
export { requestHeaderOf, SERVICES, SECURITY_MODES, USER_TOKEN_TYPES } from './services.ts';
export {
  activateSessionRequest, activateSessionResponse, browseNextRequest, browseRequest, browseResponse, closeSessionRequest, closeSessionResponse,
  createSessionRequest, createSessionResponse, findServersRequest, findServersResponse, readRequest, readResponse, serviceFault, SERVICE_IDS,
  STATUS, writeRequest, writeResponse, type ChannelRef, type CreatedSession, type CreateSessionOptions, type IdentityToken,
} from './session-services.ts';
export { SECURITY_POLICY_NONE, MESSAGE_TYPES } from './message.ts';
export {
  helloMessage, openSecureChannelRequest, getEndpointsRequest, closeSecureChannelRequest,
  acknowledge, openSecureChannelResponse, getEndpointsResponse, uaDateTime, SERVER_LIMITS, type EndpointOffer,
} from './builders.ts';

export const opcua: Protocol<OpcuaMessage> = {
  name: 'opcua',
  endpoints: [{ transport: 'tcp', port: 4840 }],

  recognize(bytes, _direction, transport) {
    if (transport !== 'tcp' || bytes.length === 0) return false;
    if (!startsHeader(bytes)) return false;
    if (bytes.length < HEADER_SIZE) return true;
    const size = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0;
    return size >= HEADER_SIZE && size <= 1 << 24;
  },

  parse(bytes, _direction, state) {
    return parseMessage(bytes, state ?? {});
  },

  encode: encodeMessage,

  // The server describes itself in every EndpointDescription of GetEndpoints and CreateSession
  // (IEC 62541-4 §7.2 ApplicationDescription): application URI, product URI and name.
  identify(messages) {
    let app: ApplicationDescription | undefined;
    let build: BuildInfo | undefined;
    const policies = new Set<string>();
    const modes = new Set<string>();
    for (const m of messages) {
      if (m.serviceBody?.buildInfo) build = m.serviceBody.buildInfo;
      for (const e of m.serviceBody?.endpoints ?? []) {
        if (e.server.applicationType !== 'Client') app ??= e.server;
        if (e.securityPolicyUri) policies.add(e.securityPolicyUri);
        modes.add(e.securityMode);
      }
    }
    if (!app && !build) return null;
    const identity: DeviceIdentity = {
      raw: {
        applicationUri: app?.applicationUri,
        productUri: build?.productUri ?? app?.productUri,
        applicationName: app?.applicationName,
        securityPolicies: [...policies],
        securityModes: [...modes],
        ...(build?.buildNumber ? { buildNumber: build.buildNumber } : {}),
      },
    };
    // BuildInfo names manufacturer, product and version outright; the ApplicationDescription
    // only has a display name and URIs, so its vendor is a guess from the URI's organisation.
    const product = build?.productName ?? app?.applicationName;
    const vendor = build?.manufacturerName ?? vendorFromUri(app?.productUri) ?? vendorFromUri(app?.applicationUri);
    if (product) identity.product = product;
    if (vendor) identity.vendor = vendor;
    if (build?.softwareVersion) identity.firmware = build.softwareVersion;
    return identity;
  },

  // tshark's OPC UA field names; the transport type is the three-letter string, as tshark shows it.
  fields(m) {
    const f: Fields = { 'opcua.transport.type': m.messageType, 'opcua.transport.chunk': m.chunkType };
    const limits = m.hello ?? m.acknowledge;
    if (limits) {
      f['opcua.transport.ver'] = limits.protocolVersion;
      f['opcua.transport.rbs'] = limits.receiveBufferSize;
      f['opcua.transport.sbs'] = limits.sendBufferSize;
      f['opcua.transport.mms'] = limits.maxMessageSize;
      f['opcua.transport.mcc'] = limits.maxChunkCount;
    }
    if (m.hello?.endpointUrl) f['opcua.transport.endpoint'] = m.hello.endpointUrl;
    if (m.error) f['opcua.transport.error'] = m.error.error;
    if (m.secureChannelId !== undefined) f['opcua.transport.scid'] = m.secureChannelId;
    if (m.asymmetric?.securityPolicyUri) f['opcua.security.spu'] = m.asymmetric.securityPolicyUri;
    if (m.tokenId !== undefined) f['opcua.security.tokenid'] = m.tokenId;
    if (m.sequenceNumber !== undefined) f['opcua.security.seq'] = m.sequenceNumber;
    if (m.requestId !== undefined) f['opcua.security.rqid'] = m.requestId;
    if (m.encrypted) f['opcua.encrypted'] = true;
    if (m.service) f['opcua.servicenodeid.numeric'] = m.service.id;
    const b = m.serviceBody;
    if (b?.securityMode) f['opcua.MessageSecurityMode'] = b.securityMode;
    if (b?.userIdentity) {
      f['opcua.UserTokenType'] = b.userIdentity.kind;
      if (b.userIdentity.policyId) f['opcua.PolicyId'] = b.userIdentity.policyId;
      if (b.userIdentity.userName) f['opcua.UserName'] = b.userIdentity.userName;
      // Rule keyword for a password sent without encryption (empty when it was in clear text).
      if (b.userIdentity.kind === 'username') f['opcua.EncryptionAlgorithm'] = b.userIdentity.encryptionAlgorithm ?? '';
    }
    if (b?.endpointUrl) f['opcua.EndpointUrl'] = b.endpointUrl;
    if (b?.serviceResult !== undefined) f['opcua.ServiceResult'] = b.serviceResult;
    if (b?.session?.name !== undefined) f['opcua.SessionName'] = b.session.name;
    if (b?.browse) f['opcua.browse.node'] = b.browse.nodes.map((n) => nodeIdText(n.node));
    if (b?.browseNext) f['opcua.browse.continuation_points'] = b.browseNext.continuationPoints.length;
    if (b?.browseResults) f['opcua.browse.references'] = b.browseResults.reduce((n, r) => n + r.references.length, 0);
    if (b?.read) {
      f['opcua.read.node'] = b.read.nodes.map((n) => nodeIdText(n.node));
      f['opcua.read.attribute'] = b.read.nodes.map((n) => n.attributeId);
    }
    if (b?.writes) f['opcua.write.node'] = b.writes.map((w) => w.node);
    if (b?.calls) f['opcua.call.method'] = b.calls.map((c) => c.method);
    if (b?.endpoints) {
      f['opcua.ApplicationUri'] = b.endpoints.map((e) => e.server.applicationUri ?? '');
      f['opcua.ProductUri'] = b.endpoints.map((e) => e.server.productUri ?? '');
      f['opcua.SecurityPolicyUri'] = b.endpoints.map((e) => e.securityPolicyUri ?? '');
    }
    return f;
  },

  // fields() restricted to what the traffic summary counts (Protocol.summaryFields).
  summaryFields(m) {
    const f: Fields = { 'opcua.transport.type': m.messageType };
    if (m.service) f['opcua.servicenodeid.numeric'] = m.service.id;
    return f;
  },

  tally: opcuaTally,
};

/** The organisation in a product or application URI (http://open62541.org → open62541, urn:FreeOpcUa:… → FreeOpcUa). */
function vendorFromUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const http = /^https?:\/\/([^/:]+)/i.exec(uri);
  if (http) {
    const labels = http[1].split('.').filter((l) => l !== 'www');
    return labels.length >= 2 ? labels[labels.length - 2] : labels[0];
  }
  const urn = /^urn:([^:]+)/i.exec(uri);
  const first = urn?.[1].split('.')[0];
  return first && first.toLowerCase() !== 'localhost' ? first : undefined;
}
