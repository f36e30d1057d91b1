import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activateSessionRequest, browseNextRequest, browseRequest, closeSessionRequest, createSessionRequest, helloMessage, opcua, openSecureChannelRequest,
  readRequest, STATUS, writeRequest, type ChannelRef, type NodeId, type OpcuaMessage,
} from '../../protocols/opcua/index.ts';
import { deploy } from '../deploy.ts';
import { personaById } from '../catalogue.ts';
import { DeviceSession } from './index.ts';
import { addressSpaceOf, endpointUrl } from './opcua.ts';

const i = (id: number, namespace = 0): NodeId => ({ namespace, kind: 'numeric', id });

/** One client connection: sends a request, returns the parsed replies. */
function client(seed = 'opcua-behaviour', persona = 'siemens-s7-1500-cpu1516-3pndp') {
  const device = deploy(personaById(persona)!, seed, 1);
  const session = new DeviceSession(device, 'opcua', 'tcp');
  let n = 1;
  const send = (m: OpcuaMessage): OpcuaMessage[] =>
    session.receive(opcua.encode(m)).map((b) => {
      const r = opcua.parse(b, 'to-client', {});
      assert.equal(r.kind, 'done');
      return (r as { message: OpcuaMessage }).message;
    });
  const ch = (): ChannelRef => (n++, { secureChannelId: 1, tokenId: 1, sequenceNumber: n, requestId: n });
  send(helloMessage(endpointUrl(device)));
  send(openSecureChannelRequest(1));
  return { device, session, send, ch };
}

function login(c: ReturnType<typeof client>): NodeId {
  const [created] = c.send(createSessionRequest(c.ch(), { endpointUrl: endpointUrl(c.device), sessionName: 't', clientNonce: new Uint8Array(32).fill(7), timestamp: Date.now() }));
  const token = created.serviceBody!.createdSession!.authenticationToken;
  const [activated] = c.send(activateSessionRequest(c.ch(), token, { kind: 'anonymous', policyId: 'anonymous' }));
  assert.equal(activated.service?.name, 'ActivateSessionResponse');
  return token;
}

const browseAll = (node: NodeId, browseDirection = 0) => ({ node, browseDirection, referenceType: i(33), includeSubtypes: true, nodeClassMask: 0, resultMask: 63 });

test('OPC UA session: services outside a session or before activation are refused as a server refuses them', () => {
  const c = client();
  const bogus: NodeId = { namespace: 0, kind: 'opaque', id: '00112233445566778899aabbccddeeff' };
  const [fault] = c.send(readRequest(c.ch(), bogus, [{ node: i(2258), attributeId: 13 }]));
  assert.deepEqual([fault.service?.name, fault.serviceBody?.serviceResult], ['ServiceFault', STATUS.BadSessionIdInvalid]);
  const [created] = c.send(createSessionRequest(c.ch(), { endpointUrl: endpointUrl(c.device), sessionName: 't' }));
  const token = created.serviceBody!.createdSession!.authenticationToken;
  const [early] = c.send(readRequest(c.ch(), token, [{ node: i(2258), attributeId: 13 }]));
  assert.equal(early.serviceBody?.serviceResult, STATUS.BadSessionNotActivated);
  const [user] = c.send(activateSessionRequest(c.ch(), token, { kind: 'username', policyId: 'username', userName: 'admin', password: new TextEncoder().encode('admin') }));
  assert.equal(user.serviceBody?.serviceResult, STATUS.BadUserAccessDenied);
  const [anon] = c.send(activateSessionRequest(c.ch(), token, { kind: 'anonymous', policyId: 'anonymous' }));
  assert.deepEqual([anon.service?.name, anon.serviceBody?.serviceResult], ['ActivateSessionResponse', 0]);
  // CreateSubscription (787): RequestHeader then a body this server never reads.
  const sub = readRequest(c.ch(), token, [{ node: i(2258), attributeId: 13 }]);
  sub.body!.set([0x01, 0x00, 0x13, 0x03], 0);
  const [unsupported] = c.send(sub);
  assert.deepEqual([unsupported.service?.name, unsupported.serviceBody?.serviceResult], ['ServiceFault', STATUS.BadServiceUnsupported]);
  const [closed] = c.send(closeSessionRequest(c.ch(), token));
  assert.equal(closed.service?.name, 'CloseSessionResponse');
  const [after] = c.send(readRequest(c.ch(), token, [{ node: i(2258), attributeId: 13 }]));
  assert.equal(after.serviceBody?.serviceResult, STATUS.BadSessionIdInvalid);
});

test('OPC UA browse: forward and inverse references, a continuation point per page, BrowseNext and release', () => {
  const c = client();
  const token = login(c);
  const [root] = c.send(browseRequest(c.ch(), token, [browseAll(i(84))]));
  assert.deepEqual(root.serviceBody?.browseResults?.[0].references.map((r) => r.browseName.name), ['Objects', 'Types', 'Views']);
  const [up] = c.send(browseRequest(c.ch(), token, [browseAll(i(2253), 1)]));
  assert.deepEqual(up.serviceBody?.browseResults?.[0].references.map((r) => [r.browseName.name, r.isForward]), [['Objects', false]]);
  const [paged] = c.send(browseRequest(c.ch(), token, [browseAll(i(2256))], 2));
  const first = paged.serviceBody!.browseResults![0];
  assert.deepEqual(first.references.map((r) => r.browseName.name), ['StartTime', 'CurrentTime']);
  assert.ok(first.continuationPoint);
  const [more] = c.send(browseNextRequest(c.ch(), token, false, [first.continuationPoint!]));
  assert.equal(more.service?.name, 'BrowseNextResponse');
  assert.deepEqual(more.serviceBody?.browseResults?.[0].references.map((r) => r.browseName.name), ['State', 'BuildInfo']);
  const [released] = c.send(browseNextRequest(c.ch(), token, true, [more.serviceBody!.browseResults![0].continuationPoint!]));
  assert.deepEqual(released.serviceBody?.browseResults?.[0], { status: 0, continuationPoint: null, references: [] });
  const [unknown] = c.send(browseRequest(c.ch(), token, [browseAll({ namespace: 2, kind: 'string', id: 'nope' })]));
  assert.equal(unknown.serviceBody?.browseResults?.[0].status, STATUS.BadNodeIdUnknown);
  const [typed] = c.send(browseRequest(c.ch(), token, [{ ...browseAll(i(85)), referenceType: i(40), includeSubtypes: false }]));
  assert.deepEqual(typed.serviceBody?.browseResults?.[0].references.map((r) => r.browseName.name), ['FolderType']);
});

test('OPC UA read and write: attributes of the address space, BuildInfo as deployed, writes refused', () => {
  const c = client();
  const token = login(c);
  const space = addressSpaceOf(c.device);
  const setpoint = space.process.find((p) => p.writable)!;
  const node: NodeId = { namespace: 2, kind: 'string', id: `${c.device.vars.station}.${setpoint.name}` };
  const [read] = c.send(readRequest(c.ch(), token, [
    { node: i(2264), attributeId: 13 }, { node: i(2263), attributeId: 13 }, { node, attributeId: 3 }, { node, attributeId: 2 }, { node, attributeId: 17 },
    { node, attributeId: 18 }, { node: i(85), attributeId: 13 }, { node: i(9999), attributeId: 13 }, { node: i(2255), attributeId: 13 },
  ]));
  const v = read.serviceBody!.values!;
  assert.equal(v[0].value?.value, c.device.identity.firmware);
  assert.equal(v[1].value?.value, 'Siemens');
  assert.deepEqual(v[2].value?.value, { namespace: 2, name: setpoint.name });
  assert.equal(v[3].value?.value, 2, 'NodeClass Variable');
  assert.deepEqual([v[4].value?.value, v[5].value?.value], [3, 1], 'writable by an operator, read-only to anonymous');
  assert.equal(v[6].status, STATUS.BadAttributeIdInvalid);
  assert.equal(v[7].status, STATUS.BadNodeIdUnknown);
  assert.deepEqual(v[8].value?.value, space.namespaces);
  assert.equal(read.serviceBody?.buildInfo, undefined, 'components, not the BuildInfo structure');
  const [bi] = c.send(readRequest(c.ch(), token, [{ node: i(2260), attributeId: 13 }]));
  assert.deepEqual(bi.serviceBody?.buildInfo, {
    productUri: 'https://www.siemens.com/s7-1500', manufacturerName: 'Siemens', productName: 'SIMATIC S7-1500', softwareVersion: c.device.identity.firmware,
    buildNumber: space.buildInfo.buildNumber,
  });
  const [written] = c.send(writeRequest(c.ch(), token, [
    { node, attributeId: 13, value: { type: 11, value: 1 } }, { node: i(2258), attributeId: 13, value: { type: 13, value: 0 } },
    { node: i(12345), attributeId: 13, value: { type: 6, value: 1 } },
  ]));
  assert.deepEqual(written.serviceBody?.results, [STATUS.BadUserAccessDenied, STATUS.BadNotWritable, STATUS.BadNodeIdUnknown]);
});

test('OPC UA address space: per deployment, within the persona, and no public honeypot default strings', () => {
  const a = addressSpaceOf(deploy(personaById('siemens-s7-1500-cpu1516-3pndp')!, 'one', 1));
  const b = addressSpaceOf(deploy(personaById('siemens-s7-1500-cpu1516-3pndp')!, 'two', 1));
  assert.equal(addressSpaceOf(deploy(personaById('siemens-s7-1500-cpu1516-3pndp')!, 'one', 1)).deviceFolder, a.deviceFolder, 'a seed rebuilds it');
  assert.notEqual(a.deviceFolder, b.deviceFolder);
  assert.ok(a.process.length >= 5 && a.process.length <= 9);
  assert.ok(a.process.some((p) => p.writable));
  const text = [...a.nodes.values()].map((n) => `${n.browseName.name} ${n.description.text ?? ''}`).join(' ') + a.namespaces.join(' ');
  assert.doesNotMatch(text, /open62541|conpot|freeopcua|prosys|unified automation/i);
  const now = Date.now();
  assert.ok(a.startTime(now) < now && now - a.startTime(now) < 400 * 86_400_000);
  assert.equal(a.startTime(now), a.startTime(now + 60_000), 'the start time stays put');
});

test('OPC UA persona: mutated requests inside an active session never throw', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let c = client();
  let token = login(c);
  let answered = 0;
  const ch = { secureChannelId: 1, tokenId: 1, sequenceNumber: 9, requestId: 9 };
  const browse = browseAll(i(85));
  const requests = [
    browseRequest(ch, token, [browse, { ...browse, browseDirection: 2, nodeClassMask: 2 }], 1), browseNextRequest(ch, token, false, [Uint8Array.of(1, 2, 3)]),
    readRequest(ch, token, [{ node: i(2256), attributeId: 13 }, { node: i(2260), attributeId: 4 }]),
    writeRequest(ch, token, [{ node: i(2258), attributeId: 13, value: { type: 12, value: ['x'] } }]), closeSessionRequest(ch, token),
    activateSessionRequest(ch, token, { kind: 'username', policyId: 'username', userName: 'root', password: Uint8Array.of(1) }),
  ].map((m) => opcua.encode(m));
  for (let k = 0; k < 3000; k++) {
    if (c.session.closed) {
      c = client(`fuzz-${k}`);
      const fresh = login(c);
      // The same request bytes, re-pointed at the new session's token (16 opaque octets after the type id).
      for (const r of requests) r.set(Buffer.from(String(fresh.id), 'hex'), 24 + 4 + 3 + 4);
      token = fresh;
    }
    const bytes = requests[k % requests.length].slice();
    for (let f = 1 + Math.floor(rnd() * 4); f > 0; f--) bytes[8 + Math.floor(rnd() * (bytes.length - 8))] = Math.floor(rnd() * 256);
    answered += c.session.receive(bytes).length;
  }
  assert.ok(token && answered > 1000, `${answered} answers`);
});
