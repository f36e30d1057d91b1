// Service catalogue (binary encoding node ids of the request/response types, IEC 62541-6 Annex
// and the NodeIds.csv of the specification) and the service bodies identification needs:
// GetEndpoints (IEC 62541-4 §5.4.4) and CreateSession (§5.6.2), whose answers carry the server's
// ApplicationDescription (§7.2) and EndpointDescriptions (§7.14).
import { ByteReader } from '../../wire/index.ts';
import {
  nodeIdText, readArray, readByteString, readDataValueFull, readLocalizedText, readNodeId, readQualifiedName, readRequestHeader, readResponseHeader,
  readString, readVariant, type DataValue, type ExtensionObject, type LocalizedText, type NodeId, type QualifiedName, type RequestHeader,
  type Variant,
} from './codec.ts';

export const SERVICES: Record<number, string> = {
  397: 'ServiceFault',
  422: 'FindServersRequest', 425: 'FindServersResponse',
  428: 'GetEndpointsRequest', 431: 'GetEndpointsResponse',
  437: 'RegisterServerRequest', 440: 'RegisterServerResponse',
  446: 'OpenSecureChannelRequest', 449: 'OpenSecureChannelResponse',
  452: 'CloseSecureChannelRequest', 455: 'CloseSecureChannelResponse',
  461: 'CreateSessionRequest', 464: 'CreateSessionResponse',
  467: 'ActivateSessionRequest', 470: 'ActivateSessionResponse',
  473: 'CloseSessionRequest', 476: 'CloseSessionResponse',
  479: 'CancelRequest', 482: 'CancelResponse',
  488: 'AddNodesRequest', 491: 'AddNodesResponse',
  494: 'AddReferencesRequest', 497: 'AddReferencesResponse',
  500: 'DeleteNodesRequest', 503: 'DeleteNodesResponse',
  506: 'DeleteReferencesRequest', 509: 'DeleteReferencesResponse',
  527: 'BrowseRequest', 530: 'BrowseResponse',
  533: 'BrowseNextRequest', 536: 'BrowseNextResponse',
  554: 'TranslateBrowsePathsToNodeIdsRequest', 557: 'TranslateBrowsePathsToNodeIdsResponse',
  560: 'RegisterNodesRequest', 563: 'RegisterNodesResponse',
  566: 'UnregisterNodesRequest', 569: 'UnregisterNodesResponse',
  615: 'QueryFirstRequest', 618: 'QueryFirstResponse',
  621: 'QueryNextRequest', 624: 'QueryNextResponse',
  631: 'ReadRequest', 634: 'ReadResponse',
  664: 'HistoryReadRequest', 667: 'HistoryReadResponse',
  673: 'WriteRequest', 676: 'WriteResponse',
  700: 'HistoryUpdateRequest', 703: 'HistoryUpdateResponse',
  712: 'CallRequest', 715: 'CallResponse',
  751: 'CreateMonitoredItemsRequest', 754: 'CreateMonitoredItemsResponse',
  763: 'ModifyMonitoredItemsRequest', 766: 'ModifyMonitoredItemsResponse',
  769: 'SetMonitoringModeRequest', 772: 'SetMonitoringModeResponse',
  775: 'SetTriggeringRequest', 778: 'SetTriggeringResponse',
  781: 'DeleteMonitoredItemsRequest', 784: 'DeleteMonitoredItemsResponse',
  787: 'CreateSubscriptionRequest', 790: 'CreateSubscriptionResponse',
  793: 'ModifySubscriptionRequest', 796: 'ModifySubscriptionResponse',
  799: 'SetPublishingModeRequest', 802: 'SetPublishingModeResponse',
  826: 'PublishRequest', 829: 'PublishResponse',
  832: 'RepublishRequest', 835: 'RepublishResponse',
  841: 'TransferSubscriptionsRequest', 844: 'TransferSubscriptionsResponse',
  847: 'DeleteSubscriptionsRequest', 850: 'DeleteSubscriptionsResponse',
  12208: 'FindServersOnNetworkRequest', 12209: 'FindServersOnNetworkResponse',
};

export const SECURITY_MODES = ['Invalid', 'None', 'Sign', 'SignAndEncrypt'] as const;
export const APPLICATION_TYPES = ['Server', 'Client', 'ClientAndServer', 'DiscoveryServer'] as const;

export interface ApplicationDescription {
  applicationUri?: string;
  productUri?: string;
  applicationName?: string;
  applicationType: string;
  discoveryUrls: string[];
}

export const USER_TOKEN_TYPES = ['Anonymous', 'UserName', 'Certificate', 'IssuedToken'] as const;

export interface EndpointDescription {
  endpointUrl?: string;
  server: ApplicationDescription;
  securityMode: string;
  securityPolicyUri?: string;
  /** UserTokenPolicy list (IEC 62541-4 §7.37): how a client may log in on this endpoint. */
  userTokens: Array<{ policyId?: string; tokenType: string }>;
  securityLevel: number;
}

/** IEC 62541-4 §7.5 BrowseDescription. browseDirection: 0 forward, 1 inverse, 2 both. */
export interface BrowseDescription {
  node: NodeId;
  browseDirection: number;
  referenceType: NodeId;
  includeSubtypes: boolean;
  nodeClassMask: number;
  resultMask: number;
}

/** IEC 62541-4 §7.30 ReferenceDescription. */
export interface ReferenceDescription {
  referenceType: NodeId;
  isForward: boolean;
  node: NodeId;
  browseName: QualifiedName;
  displayName: LocalizedText;
  nodeClass: number;
  typeDefinition: NodeId;
}

/** IEC 62541-4 §7.6 BrowseResult. */
export interface BrowseResult {
  status: number;
  continuationPoint: Uint8Array | null;
  references: ReferenceDescription[];
}

/** IEC 62541-4 §7.29 ReadValueId (attribute ids: IEC 62541-6 Annex A, 13 = Value). */
export interface ReadValueId {
  node: NodeId;
  attributeId: number;
  indexRange?: string;
}

/** IEC 62541-5 §12.4 BuildInfo: what the server says it is, in ServerStatus and its BuildInfo variable. */
export interface BuildInfo {
  productUri?: string;
  manufacturerName?: string;
  productName?: string;
  softwareVersion?: string;
  buildNumber?: string;
}

/** Binary encoding ids (NodeIds.csv): BuildInfo_Encoding_DefaultBinary, ServerStatusDataType_Encoding_DefaultBinary. */
const BUILD_INFO_ENCODING = 340;
const SERVER_STATUS_ENCODING = 864;

/**
 * ActivateSession's user identity token (IEC 62541-4 §7.36), named by its encoding id:
 * AnonymousIdentityToken 321, UserNameIdentityToken 324, X509IdentityToken 327, IssuedIdentityToken 940.
 * The password is never kept.
 */
export interface UserIdentity {
  kind: 'anonymous' | 'username' | 'certificate' | 'issued' | 'unknown';
  policyId?: string;
  userName?: string;
  /** UserNameIdentityToken.encryptionAlgorithm; null means the password crossed in clear text. */
  encryptionAlgorithm?: string | null;
}

const TOKEN_KINDS: Record<number, UserIdentity['kind']> = { 321: 'anonymous', 324: 'username', 327: 'certificate', 940: 'issued' };

export interface ServiceBody {
  /** Every request's RequestHeader: the session's authentication token and the request handle. */
  header?: RequestHeader;
  /** CreateSessionRequest: the session name and the client's nonce. */
  session?: { name?: string; clientNonce: Uint8Array | null; requestedTimeout: number };
  /** CreateSessionResponse: the session the server made. */
  createdSession?: { sessionId: NodeId; authenticationToken: NodeId; revisedTimeout: number };
  /** BrowseRequest. */
  browse?: { maxReferences: number; nodes: BrowseDescription[] };
  /** BrowseNextRequest. */
  browseNext?: { release: boolean; continuationPoints: Uint8Array[] };
  /** BrowseResponse / BrowseNextResponse. */
  browseResults?: BrowseResult[];
  /** ReadRequest. timestampsToReturn: 0 source, 1 server, 2 both, 3 neither. */
  read?: { maxAge: number; timestampsToReturn: number; nodes: ReadValueId[] };
  /** ReadResponse values. */
  values?: DataValue[];
  /** WriteResponse / per-operation status codes. */
  results?: number[];
  /** FindServersResponse. */
  servers?: ApplicationDescription[];
  /** CloseSessionRequest. */
  deleteSubscriptions?: boolean;
  /** OpenSecureChannelRequest: the requested security mode. */
  securityMode?: string;
  /** GetEndpointsRequest / CreateSessionRequest endpoint URL. */
  endpointUrl?: string;
  serviceResult?: number;
  endpoints?: EndpointDescription[];
  /** CreateSessionResponse endpoints' server, or CreateSessionRequest's client description. */
  application?: ApplicationDescription;
  /** ReadResponse values that were a BuildInfo or a ServerStatusDataType. */
  buildInfo?: BuildInfo;
  /** ActivateSessionRequest: who the client logs in as. */
  userIdentity?: UserIdentity;
  /** WriteRequest: the nodes written (text NodeIds) and attribute ids (13 = Value). */
  writes?: Array<{ node: string; nodeId: NodeId; attributeId: number; value?: Variant }>;
  /** CallRequest: the objects and methods called (text NodeIds). */
  calls?: Array<{ object: string; method: string }>;
}

function str(r: ByteReader): string | undefined {
  return readString(r) ?? undefined;
}

export function readApplicationDescription(r: ByteReader): ApplicationDescription {
  const applicationUri = str(r);
  const productUri = str(r);
  const applicationName = readLocalizedText(r).text;
  const type = r.u32le();
  str(r); // gatewayServerUri
  str(r); // discoveryProfileUri
  const discoveryUrls = (readArray(r, readString) ?? []).filter((s): s is string => typeof s === 'string');
  return { applicationUri, productUri, applicationName, applicationType: APPLICATION_TYPES[type] ?? 'unknown', discoveryUrls };
}

function readEndpointDescription(r: ByteReader): EndpointDescription {
  const endpointUrl = str(r);
  const server = readApplicationDescription(r);
  readByteString(r); // serverCertificate
  const mode = r.u32le();
  const securityPolicyUri = str(r);
  const userTokens =
    readArray(r, (x) => {
      const policyId = str(x);
      const tokenType = USER_TOKEN_TYPES[x.u32le()] ?? 'unknown';
      str(x); // issuedTokenType
      str(x); // issuerEndpointUrl
      str(x); // securityPolicyUri
      return policyId === undefined ? { tokenType } : { policyId, tokenType };
    }) ?? [];
  str(r); // transportProfileUri
  const securityLevel = r.u8();
  return { endpointUrl, server, securityMode: SECURITY_MODES[mode] ?? 'unknown', securityPolicyUri, userTokens, securityLevel };
}

function readReferenceDescription(r: ByteReader): ReferenceDescription {
  const referenceType = readNodeId(r);
  const isForward = r.u8() !== 0;
  const node = readNodeId(r);
  const browseName = readQualifiedName(r);
  const displayName = readLocalizedText(r);
  const nodeClass = r.u32le();
  const typeDefinition = readNodeId(r);
  return { referenceType, isForward, node, browseName, displayName, nodeClass, typeDefinition };
}

function readBrowseResults(r: ByteReader): BrowseResult[] {
  return (
    readArray(r, (x) => ({
      status: x.u32le(),
      continuationPoint: readByteString(x) ?? null,
      references: readArray(x, readReferenceDescription) ?? [],
    })) ?? []
  );
}

function readStatusCodes(r: ByteReader): number[] {
  return readArray(r, (x) => x.u32le()) ?? [];
}

/** The RequestHeader of a request's body (type id first), for services readServiceBody leaves undecoded. */
export function requestHeaderOf(body: Uint8Array): RequestHeader | undefined {
  const r = new ByteReader(body);
  readNodeId(r);
  const header = readRequestHeader(r);
  return r.overrun ? undefined : header;
}

/** Decodes the bodies identification, detection and the personas use; false when they do not parse. */
export function readServiceBody(service: number, r: ByteReader, out: ServiceBody): boolean {
  switch (service) {
    case 397:
      out.serviceResult = readResponseHeader(r);
      break;
    case 446: {
      out.header = readRequestHeader(r);
      r.u32le(); // clientProtocolVersion
      r.u32le(); // requestType
      out.securityMode = SECURITY_MODES[r.u32le()] ?? 'unknown';
      break;
    }
    case 422:
      out.header = readRequestHeader(r);
      out.endpointUrl = str(r);
      break;
    case 425:
      out.serviceResult = readResponseHeader(r);
      out.servers = readArray(r, readApplicationDescription) ?? [];
      break;
    case 428:
      out.header = readRequestHeader(r);
      out.endpointUrl = str(r);
      break;
    case 431:
      out.serviceResult = readResponseHeader(r);
      out.endpoints = readArray(r, readEndpointDescription) ?? [];
      break;
    case 461: {
      out.header = readRequestHeader(r);
      out.application = readApplicationDescription(r);
      str(r); // serverUri
      out.endpointUrl = str(r);
      const name = str(r);
      const clientNonce = readByteString(r) ?? null;
      readByteString(r); // clientCertificate
      const requestedTimeout = r.f64le();
      out.session = name === undefined ? { clientNonce, requestedTimeout } : { name, clientNonce, requestedTimeout };
      break;
    }
    case 464: {
      out.serviceResult = readResponseHeader(r);
      const sessionId = readNodeId(r);
      const authenticationToken = readNodeId(r);
      const revisedTimeout = r.f64le();
      out.createdSession = { sessionId, authenticationToken, revisedTimeout };
      readByteString(r); // serverNonce
      readByteString(r); // serverCertificate
      out.endpoints = readArray(r, readEndpointDescription) ?? [];
      break;
    }
    case 467: {
      out.header = readRequestHeader(r);
      readString(r); // clientSignature.algorithm
      readByteString(r); // clientSignature.signature
      readArray(r, (x) => [readByteString(x), readByteString(x)]); // clientSoftwareCertificates
      readArray(r, readString); // localeIds
      const typeId = readNodeId(r);
      const enc = r.u8();
      const body = enc === 1 ? readByteString(r) : null;
      const kind = typeId.namespace === 0 && typeId.kind === 'numeric' ? (TOKEN_KINDS[typeId.id] ?? 'unknown') : 'unknown';
      const identity: UserIdentity = { kind };
      if (body) {
        const t = new ByteReader(body);
        identity.policyId = str(t);
        if (kind === 'username') {
          identity.userName = str(t);
          readByteString(t); // password: read past, never kept
          identity.encryptionAlgorithm = readString(t) ?? null;
        }
      }
      out.userIdentity = identity;
      break;
    }
    case 470:
      out.serviceResult = readResponseHeader(r);
      readByteString(r); // serverNonce
      out.results = readStatusCodes(r);
      break;
    case 473:
      out.header = readRequestHeader(r);
      out.deleteSubscriptions = r.u8() !== 0;
      break;
    case 476: case 676:
      out.serviceResult = readResponseHeader(r);
      if (service === 676) out.results = readStatusCodes(r);
      break;
    case 527: {
      out.header = readRequestHeader(r);
      readNodeId(r); // view.viewId
      r.skip(8 + 4); // view.timestamp, view.viewVersion
      const maxReferences = r.u32le();
      const nodes =
        readArray(r, (x) => ({
          node: readNodeId(x),
          browseDirection: x.u32le(),
          referenceType: readNodeId(x),
          includeSubtypes: x.u8() !== 0,
          nodeClassMask: x.u32le(),
          resultMask: x.u32le(),
        })) ?? [];
      out.browse = { maxReferences, nodes };
      break;
    }
    case 533: {
      out.header = readRequestHeader(r);
      const release = r.u8() !== 0;
      const continuationPoints = (readArray(r, readByteString) ?? []).filter((b): b is Uint8Array => b instanceof Uint8Array);
      out.browseNext = { release, continuationPoints };
      break;
    }
    case 530: case 536:
      out.serviceResult = readResponseHeader(r);
      out.browseResults = readBrowseResults(r);
      break;
    case 631: {
      out.header = readRequestHeader(r);
      const maxAge = r.f64le();
      const timestampsToReturn = r.u32le();
      const nodes =
        readArray(r, (x) => {
          const node = readNodeId(x);
          const attributeId = x.u32le();
          const indexRange = str(x);
          readQualifiedName(x); // dataEncoding
          return indexRange === undefined ? { node, attributeId } : { node, attributeId, indexRange };
        }) ?? [];
      out.read = { maxAge, timestampsToReturn, nodes };
      break;
    }
    case 673:
      out.header = readRequestHeader(r);
      out.writes =
        readArray(r, (x) => {
          const nodeId = readNodeId(x);
          const attributeId = x.u32le();
          readString(x); // indexRange
          const d = readDataValueFull(x);
          const node = nodeIdText(nodeId);
          return d.value ? { node, nodeId, attributeId, value: d.value } : { node, nodeId, attributeId };
        }) ?? [];
      break;
    case 712:
      out.header = readRequestHeader(r);
      out.calls =
        readArray(r, (x) => {
          const object = nodeIdText(readNodeId(x));
          const method = nodeIdText(readNodeId(x));
          readArray(x, (v) => readVariant(v, []));
          return { object, method };
        }) ?? [];
      break;
    case 634: {
      out.serviceResult = readResponseHeader(r);
      const values = readArray(r, readDataValueFull) ?? [];
      out.values = values;
      for (const v of values) {
        const e = v.value?.value;
        const b = e && typeof e === 'object' && 'typeId' in e && 'body' in e ? buildInfoOf(e) : undefined;
        if (b) out.buildInfo = b;
      }
      break;
    }
    default:
      // Other services are not decoded (passive analysis meets Publish more than anything);
      // requestHeaderOf reads a request's header when a server needs it.
      return true;
  }
  return !r.overrun;
}

function buildInfoOf(e: ExtensionObject): BuildInfo | undefined {
  if (e.typeId.namespace !== 0 || e.typeId.kind !== 'numeric') return undefined;
  const r = new ByteReader(e.body);
  if (e.typeId.id === SERVER_STATUS_ENCODING) r.skip(8 + 8 + 4); // startTime, currentTime, state
  else if (e.typeId.id !== BUILD_INFO_ENCODING) return undefined;
  const b: BuildInfo = {
    productUri: str(r),
    manufacturerName: str(r),
    productName: str(r),
    softwareVersion: str(r),
    buildNumber: str(r),
  };
  return r.overrun ? undefined : b;
}
