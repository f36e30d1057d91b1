// A real OPC UA client nobody here wrote (npm node-opcua's OPCUAClient) against the honeypot
// wearing an OPC UA persona: it connects on SecurityPolicy None, opens an anonymous session,
// browses Root and Objects, reads BuildInfo, ServerStatus and the device's process variables,
// tries to write a setpoint, closes; then tries a user-name login. What it reads must be the
// deployed identity, and the honeypot's events must be exactly those operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds, DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, StatusCodes, UserTokenType,
} from 'node-opcua';
import { startHoneypot, type HoneypotEvent } from '../src/honeypot/index.ts';
import { addressSpaceOf } from '../src/personas/behaviour/opcua.ts';
import { render } from '../src/personas/index.ts';
import { freePort } from './support/peers.ts';

test('node-opcua browses, reads and tries to write the honeypot; every operation is an event', { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  const events: HoneypotEvent[] = [];
  const hp = await startHoneypot({ persona: 'mitsubishi-rd81opc96', bind: '127.0.0.1', ports: { opcua: port }, seed: 'opcua-client-test', onEvent: (e) => events.push(e) });
  const dir = mkdtempSync(join(tmpdir(), 'otscope-opcua-client-'));
  t.after(async () => {
    await hp.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.deepEqual(hp.services.map((s) => [s.protocol, s.port, s.error]), [['opcua', port, undefined]]);
  const device = hp.device;
  const spec = device.persona.services.opcua!;
  const space = addressSpaceOf(device);
  const station = device.vars.station;

  const client = OPCUAClient.create({
    applicationName: 'otscope-test-client',
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    // The persona states the LAN address of a device behind NAT (opc.tcp://192.168.x.y:4840), as
    // such devices do; the client is told to use the address it dialled.
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki') }),
  });
  // A failed assertion must not leave the client's channel open: the test process would never exit.
  t.after(() => client.disconnect());
  await client.connect(`opc.tcp://127.0.0.1:${port}`);
  const [endpoint] = await client.getEndpoints();
  assert.equal(endpoint.server.applicationUri, render(spec.applicationUri, device.vars));
  assert.equal(endpoint.server.productUri, render(spec.productUri, device.vars));

  const session = await client.createSession();
  const root = await session.browse('RootFolder');
  assert.deepEqual(root.references?.map((r) => r.browseName.toString()), ['Objects', 'Types', 'Views']);
  const objects = await session.browse('ObjectsFolder');
  assert.deepEqual(objects.references?.map((r) => r.browseName.toString()), ['Server', `2:${station}`]);

  const buildInfo = await session.read({ nodeId: 'i=2260', attributeId: AttributeIds.Value });
  assert.equal(buildInfo.statusCode.value, StatusCodes.Good.value);
  const b = buildInfo.value.value as Record<string, unknown>;
  // BuildInfo agrees with the deployed identity and with GetEndpoints' productUri.
  assert.deepEqual(
    { productUri: b.productUri, manufacturerName: b.manufacturerName, productName: b.productName, softwareVersion: b.softwareVersion },
    { productUri: endpoint.server.productUri, manufacturerName: device.identity.vendor, productName: device.identity.product, softwareVersion: device.identity.firmware },
  );
  assert.equal(b.buildNumber, space.buildInfo.buildNumber);
  assert.equal((b.buildDate as Date).getTime(), space.buildInfo.buildDate);
  const status = await session.read({ nodeId: 'i=2256', attributeId: AttributeIds.Value });
  const s = status.value.value as { startTime: Date; currentTime: Date; state: number };
  assert.equal(s.state, 0, 'Running');
  assert.ok(s.startTime.getTime() < s.currentTime.getTime() && Math.abs(s.currentTime.getTime() - Date.now()) < 60_000);

  const folder = objects.references![1].nodeId.toString();
  const variables = await session.browse(folder);
  assert.deepEqual(variables.references?.map((r) => r.browseName.name), space.process.map((p) => p.name));
  const nodes = variables.references!.map((r) => ({ nodeId: r.nodeId.toString(), attributeId: AttributeIds.Value }));
  const first = await session.read(nodes);
  // Live measurements move: a second later at least one analogue value differs (its noise changes
  // each second; read again, up to five times, should two readings round to the same values).
  const moved = (later: typeof first) => first.some((v, i) => typeof v.value.value === 'number' && !space.process[i].writable && v.value.value !== later[i].value.value);
  let second = first;
  let reads = 1;
  for (; reads < 6 && !moved(second); reads++) {
    await new Promise((r) => setTimeout(r, 1200));
    second = await session.read(nodes);
  }
  for (const [i, v] of first.entries()) {
    assert.equal(v.statusCode.value, StatusCodes.Good.value, space.process[i].name);
    assert.ok(['number', 'boolean'].includes(typeof v.value.value), `${space.process[i].name}: ${v.value.value}`);
    assert.ok(v.sourceTimestamp && Math.abs(v.sourceTimestamp.getTime() - Date.now()) < 60_000);
  }
  assert.ok(moved(second), 'an analogue value changed');

  const setpoint = space.process.findIndex((p) => p.writable);
  assert.ok(setpoint >= 0, 'the device folder has a setpoint');
  const access = await session.read({ nodeId: nodes[setpoint].nodeId, attributeId: AttributeIds.UserAccessLevel });
  assert.equal(access.value.value, 1, 'an anonymous user may only read');
  const written = await session.write({ nodeId: nodes[setpoint].nodeId, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 99 } } });
  assert.equal(written.value, StatusCodes.BadUserAccessDenied.value);
  await session.close();

  // A login with a guessed account is refused and logged with its user name.
  await assert.rejects(client.createSession({ type: UserTokenType.UserName, userName: 'admin', password: 'mitsubishi' }));
  await client.disconnect();
  await new Promise((r) => setTimeout(r, 200));

  const setpointId = `ns=2;s=${station}.${space.process[setpoint].name}`;
  const deviceReads = space.process.map((p) => `ns=2;s=${station}.${p.name}`);
  const listed = (ids: string[]) => ids.slice(0, 3).join(', ') + (ids.length > 3 ? ` +${ids.length - 3} more` : '');
  assert.deepEqual(events.map((e) => [e.operation, e.detail]), [
    ['connect', 'tcp connect'],
    ['discovery', 'hello'],
    ['session', 'open secure channel'],
    ['discovery', 'get endpoints'],
    ['discovery', 'get endpoints'],
    ['session', 'create session "ClientSession1"'],
    ['authentication', 'activate session anonymous'],
    ['discovery', 'browse i=84'],
    ['discovery', 'browse i=85'],
    ['discovery', 'read i=2260'],
    ['discovery', 'read i=2256'],
    ['discovery', `browse ns=2;s=${station}`],
    ...Array.from({ length: reads }, () => ['read', `read ${listed(deviceReads)}`]),
    ['read', `read ${setpointId}`],
    ['write', `write ${setpointId}`],
    ['session', 'close session'],
    ['session', 'create session "ClientSession2"'],
    ['authentication', 'activate session as admin (clear-text password)'],
    // node-opcua closes the session whose activation failed.
    ['session', 'close session'],
    ['session', 'close secure channel'],
  ]);
  assert.ok(events.every((e) => e.protocol === 'opcua' && e.anomalies.length === 0 && e.session === events[0].session));
});
