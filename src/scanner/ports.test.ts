import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePorts } from './ports.ts';
import { ScanError } from './errors.ts';

test('standard ports name every probe on them, both transports', () => {
  assert.deepEqual(parsePorts('502,102'), [
    { protocol: 'modbus', transport: 'tcp', port: 502 },
    { protocol: 's7comm', transport: 'tcp', port: 102 },
  ]);
  assert.deepEqual(parsePorts('44818').map((s) => s.transport).sort(), ['tcp', 'udp']);
});

test('protocol:port runs a probe on another port; /udp narrows the transport', () => {
  assert.deepEqual(parsePorts('modbus:15020,opcua:48400'), [
    { protocol: 'modbus', transport: 'tcp', port: 15020 },
    { protocol: 'opcua', transport: 'tcp', port: 48400 },
  ]);
  assert.deepEqual(parsePorts('fins:9601/udp'), [{ protocol: 'fins', transport: 'udp', port: 9601 }]);
});

test('bad lists are refused with INVALID_PORTS', () => {
  for (const bad of ['80', 'modbus:0', 'nope:502', '502;102', 'modbus:70000']) {
    assert.throws(() => parsePorts(bad), (e: unknown) => e instanceof ScanError && e.code === 'INVALID_PORTS', bad);
  }
});

test('no list means every probe on its standard port', () => {
  const all = parsePorts();
  assert.ok(all.length >= 13);
  assert.ok(all.some((s) => s.protocol === 'bacnet' && s.transport === 'udp' && s.port === 47808));
});
