// The FINS probe's area data (W227 §5-3-3), which nmap's omron-info prints and the engine's
// identity leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerDataRead, controllerDataResponse, fins } from '../../protocols/fins/index.ts';
import { fixtures } from '../../protocols/fins/fixtures.ts';
import { controllerArea } from './fins.ts';

test('the area data after model, version and 40 octets for system use, at the offsets omron-info reads', () => {
  const reply = controllerDataResponse(controllerDataRead({ sid: 1 }), 'CJ2M-CPU33', '02.01', {
    programAreaSize: 0x0014, iomSize: 0x17, dmWords: 0x8000, timerCounterSize: 8, expansionDmSize: 3, steps: 0x0102, memoryCardType: 3, memoryCardSize: 0x0200,
  });
  const bytes = fins.encode(reply);
  // omron-info.nse reads "Program Area Size" at octet 95 (1-based) of the UDP reply: the FINS
  // header (10), command (2) and end code (2) come first, then 80 octets of model/version/system.
  assert.deepEqual([...bytes.subarray(94, 96)], [0x00, 0x14]);
  const r = fins.parse(bytes, 'to-client');
  assert.equal(r.kind, 'done');
  if (r.kind !== 'done') return;
  assert.deepEqual(controllerArea(r.message), {
    forSystemUse: '', programAreaSize: 20, iomSize: 23, dmWords: 32768, timerCounterSize: 8, expansionDmSize: 3, steps: 258, memoryCardType: 3, memoryCardKind: 'EEPROM', memoryCardSize: 512,
  });
});

test("a CP1L's real reply (omron_test.pcap frame 18) read at the same offsets; a request has no area data", () => {
  const fx = fixtures.find((f) => f.name === 'UDP controller data read response')!;
  const r = fins.parse(fx.bytes, 'to-client');
  assert.equal(r.kind, 'done');
  if (r.kind !== 'done') return;
  // Octets 80… of the data: 01 00 | 00 | 00 00 | 00 | 00 | 00 00 | 00 | 00 00.
  assert.deepEqual(controllerArea(r.message), {
    forSystemUse: '', programAreaSize: 256, iomSize: 0, dmWords: 0, timerCounterSize: 0, expansionDmSize: 0, steps: 0, memoryCardType: 0, memoryCardKind: 'No Memory Card', memoryCardSize: 0,
  });
  assert.equal(controllerArea({ anomalies: [], direction: 'to-server', frame: controllerDataRead().frame }), null);
});
