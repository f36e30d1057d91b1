// OPC UA server (IEC 62541-6 UA TCP, SecurityPolicy None): HEL → ACK, OPN → OpenSecureChannel
// response, GetEndpoints and FindServers → the persona's ApplicationDescription, then an
// anonymous session (CreateSession, ActivateSession) over the device's small address space
// (opcua-address-space.ts): Browse, BrowseNext, Read; Write is refused as a device refuses an
// anonymous user (BadUserAccessDenied); user-name logins are refused (no account is known);
// other services get a ServiceFault. CLO closes.
import {
  acknowledge, activateSessionRequest, activateSessionResponse, browseResponse, closeSessionRequest, closeSessionResponse, createSessionRequest,
  createSessionResponse, findServersResponse, getEndpointsRequest, getEndpointsResponse, helloMessage, openSecureChannelRequest,
  openSecureChannelResponse, opcua, readRequest, readResponse, requestHeaderOf, serviceFault, STATUS, writeResponse, BUILT_IN, DATE_TIME_UNSET, SERVICE_IDS,
  type BrowseDescription, type BrowseResult, type ChannelRef, type DataValue, type EndpointOffer, type NodeId, type OpcuaMessage,
  type ReadValueId, type ReferenceDescription, type ServiceBody, type Variant,
} from '../../protocols/opcua/index.ts';
import { ByteReader, ByteWriter } from '../../wire/index.ts';
import { hash32, random, render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour, Conversation } from './types.ts';
import {
  ACCESS, addressSpaceOf, isReferenceType, keyOf, NODE_CLASS, referenceMatches, type AddressSpace, type UaNode,
} from './opcua-address-space.ts';

export { addressSpaceOf, buildInfoOf, type AddressSpace, type BuildInfoValue, type ProcessVariable } from './opcua-address-space.ts';

/** Operations per request a server of this size accepts (its OperationLimits). */
const MAX_OPERATIONS = 1000;
/** References per node when the client sets no limit. */
const MAX_REFERENCES = 1000;
const ANONYMOUS_POLICY = 'anonymous';
const USERNAME_POLICY = 'username';

export function endpointUrl(device: Device): string {
  return `opc.tcp://${device.vars.address}:4840`;
}

/** The one endpoint: SecurityPolicy None, anonymous or user-name login (the password in clear, as such devices allow). */
export function endpointOffer(device: Device): EndpointOffer | undefined {
  const spec = device.persona.services.opcua;
  if (!spec) return undefined;
  return {
    endpointUrl: endpointUrl(device),
    applicationUri: render(spec.applicationUri, device.vars),
    productUri: render(spec.productUri, device.vars),
    applicationName: render(spec.applicationName, device.vars),
    userTokens: [{ policyId: ANONYMOUS_POLICY, tokenType: 'Anonymous' }, { policyId: USERNAME_POLICY, tokenType: 'UserName' }],
  };
}

function hex(b: Uint8Array | null | undefined): string {
  return b ? [...b].map((x) => x.toString(16).padStart(2, '0')).join('') : '';
}

/**
 * A session's seed: from what the client sent (its nonce and request timestamp) and where
 * (channel, session number), so each client's session differs and a given exchange repeats.
 */
export function sessionSeed(device: Device, clientNonce: Uint8Array | null, timestamp: number, channel: number, count: number): number {
  return hash32(`${device.vars.serial}|${hex(clientNonce)}|${timestamp}|${channel}|${count}`) || 1;
}

/** The session id, authentication token (16 opaque octets) and server nonce (32 octets) of a seed. */
export function sessionIds(seed: number): { sessionId: NodeId; authenticationToken: NodeId; serverNonce: Uint8Array } {
  const next = random(seed);
  const octets = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  const sessionId: NodeId = { namespace: 1, kind: 'numeric', id: 1 + Math.floor(next() * 0x7fff_fff0) };
  const authenticationToken: NodeId = { namespace: 0, kind: 'opaque', id: hex(octets(16)) };
  return { sessionId, authenticationToken, serverNonce: octets(32) };
}

function sameNode(a: NodeId | undefined, b: NodeId): boolean {
  return !!a && a.namespace === b.namespace && a.kind === b.kind && String(a.id).toLowerCase() === String(b.id).toLowerCase();
}

function answer(device: Device, request: OpcuaMessage, conversation: Conversation): OpcuaMessage[] {
  const offer = endpointOffer(device);
  if (!offer) return [];
  const d = conversation.data;
  const now = Date.now();
  if (request.messageType === 'HEL') return [acknowledge()];
  if (request.messageType === 'CLO') {
    conversation.close = true;
    return [];
  }
  const next = () => (d.sequence = (d.sequence ?? 50) + 1);
  if (request.messageType === 'OPN') {
    d.channel = (d.channel ?? 0) + 1;
    d.token = 1;
    return [openSecureChannelResponse(d.channel, d.token, { sequenceNumber: next(), requestId: request.requestId ?? 0, requestHandle: request.serviceBody?.header?.requestHandle }, now)];
  }
  if (request.messageType !== 'MSG' || request.chunkType !== 'F' || request.encrypted) {
    // Intermediate chunks wait for the final one; an aborted message needs no answer.
    if (request.messageType === 'MSG' && request.chunkType !== 'F') return [];
    conversation.close = true;
    return [];
  }
  const ch: ChannelRef = { secureChannelId: d.channel ?? request.secureChannelId ?? 0, tokenId: d.token ?? 1, sequenceNumber: next(), requestId: request.requestId ?? 0 };
  const body: ServiceBody = { ...request.serviceBody };
  // Requests the engine does not decode still carry a header: answered in (or refused outside) their session.
  body.header ??= request.body ? requestHeaderOf(request.body) : undefined;
  const handle = body.header?.requestHandle ?? 0;
  const service = request.service?.id;
  if (service === undefined) return [serviceFault(ch, handle, STATUS.BadServiceUnsupported, now)];
  if (request.anomalies.includes('service-body-malformed')) return [serviceFault(ch, handle, STATUS.BadDecodingError, now)];
  switch (service) {
    case SERVICE_IDS.GetEndpointsRequest:
      return [getEndpointsResponse(offer, ch, now, handle)];
    case SERVICE_IDS.FindServersRequest:
      return [findServersResponse(ch, handle, [offer], now)];
    case SERVICE_IDS.CreateSessionRequest: {
      d.sessions = (d.sessions ?? 0) + 1;
      const seed = sessionSeed(device, body.session?.clientNonce ?? null, body.header?.timestamp ?? 0, ch.secureChannelId, d.sessions);
      d.session = seed;
      d.activated = 0;
      const ids = sessionIds(seed);
      const requested = body.session?.requestedTimeout ?? 0;
      const revisedTimeout = Number.isFinite(requested) ? Math.min(3_600_000, Math.max(10_000, requested)) : 3_600_000;
      return [createSessionResponse(ch, handle, { ...ids, revisedTimeout, endpoints: [offer] }, now)];
    }
  }
  // Everything below runs inside the session the token names.
  const ids = d.session ? sessionIds(d.session) : undefined;
  if (!ids || !sameNode(body.header?.authenticationToken, ids.authenticationToken)) return [serviceFault(ch, handle, STATUS.BadSessionIdInvalid, now)];
  switch (service) {
    case SERVICE_IDS.ActivateSessionRequest: {
      const who = body.userIdentity;
      if (who?.kind === 'anonymous') {
        if (who.policyId !== undefined && who.policyId !== ANONYMOUS_POLICY) return [serviceFault(ch, handle, STATUS.BadIdentityTokenInvalid, now)];
        d.activated = 1;
        return [activateSessionResponse(ch, handle, sessionIds(d.session! ^ 0x5a5a5a5a).serverNonce, now)];
      }
      // No account is configured that an attacker could know: every user-name login fails.
      if (who?.kind === 'username') return [serviceFault(ch, handle, STATUS.BadUserAccessDenied, now)];
      return [serviceFault(ch, handle, STATUS.BadIdentityTokenRejected, now)];
    }
    case SERVICE_IDS.CloseSessionRequest:
      d.session = 0;
      d.activated = 0;
      return [closeSessionResponse(ch, handle, now)];
  }
  if (!d.activated) return [serviceFault(ch, handle, STATUS.BadSessionNotActivated, now)];
  const space = addressSpaceOf(device);
  switch (service) {
    case SERVICE_IDS.BrowseRequest: {
      const b = body.browse;
      if (!b || b.nodes.length === 0) return [serviceFault(ch, handle, STATUS.BadNothingToDo, now)];
      if (b.nodes.length > MAX_OPERATIONS) return [serviceFault(ch, handle, STATUS.BadTooManyOperations, now)];
      const max = b.maxReferences > 0 ? Math.min(b.maxReferences, MAX_REFERENCES) : MAX_REFERENCES;
      return [browseResponse(ch, handle, b.nodes.map((n) => browse(space, n, 0, max, d.session!)), now)];
    }
    case SERVICE_IDS.BrowseNextRequest: {
      const b = body.browseNext;
      if (!b || b.continuationPoints.length === 0) return [serviceFault(ch, handle, STATUS.BadNothingToDo, now)];
      const results = b.continuationPoints.map((cp): BrowseResult => {
        const c = readContinuation(cp, d.session!);
        if (!c) return { status: STATUS.BadContinuationPointInvalid, continuationPoint: null, references: [] };
        if (b.release) return { status: STATUS.Good, continuationPoint: null, references: [] };
        return browse(space, c.description, c.offset, c.max, d.session!);
      });
      return [browseResponse(ch, handle, results, now, true)];
    }
    case SERVICE_IDS.ReadRequest: {
      const r = body.read;
      if (!r || r.nodes.length === 0) return [serviceFault(ch, handle, STATUS.BadNothingToDo, now)];
      if (r.nodes.length > MAX_OPERATIONS) return [serviceFault(ch, handle, STATUS.BadTooManyOperations, now)];
      if (r.timestampsToReturn > 3) return [serviceFault(ch, handle, STATUS.BadTimestampsToReturnInvalid, now)];
      return [readResponse(ch, handle, r.nodes.map((n) => read(space, n, r.timestampsToReturn, now)), now)];
    }
    case SERVICE_IDS.WriteRequest: {
      const w = body.writes;
      if (!w || w.length === 0) return [serviceFault(ch, handle, STATUS.BadNothingToDo, now)];
      if (w.length > MAX_OPERATIONS) return [serviceFault(ch, handle, STATUS.BadTooManyOperations, now)];
      const results = w.map((x) => writeStatus(space, x.nodeId, x.attributeId));
      return [writeResponse(ch, handle, results, now)];
    }
  }
  return [serviceFault(ch, handle, STATUS.BadServiceUnsupported, now)];
}

/**
 * Nothing is written: unknown nodes are unknown, attributes other than Value and read-only
 * variables are not writable, and a setpoint is the operator's, not an anonymous user's.
 */
function writeStatus(space: AddressSpace, nodeId: NodeId, attributeId: number): number {
  const node = space.nodes.get(keyOf(nodeId));
  if (!node) return STATUS.BadNodeIdUnknown;
  if (attributeId !== 13 || !node.variable) return STATUS.BadNotWritable;
  return node.variable.accessLevel & ACCESS.write ? STATUS.BadUserAccessDenied : STATUS.BadNotWritable;
}

/** The references of one node a BrowseDescription selects (IEC 62541-4 §5.8.2), `max` from `offset`. */
function browse(space: AddressSpace, desc: BrowseDescription, offset: number, max: number, session: number): BrowseResult {
  const node = space.nodes.get(keyOf(desc.node));
  if (!node) return { status: STATUS.BadNodeIdUnknown, continuationPoint: null, references: [] };
  if (desc.browseDirection > 2) return { status: STATUS.BadBrowseDirectionInvalid, continuationPoint: null, references: [] };
  const rt = desc.referenceType;
  const any = rt.namespace === 0 && rt.kind === 'numeric' && rt.id === 0;
  if (!any && !(rt.namespace === 0 && rt.kind === 'numeric' && isReferenceType(rt.id))) {
    return { status: STATUS.BadReferenceTypeIdInvalid, continuationPoint: null, references: [] };
  }
  const all: ReferenceDescription[] = [];
  const take = (refs: UaNode['refs'], isForward: boolean) => {
    for (const r of refs) {
      if (!any && !referenceMatches(r.type, rt.id as number, desc.includeSubtypes)) continue;
      const target = space.nodes.get(r.target);
      if (!target || (desc.nodeClassMask && !(desc.nodeClassMask & target.nodeClass))) continue;
      all.push(describe(target, r.type, isForward, desc.resultMask, space));
    }
  };
  if (desc.browseDirection !== 1) take(node.refs, true);
  if (desc.browseDirection !== 0) take(node.inverse, false);
  const page = all.slice(offset, offset + max);
  const more = offset + max < all.length;
  return { status: STATUS.Good, continuationPoint: more ? continuation(desc, offset + max, max, session) : null, references: page };
}

const NULL_NODE: NodeId = { namespace: 0, kind: 'numeric', id: 0 };

/** A ReferenceDescription with the fields resultMask asks for (bits: type, forward, class, name, display name, type definition). */
function describe(target: UaNode, type: number, isForward: boolean, mask: number, space: AddressSpace): ReferenceDescription {
  const typeDef = target.typeDefinition ? space.nodes.get(target.typeDefinition)?.nodeId : undefined;
  return {
    referenceType: mask & 0x01 ? { namespace: 0, kind: 'numeric', id: type } : NULL_NODE,
    isForward: mask & 0x02 ? isForward : false,
    node: target.nodeId,
    browseName: mask & 0x08 ? target.browseName : { namespace: 0, name: '' },
    displayName: mask & 0x10 ? target.displayName : {},
    nodeClass: mask & 0x04 ? target.nodeClass : 0,
    typeDefinition: mask & 0x20 && typeDef ? typeDef : NULL_NODE,
  };
}

/**
 * Continuation points are opaque to the client (§7.9); this server keeps none in memory: the
 * point carries the browse to resume, tied to the session that asked.
 */
function continuation(desc: BrowseDescription, offset: number, max: number, session: number): Uint8Array {
  const w = new ByteWriter(64);
  w.u32le(session).u32le(offset).u32le(max).u32le(desc.browseDirection).u8(desc.includeSubtypes ? 1 : 0).u32le(desc.nodeClassMask).u32le(desc.resultMask);
  w.u32le(desc.referenceType.kind === 'numeric' ? desc.referenceType.id : 0);
  const node = new TextEncoder().encode(keyOf(desc.node));
  w.u16le(node.length).bytes(node);
  return w.finish();
}

function readContinuation(cp: Uint8Array, session: number): { description: BrowseDescription; offset: number; max: number } | undefined {
  const r = new ByteReader(cp);
  if (r.u32le() !== session) return undefined;
  const offset = r.u32le();
  const max = r.u32le();
  const browseDirection = r.u32le();
  const includeSubtypes = r.u8() === 1;
  const nodeClassMask = r.u32le();
  const resultMask = r.u32le();
  const referenceType: NodeId = { namespace: 0, kind: 'numeric', id: r.u32le() };
  const key = new TextDecoder().decode(r.bytesView(r.u16le()));
  if (r.overrun || max === 0 || max > MAX_REFERENCES) return undefined;
  return { description: { node: nodeIdOfKey(key), browseDirection, referenceType, includeSubtypes, nodeClassMask, resultMask }, offset, max };
}

function nodeIdOfKey(key: string): NodeId {
  const [ns, kind, ...rest] = key.split('|');
  const id = rest.join('|');
  return (kind === 'numeric' ? { namespace: Number(ns), kind, id: Number(id) } : { namespace: Number(ns), kind, id }) as NodeId;
}

/** One attribute of one node (IEC 62541-3 §5, attribute ids from IEC 62541-6 Annex A). */
function read(space: AddressSpace, item: ReadValueId, timestamps: number, now: number): DataValue {
  const node = space.nodes.get(keyOf(item.node));
  if (!node) return { status: STATUS.BadNodeIdUnknown };
  const v = node.variable;
  const value = (x: Variant): DataValue => ({ value: x });
  const isType = node.nodeClass === NODE_CLASS.ObjectType || node.nodeClass === NODE_CLASS.VariableType || node.nodeClass === NODE_CLASS.DataType || node.nodeClass === NODE_CLASS.ReferenceType;
  switch (item.attributeId) {
    case 1: return value({ type: BUILT_IN.NodeId, value: node.nodeId });
    case 2: return value({ type: BUILT_IN.Int32, value: node.nodeClass });
    case 3: return value({ type: BUILT_IN.QualifiedName, value: node.browseName });
    case 4: return value({ type: BUILT_IN.LocalizedText, value: node.displayName });
    case 5: return value({ type: BUILT_IN.LocalizedText, value: node.description });
    case 6: case 7: return value({ type: BUILT_IN.UInt32, value: 0 });
    case 8: return isType ? value({ type: BUILT_IN.Boolean, value: node.isAbstract ?? false }) : { status: STATUS.BadAttributeIdInvalid };
    case 12: return node.nodeClass === NODE_CLASS.Object ? value({ type: BUILT_IN.Byte, value: node.eventNotifier ?? 0 }) : { status: STATUS.BadAttributeIdInvalid };
  }
  if (!v) return { status: STATUS.BadAttributeIdInvalid };
  switch (item.attributeId) {
    case 13: {
      if (item.indexRange !== undefined) return { status: 0x80360000 }; // BadIndexRangeInvalid: no arrays here a client would slice
      const out: DataValue = { value: v.value(now) };
      if (timestamps === 0 || timestamps === 2) out.sourceTimestamp = v.sampled(now);
      if (timestamps === 1 || timestamps === 2) out.serverTimestamp = now;
      return out;
    }
    case 14: return value({ type: BUILT_IN.NodeId, value: { namespace: 0, kind: 'numeric', id: v.dataType } });
    case 15: return value({ type: BUILT_IN.Int32, value: v.valueRank });
    case 16: return value(v.valueRank === 1 ? { type: BUILT_IN.UInt32, value: [0] } : { type: BUILT_IN.Null, value: null });
    case 17: return value({ type: BUILT_IN.Byte, value: v.accessLevel });
    case 18: return value({ type: BUILT_IN.Byte, value: v.userAccessLevel });
    case 19: return value({ type: BUILT_IN.Double, value: v.minimumSamplingInterval });
    case 20: return value({ type: BUILT_IN.Boolean, value: false });
  }
  return { status: STATUS.BadAttributeIdInvalid };
}

/** The ServerStatus and BuildInfo variables a scanner reads to identify the server. */
export const IDENTIFICATION_READ: ReadValueId[] = [{ node: { namespace: 0, kind: 'numeric', id: 2260 }, attributeId: 13 }];

export const opcuaBehaviour: Behaviour<OpcuaMessage> = {
  name: 'opcua',
  protocol: opcua,
  answer,
  // What otscope's scanner asks: endpoints, then an anonymous session that reads BuildInfo. The
  // session's token is what this server would issue for these very requests (channel 1, first session).
  probes: (device) => {
    const url = endpointUrl(device);
    const token = sessionIds(sessionSeed(device, null, DATE_TIME_UNSET, 1, 1)).authenticationToken;
    const ch = (n: number): ChannelRef => ({ secureChannelId: 1, tokenId: 1, sequenceNumber: n, requestId: n });
    return [
      helloMessage(url), openSecureChannelRequest(1), getEndpointsRequest(url, 1, 1, 2, 2),
      createSessionRequest(ch(3), { endpointUrl: url, sessionName: 'otscope' }),
      activateSessionRequest(ch(4), token, { kind: 'anonymous', policyId: ANONYMOUS_POLICY }),
      readRequest(ch(5), token, IDENTIFICATION_READ, 3),
      closeSessionRequest(ch(6), token),
    ];
  },
};

