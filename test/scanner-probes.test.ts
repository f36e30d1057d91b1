// OT safety of the probes themselves: an IEC 104 station (built from the engine's persona
// answers) records every APDU the scanner sends. Without --intrusive only STARTDT act and
// TESTFR act arrive; the station interrogation (a command) is sent only with --intrusive and the
// probe table's opt-in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Observation } from '../src/model/index.ts';
import { iec104, mirror, singlePoints, uConfirmation, type Iec104Message } from '../src/protocols/iec104/index.ts';
import { PROBES, Plan, noTwinMapping, parsePorts, resolveTargets, scan } from '../src/scanner/index.ts';

const COMMON_ADDRESS = 0x0123;
const received: string[] = [];

const station = createServer((socket) => {
  let buf = Buffer.alloc(0);
  let sent = 0;
  socket.on('error', () => undefined);
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const r = iec104.parse(buf, 'to-server');
      if (r.kind !== 'done') break;
      buf = buf.subarray(r.consumed);
      const m: Iec104Message = r.message;
      received.push(m.apci.format === 'U' ? m.apci.function : (m.asdu?.typeName ?? m.apci.format));
      const confirm = uConfirmation(m);
      if (confirm) socket.write(iec104.encode(confirm));
      if (m.asdu?.typeId === 100) {
        // IEC 60870-5-101 §7.4: ActCon, the process image (cause 20), ActTerm.
        socket.write(iec104.encode(mirror(m.asdu, 7, sent++, 1, COMMON_ADDRESS)));
        socket.write(iec104.encode(singlePoints(COMMON_ADDRESS, [[1001, 1], [1002, 0]], sent++, 1)));
        socket.write(iec104.encode(mirror(m.asdu, 10, sent++, 1, COMMON_ADDRESS)));
      }
    }
  });
});
await new Promise<void>((r) => station.listen(0, '127.0.0.1', () => r()));
const port = (station.address() as { port: number }).port;
after(() => station.close());

async function scanStation(intrusive: boolean): Promise<Observation[]> {
  received.length = 0;
  const out: Observation[] = [];
  const plan = new Plan(await resolveTargets(['127.0.0.1']), parsePorts(`iec104:${port}`), 5);
  await scan({ plan, intrusive, timeoutMs: 1000, publicAddress: noTwinMapping, onObservation: (o) => out.push(o) });
  return out;
}

test('without --intrusive the IEC 104 probe only confirms the service (STARTDT, TESTFR)', async () => {
  const [o, ...rest] = await scanStation(false);
  assert.equal(rest.length, 0);
  assert.equal(o.protocol, 'iec104');
  assert.equal(o.identity, undefined);
  assert.deepEqual(received, ['STARTDT act', 'TESTFR act']);
});

test('with --intrusive and the table opt-in, the station interrogation runs and names the common address', async () => {
  const [o] = await scanStation(true);
  assert.deepEqual(received, ['STARTDT act', 'TESTFR act', 'C_IC_NA_1']);
  assert.deepEqual(o.identity?.raw?.commonAddresses, [COMMON_ADDRESS]);
  assert.deepEqual(o.identity?.raw?.informationObjectAddresses, [0, 1001, 1002]);
});

test('only the IEC 104 probe has an intrusive step, and the table is what opts it in', () => {
  assert.deepEqual(PROBES.filter((p) => p.intrusive).map((p) => [p.protocol, p.intrusive!.optIn]), [['iec104', true]]);
});
