import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter, hex } from '../../wire/index.ts';
import type { FlowState } from '../protocol.ts';
import {
  activateSessionRequest, browseRequest, browseResponse, createSessionRequest, createSessionResponse, findServersRequest, findServersResponse,
  readRequest, readResponse, serviceFault, writeRequest, writeResponse, STATUS,
  acknowledge, closeSecureChannelRequest, getEndpointsRequest, getEndpointsResponse, helloMessage, opcua, openSecureChannelRequest,
  openSecureChannelResponse, type OpcuaMessage,
} from './index.ts';
import { fixtures } from './fixtures.ts';

function parse(bytes: Uint8Array, state: FlowState = {}): OpcuaMessage {
  const r = opcua.parse(bytes, 'to-client', state);
  assert.equal(r.kind, 'done');
  return (r as { message: OpcuaMessage }).message;
}

function bytesOf(name: string): Uint8Array {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, name);
  return f.bytes;
}

/** Splits a final MSG chunk's body into `n` chunks of the same request, as a sender with a small buffer does. */
function split(msg: Uint8Array, n: number): Uint8Array[] {
  const head = msg.subarray(8, 24); // channel id, token id, sequence number, request id
  const body = msg.subarray(24);
  const step = Math.ceil(body.length / n);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const part = body.subarray(i * step, (i + 1) * step);
    const c = new Uint8Array(24 + part.length);
    c.set(hex`4d5347`);
    c[3] = (i === n - 1 ? 'F' : 'C').charCodeAt(0);
    new DataView(c.buffer).setUint32(4, c.length, true);
    c.set(head, 8);
    c.set(part, 24);
    out.push(c);
  }
  return out;
}

describe('opcua', () => {
  it('reads the server ApplicationDescription and endpoints from GetEndpoints', () => {
    const m = parse(bytesOf('GetEndpoints response from open62541'));
    assert.deepEqual(m.serviceBody?.endpoints, [{
      endpointUrl: 'opc.tcp://192.168.224.102:4840',
      server: {
        applicationUri: 'urn:open62541.server.application',
        productUri: 'http://open62541.org',
        applicationName: 'open62541-based OPC UA Application',
        applicationType: 'Server',
        discoveryUrls: [],
      },
      securityMode: 'None',
      securityPolicyUri: 'http://opcfoundation.org/UA/SecurityPolicy#None',
      userTokens: [{ policyId: 'open62541-anonymous-policy', tokenType: 'Anonymous' }, { policyId: 'open62541-username-policy', tokenType: 'UserName' }],
      securityLevel: 1,
    }]);
  });

  it('identifies the server from its ApplicationDescription', () => {
    const id = opcua.identify([parse(bytesOf('GetEndpoints response from open62541'))]);
    assert.equal(id?.product, 'open62541-based OPC UA Application');
    assert.equal(id?.vendor, 'open62541');
    assert.deepEqual(id?.raw?.securityModes, ['None']);
  });

  it('joins intermediate chunks and decodes the service on the final one', () => {
    const chunks = split(bytesOf('GetEndpoints response from open62541'), 3);
    const state: FlowState = {};
    const ms = chunks.map((c) => parse(c, state));
    assert.deepEqual(ms.map((m) => m.chunkType), ['C', 'C', 'F']);
    assert.deepEqual(ms.map((m) => m.service?.id), [undefined, undefined, 431]);
    assert.equal(ms[2].serviceBody?.endpoints?.[0].server.productUri, 'http://open62541.org');
    assert.deepEqual(ms.flatMap((m) => m.anomalies), []);
  });

  it('drops chunks of an aborted message and reads the abort reason', () => {
    const [first] = split(bytesOf('GetEndpoints response from open62541'), 2);
    const state: FlowState = {};
    parse(first, state);
    // Part 6 §6.7.3: abort chunk body = Error (StatusCode) + Reason (String)
    const abort = hex`4d534741 24000000 09000000 01000000 02000000 02000000 00008080 04000000 74657374`;
    const m = parse(abort, state);
    assert.deepEqual(m.error, { error: 0x80800000, reason: 'test' });
    assert.equal((state['opcua.chunks'] as Map<string, unknown>).size, 0);
  });

  it('keeps an encrypted OpenSecureChannel body as octets', () => {
    const policy = new TextEncoder().encode('http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256');
    const cipher = new Uint8Array(64).fill(0xa5);
    const w: number[] = [...hex`4f504e46 00000000 00000000`, policy.length, 0, 0, 0, ...policy, 0, 0, 0, 0, 0, 0, 0, 0, ...cipher];
    const bytes = new Uint8Array(w);
    new DataView(bytes.buffer).setUint32(4, bytes.length, true);
    const m = parse(bytes);
    assert.equal(m.encrypted, true);
    assert.equal(m.service, undefined);
    assert.equal(m.sequenceNumber, undefined);
    assert.deepEqual(m.body, cipher);
    assert.deepEqual(opcua.encode(m), bytes);
  });

  it('builds the handshake the scanner sends and reads it back', () => {
    const hel = opcua.encode(helloMessage('opc.tcp://127.0.0.1:4840'));
    assert.equal(parse(hel).hello?.endpointUrl, 'opc.tcp://127.0.0.1:4840');
    const opn = parse(opcua.encode(openSecureChannelRequest()));
    assert.equal(opn.service?.name, 'OpenSecureChannelRequest');
    assert.equal(opn.serviceBody?.securityMode, 'None');
    const gep = parse(opcua.encode(getEndpointsRequest('opc.tcp://127.0.0.1:4840', 5, 1, 2, 2)));
    assert.deepEqual([gep.service?.name, gep.serviceBody?.endpointUrl, gep.anomalies], ['GetEndpointsRequest', 'opc.tcp://127.0.0.1:4840', []]);
    assert.equal(parse(opcua.encode(closeSecureChannelRequest(5, 1, 3, 3))).service?.id, 452);
  });

  it('identifies a server from a ServerStatus value in a ReadResponse (BuildInfo)', () => {
    const str = (w: ByteWriter, s: string) => w.i32le(s.length).ascii(s);
    // IEC 62541-5 §12.10 ServerStatusDataType: startTime, currentTime, state, buildInfo, secondsTillShutdown, shutdownReason
    const status = new ByteWriter(128);
    status.u64le(0n).u64le(0n).u32le(0);
    for (const s of ['urn:acme:ua-server', 'Acme Automation', 'Acme UA Server', '2.4.1', '1187']) str(status, s);
    status.u64le(0n).u32le(0).u8(0);
    const statusBytes = status.finish();
    const body = new ByteWriter(256);
    body.bytes(hex`01007a02  e0ce8e7ab742d801 43420f00 00000000 00 ffffffff 000000`); // ReadResponse, ResponseHeader
    body.i32le(1).u8(0x01).u8(22).bytes(hex`01006003`).u8(0x01).i32le(statusBytes.length).bytes(statusBytes); // one DataValue: ExtensionObject 864
    body.i32le(-1); // diagnosticInfos
    const chunk = opcua.encode({
      anomalies: [], messageType: 'MSG', chunkType: 'F', secureChannelId: 13, tokenId: 1, sequenceNumber: 1026, requestId: 4, body: body.finish(),
    });
    const m = parse(chunk);
    assert.deepEqual(m.anomalies, []);
    assert.deepEqual(m.serviceBody?.buildInfo, {
      productUri: 'urn:acme:ua-server', manufacturerName: 'Acme Automation', productName: 'Acme UA Server', softwareVersion: '2.4.1', buildNumber: '1187',
    });
    const id = opcua.identify([m, parse(bytesOf('GetEndpoints response from open62541'))]);
    assert.deepEqual([id?.vendor, id?.product, id?.firmware], ['Acme Automation', 'Acme UA Server', '2.4.1']);
  });

  it('builds the answers a persona gives, read back like a real server', () => {
    assert.deepEqual(opcua.encode(acknowledge()), bytesOf('Acknowledge'));
    const opn = parse(opcua.encode(openSecureChannelResponse(13, 1, { sequenceNumber: 1023, requestId: 1 })));
    assert.deepEqual([opn.service?.name, opn.anomalies], ['OpenSecureChannelResponse', []]);
    const offer = {
      endpointUrl: 'opc.tcp://127.0.0.1:4840', applicationUri: 'urn:acme:ua-server', productUri: 'http://acme.example/ua', applicationName: 'Acme UA Server',
    };
    const gep = parse(opcua.encode(getEndpointsResponse(offer, { secureChannelId: 13, tokenId: 1, sequenceNumber: 1024, requestId: 2 })));
    assert.deepEqual(gep.anomalies, []);
    assert.deepEqual(gep.serviceBody?.endpoints?.[0].server, {
      applicationUri: 'urn:acme:ua-server', productUri: 'http://acme.example/ua', applicationName: 'Acme UA Server', applicationType: 'Server',
      discoveryUrls: ['opc.tcp://127.0.0.1:4840'],
    });
    assert.equal(opcua.identify([gep])?.vendor, 'acme');
  });

  it('recognizes exactly the headers the text comparison did, octet by octet', () => {
    // The comparison recognize and parse made before they compared octets in place.
    const byText = (b: Uint8Array): boolean => {
      const prefix = String.fromCharCode(...b.subarray(0, 3));
      if (!['HEL', 'ACK', 'ERR', 'RHE', 'OPN', 'MSG', 'CLO'].some((t) => t.startsWith(prefix))) return false;
      return b.length < 4 || 'FCA'.includes(String.fromCharCode(b[3]));
    };
    const letters = [...new Set('HELACKERRRHEOPNMSGCLOX\0\xc8')].map((c) => c.charCodeAt(0));
    const chunks = [...'FCAXh\0'].map((c) => c.charCodeAt(0));
    let accepted = 0;
    for (const a of letters) for (const b of letters) for (const c of letters) for (const d of chunks) {
      const header = Uint8Array.of(a, b, c, d, 0x10, 0, 0, 0);
      for (let len = 1; len <= header.length; len++) {
        const bytes = header.subarray(0, len);
        const expected = byText(bytes);
        assert.equal(opcua.recognize(bytes, 'to-server', 'tcp'), expected, `${len} of ${Buffer.from(header).toString('hex')}`);
        assert.equal(opcua.parse(bytes, 'to-server', {}).kind !== 'not-mine', byText(bytes), `parse ${len} of ${Buffer.from(header).toString('hex')}`);
        if (expected) accepted++;
      }
    }
    assert.ok(accepted > 1000, `${accepted} accepted`);
  });

  it('bounds string lengths read from the wire', () => {
    // Hello whose EndpointUrl length claims 2 GiB
    const m = parse(hex`48454c46 24000000 00000000 00000100 00000100 00000001 00010000 ffffff7f 6f706300`);
    assert.deepEqual(m.anomalies, ['message-truncated']);
  });
});

describe('opcua session services', () => {
  const ch = { secureChannelId: 7, tokenId: 2, sequenceNumber: 10, requestId: 10 };
  const token = { namespace: 0, kind: 'opaque', id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' } as const;
  const offer = {
    endpointUrl: 'opc.tcp://10.0.0.5:4840', applicationUri: 'urn:acme:plc', productUri: 'http://acme.example/plc', applicationName: 'Acme PLC',
    userTokens: [{ policyId: 'anon', tokenType: 'Anonymous' as const }, { policyId: 'user', tokenType: 'UserName' as const }],
  };

  it('reads back what a client sends: session, login, browse, read, write, find servers', () => {
    const cs = parse(opcua.encode(createSessionRequest(ch, { endpointUrl: offer.endpointUrl, sessionName: 'probe', clientNonce: new Uint8Array(32).fill(1), timestamp: Date.UTC(2026, 0, 2) })));
    assert.deepEqual([cs.service?.name, cs.serviceBody?.endpointUrl, cs.serviceBody?.session?.name, cs.serviceBody?.session?.clientNonce?.length, cs.serviceBody?.header?.timestamp],
      ['CreateSessionRequest', offer.endpointUrl, 'probe', 32, Date.UTC(2026, 0, 2)]);
    const login = parse(opcua.encode(activateSessionRequest(ch, token, { kind: 'username', policyId: 'user', userName: 'operator', password: new TextEncoder().encode('s3cret!') })));
    assert.deepEqual(login.serviceBody?.userIdentity, { kind: 'username', policyId: 'user', userName: 'operator', encryptionAlgorithm: null });
    assert.deepEqual(login.serviceBody?.header?.authenticationToken, token);
    assert.doesNotMatch(JSON.stringify(login.serviceBody), /s3cret/, 'the password is never kept in the message');
    const b = parse(opcua.encode(browseRequest(ch, token, [{ node: { namespace: 0, kind: 'numeric', id: 85 }, browseDirection: 2, referenceType: { namespace: 0, kind: 'numeric', id: 33 }, includeSubtypes: true, nodeClassMask: 3, resultMask: 63 }], 50)));
    assert.deepEqual(b.serviceBody?.browse, { maxReferences: 50, nodes: [{ node: { namespace: 0, kind: 'numeric', id: 85 }, browseDirection: 2, referenceType: { namespace: 0, kind: 'numeric', id: 33 }, includeSubtypes: true, nodeClassMask: 3, resultMask: 63 }] });
    const rd = parse(opcua.encode(readRequest(ch, token, [{ node: { namespace: 3, kind: 'string', id: '"DB1".Level' }, attributeId: 13 }], 1)));
    assert.deepEqual(rd.serviceBody?.read, { maxAge: 0, timestampsToReturn: 1, nodes: [{ node: { namespace: 3, kind: 'string', id: '"DB1".Level' }, attributeId: 13 }] });
    const wr = parse(opcua.encode(writeRequest(ch, token, [{ node: { namespace: 2, kind: 'numeric', id: 70_000 }, attributeId: 13, value: { type: 11, value: 42.5 } }])));
    assert.deepEqual(wr.serviceBody?.writes, [{ node: 'ns=2;i=70000', nodeId: { namespace: 2, kind: 'numeric', id: 70_000 }, attributeId: 13, value: { type: 11, value: 42.5 } }]);
    const fs = parse(opcua.encode(findServersRequest(ch, offer.endpointUrl)));
    assert.deepEqual([fs.service?.name, fs.serviceBody?.endpointUrl, fs.anomalies], ['FindServersRequest', offer.endpointUrl, []]);
  });

  it('reads back what a server answers: session, references, values of every kind, write results, faults', () => {
    const sr = parse(opcua.encode(createSessionResponse(ch, 10, { sessionId: { namespace: 1, kind: 'numeric', id: 99 }, authenticationToken: token, revisedTimeout: 60_000, serverNonce: new Uint8Array(32), endpoints: [offer] })));
    assert.deepEqual(sr.serviceBody?.createdSession, { sessionId: { namespace: 1, kind: 'numeric', id: 99 }, authenticationToken: token, revisedTimeout: 60_000 });
    assert.deepEqual(sr.serviceBody?.endpoints?.[0].userTokens, [{ policyId: 'anon', tokenType: 'Anonymous' }, { policyId: 'user', tokenType: 'UserName' }]);
    const reference = {
      referenceType: { namespace: 0, kind: 'numeric', id: 35 }, isForward: true, node: { namespace: 2, kind: 'string', id: 'Line1' }, browseName: { namespace: 2, name: 'Line1' },
      displayName: { text: 'Line 1' }, nodeClass: 1, typeDefinition: { namespace: 0, kind: 'numeric', id: 61 },
    } as const;
    const br = parse(opcua.encode(browseResponse(ch, 10, [{ status: 0, continuationPoint: Uint8Array.of(1, 2), references: [reference] }])));
    assert.deepEqual(br.serviceBody?.browseResults, [{ status: 0, continuationPoint: Uint8Array.of(1, 2), references: [reference] }]);
    const values = [
      { value: { type: 13, value: Date.UTC(2026, 5, 1, 12) }, sourceTimestamp: Date.UTC(2026, 5, 1, 12), serverTimestamp: Date.UTC(2026, 5, 1, 12, 0, 1) },
      { value: { type: 8, value: '-9007199254740993' } },
      { value: { type: 12, value: ['a', 'b'] } },
      { value: { type: 21, value: { locale: 'en', text: 'Pump' } } },
      { value: { type: 10, value: 0.5 } },
      { value: { type: 1, value: true } },
      { status: STATUS.BadNodeIdUnknown },
    ];
    const rr = parse(opcua.encode(readResponse(ch, 10, values)));
    assert.deepEqual(rr.serviceBody?.values, values);
    assert.deepEqual(parse(opcua.encode(writeResponse(ch, 10, [0, STATUS.BadUserAccessDenied]))).serviceBody?.results, [0, STATUS.BadUserAccessDenied]);
    const found = parse(opcua.encode(findServersResponse(ch, 10, [offer])));
    assert.equal(found.serviceBody?.servers?.[0].applicationUri, 'urn:acme:plc');
    const fault = parse(opcua.encode(serviceFault(ch, 10, STATUS.BadServiceUnsupported)));
    assert.deepEqual([fault.service?.name, fault.serviceBody?.serviceResult, opcua.fields(fault)['opcua.ServiceResult']], ['ServiceFault', STATUS.BadServiceUnsupported, STATUS.BadServiceUnsupported]);
  });
});
