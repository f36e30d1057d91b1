// Requests as clients send them, decoded by the engine, named as the operations a regulator reads;
// and the classification rules over a source's events (classify.ts documents them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BEHAVIOURS, type ProtocolName } from '../personas/index.ts';
import { classify, operationOf, worse, type Classifiable } from './index.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function op(protocol: ProtocolName, bytes: string): string {
  const p = BEHAVIOURS[protocol].protocol;
  const r = p.parse(hex(bytes), 'to-server', {});
  assert.equal(r.kind, 'done', `${protocol} ${bytes}`);
  if (r.kind !== 'done') return '';
  const d = operationOf(protocol, p.fields(r.message));
  return `${d.operation}: ${d.detail}`;
}

test('Modbus function codes (Modbus Application Protocol v1.1b3 §6)', () => {
  assert.equal(op('modbus', '0001 0000 0006 01 03 006b 0003'), 'read: read-holding-registers 107+3');
  assert.equal(op('modbus', '0001 0000 0006 01 06 0001 0003'), 'write: write-single-register 1');
  assert.equal(op('modbus', '0001 0000 0005 01 2b 0e 01 00'), 'discovery: encapsulated-interface-transport');
  // §6.8.1 sub-function 01 Restart Communications Option.
  assert.equal(op('modbus', '0001 0000 0006 01 08 0001 0000'), 'restart: restart communications');
});

test('S7: stop, start, download and SZL reads (snap7 request bytes)', () => {
  assert.equal(op('s7comm', '0300002102f080 32010000 0e00 0010 0000 29 0000000000 09 505f50524f4752414d'), 'stop: plc stop');
  assert.equal(op('s7comm', '0300002502f080 32010000 0c00 0014 0000 28 000000000000fd 0000 09 505f50524f4752414d'), 'start: plc control');
  // Request download (0x1a) of OB1, as Wireshark's s7comm sample captures show it.
  assert.match(op('s7comm', '0300002f02f080 32010000 0100 001e 0000 1a 00 0100 0000 0000 00 09 5f30383030303031 50 0d 31 3030303238 303030313430'), /^program-download: /);
  assert.equal(op('s7comm', '0300002102f080 32070000 0500 0008 0008 000112 04 11 44 01 00 ff 09 0004 0011 0001'), 'discovery: read szl 0x0011');
});

test('IEC 104, DNP3, BACnet, MQTT', () => {
  assert.equal(op('iec104', '68 0e 00 00 00 00 64 01 06 00 ff ff 00 00 00 14'), 'discovery: C_IC_NA_1');
  // IEEE 1815-2012 §9.2.5.3 REQUEST_LINK_STATUS and a READ of group 0 (device attributes), as the engine builds them.
  const dnp3 = BEHAVIOURS.dnp3.protocol;
  const [link, attributes] = BEHAVIOURS.dnp3.probes({ persona: { services: { dnp3: { address: 1 } } } } as never, 'tcp').map((m) => Buffer.from(dnp3.encode(m)).toString('hex'));
  assert.equal(op('dnp3', link), 'discovery: link function 9');
  assert.equal(op('dnp3', attributes), 'discovery: read device attributes');
  assert.equal(op('mqtt', '10 10 0004 4d515454 04 02 003c 0004 74657374'), 'authentication: connect anonymous');
});

test('OPC UA session services: logins name the user, Server-object reads identify, device reads read', async () => {
  const { fixtures } = await import('../protocols/opcua/fixtures.ts');
  const fx = (name: string) => Buffer.from(fixtures.find((f) => f.name === name)!.bytes).toString('hex');
  assert.equal(op('opcua', fx('Hello opc.tcp://192.168.11.34:4840')), 'discovery: hello');
  assert.equal(op('opcua', fx('GetEndpoints request')), 'discovery: get endpoints');
  assert.equal(op('opcua', fx('ActivateSession request, anonymous')), 'authentication: activate session anonymous');
  assert.equal(op('opcua', fx('ActivateSession request, user name with a clear-text password')), 'authentication: activate session as user1 (clear-text password)');
  assert.equal(op('opcua', fx('Browse request ObjectsFolder')), 'discovery: browse i=85');
  assert.equal(op('opcua', fx('Read request ns=1;s=the.answer Value')), 'read: read ns=1;s=the.answer');
  assert.equal(op('opcua', fx('Write request ns=1;s=the.answer = 1')), 'write: write ns=1;s=the.answer');
  assert.equal(op('opcua', fx('CloseSession request')), 'session: close session');
  const { readRequest } = await import('../protocols/opcua/index.ts');
  type ReadValueId = import('../protocols/opcua/index.ts').ReadValueId;
  const ch = { secureChannelId: 1, tokenId: 1, sequenceNumber: 5, requestId: 5 };
  const token = { namespace: 0, kind: 'numeric', id: 1 } as const;
  const nodes: ReadValueId[] = [2260, 2256, 2255].map((id) => ({ node: { namespace: 0, kind: 'numeric', id }, attributeId: 13 }));
  const read = (n: ReadValueId[]) => Buffer.from(BEHAVIOURS.opcua.protocol.encode(readRequest(ch, token, n))).toString('hex');
  assert.equal(op('opcua', read(nodes)), 'discovery: read i=2260, i=2256, i=2255');
  assert.equal(op('opcua', read([...nodes, { node: { namespace: 2, kind: 'numeric', id: 7 }, attributeId: 13 }])), 'read: read i=2260, i=2256, i=2255 +1 more');
});

const at = (s: number) => new Date(Date.UTC(2026, 5, 1, 8, 0, s)).toISOString();
const ev = (operation: string, protocol = 'modbus', s = 0, anomalies: string[] = []): Classifiable => ({ at: at(s), protocol, operation, anomalies });

test('classification rules, most serious first', () => {
  assert.equal(classify([ev('connect'), ev('discovery')]), 'scan');
  assert.equal(classify([ev('connect'), ev('discovery'), ev('discovery', 's7comm')]), 'reconnaissance');
  assert.equal(classify([ev('connect'), ev('read')]), 'reconnaissance');
  assert.equal(classify([ev('read'), ev('write')]), 'manipulation');
  assert.equal(classify([ev('stop', 's7comm')]), 'manipulation');
  assert.equal(classify([ev('write'), ev('read', 'modbus', 1, ['length-mismatch'])]), 'exploit-attempt');
  assert.equal(classify([ev('malformed')]), 'exploit-attempt');
  const flood = Array.from({ length: 6001 }, (_, i) => ev('read', 'modbus', (i % 50) / 10));
  assert.equal(classify(flood), 'denial-of-service');
  // The same number spread over more than a minute is not a flood.
  assert.equal(classify(Array.from({ length: 6001 }, (_, i) => ({ ...ev('read'), at: new Date(Date.UTC(2026, 5, 1) + i * 20).toISOString() }))), 'reconnaissance');
  assert.equal(worse('scan', 'manipulation'), 'manipulation');
  assert.equal(worse('exploit-attempt', 'scan'), 'exploit-attempt');
});
