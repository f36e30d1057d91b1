// Identification against real software nobody here wrote: a Modbus server from Debian's
// python3-pymodbus with device identification configured, and the Mosquitto broker on
// 127.0.0.1:1883 (its $SYS version read back with Mosquitto's own mosquitto_sub as the oracle).
// Missing peers skip with the reason, except in CI, where they fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { freePort, reachable, scanPeer, unavailable } from './support/peers.ts';

const PYTHON = '/usr/bin/python3';

// pymodbus 3.0's synchronous server with the identity objects of its own examples.
const PYMODBUS_SERVER = `
import sys
from pymodbus.server import StartTcpServer
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.datastore import ModbusSlaveContext, ModbusServerContext
identity = ModbusDeviceIdentification(info_name={
    'VendorName': 'Pymodbus', 'ProductCode': 'PM', 'VendorUrl': 'https://github.com/pymodbus-dev/pymodbus/',
    'ProductName': 'Pymodbus Server', 'ModelName': 'Pymodbus Server', 'MajorMinorRevision': '3.0.0'})
context = ModbusServerContext(slaves=ModbusSlaveContext(), single=True)
StartTcpServer(context=context, identity=identity, address=('127.0.0.1', int(sys.argv[1])))
`;

test('identifies a pymodbus server through Read Device Identification and Report Server ID', async (t) => {
  if (spawnSync(PYTHON, ['-c', 'import pymodbus.server']).status !== 0) return unavailable(t, `${PYTHON} cannot import pymodbus (Debian python3-pymodbus)`);
  const port = await freePort();
  const server = spawn(PYTHON, ['-c', PYMODBUS_SERVER, String(port)], { stdio: 'ignore' });
  t.after(() => server.kill());
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    await new Promise((r) => setTimeout(r, 100));
    up = await reachable(port);
  }
  assert.ok(up, `pymodbus did not listen on 127.0.0.1:${port}`);
  const [o, ...rest] = await scanPeer('127.0.0.1', `modbus:${port}`);
  assert.equal(rest.length, 0);
  assert.deepEqual({ ip: o.ip, port: o.port, transport: o.transport, protocol: o.protocol }, { ip: '127.0.0.1', port, transport: 'tcp', protocol: 'modbus' });
  const { raw, ...fields } = o.identity!;
  assert.deepEqual(fields, { vendor: 'Pymodbus', product: 'Pymodbus Server', model: 'Pymodbus Server', orderNumber: 'PM', firmware: '3.0.0' });
  // Objects 0-2 (basic), 3-6 (regular) and pymodbus's Report Server ID: "<vendor>-<code>-<revision>" then 0xFF.
  assert.equal(raw?.VendorUrl, 'https://github.com/pymodbus-dev/pymodbus/');
  assert.equal(raw?.serverIdText, 'Pymodbus-PM-3.0.0');
});

test('identifies the Mosquitto broker on 127.0.0.1:1883 from $SYS/broker/version', async (t) => {
  if (!(await reachable(1883))) return unavailable(t, 'no MQTT broker listens on 127.0.0.1:1883 (Mosquitto)');
  const [o, ...rest] = await scanPeer('127.0.0.1', '1883');
  assert.equal(rest.length, 0);
  assert.equal(o.protocol, 'mqtt');
  assert.equal(o.identity?.raw?.connackReturnCode, 0);
  const oracle = spawnSync('mosquitto_sub', ['-h', '127.0.0.1', '-p', '1883', '-t', '$SYS/broker/version', '-C', '1', '-W', '3'], { encoding: 'utf8' });
  if (oracle.status === 0 && oracle.stdout.trim()) {
    // Mosquitto's own client as the oracle: "mosquitto version 2.0.11".
    const [, version] = /version\s+(\S+)/.exec(oracle.stdout.trim()) ?? [];
    assert.deepEqual({ vendor: o.identity?.vendor, product: o.identity?.product, firmware: o.identity?.firmware }, { vendor: 'Eclipse Foundation', product: 'Mosquitto', firmware: version });
  } else {
    // The broker keeps $SYS to itself: the service is still confirmed, with the protocol level.
    assert.equal(o.identity?.raw?.protocolLevel, 4);
  }
});
