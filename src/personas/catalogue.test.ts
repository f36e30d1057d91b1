// Catalogue invariants: enough real models and vendors, every service backed by a registry
// protocol, real Siemens order numbers, Conpot's default identity for the honeypot-looking
// personas, deterministic deployment, and the share of firmware the bundled advisories hit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { protocolByName } from '../protocols/index.ts';
import { familyOf } from '../protocols/s7comm/index.ts';
import { buildIndex, importCsaf, matchIdentity, type NormalizedAdvisory } from '../vulns/index.ts';
import { deploy, loadCatalogue, personas, type Persona } from './index.ts';

const all = personas();

test('at least 40 device models from at least 12 vendors, ids unique', () => {
  assert.ok(all.length >= 40, `${all.length} personas`);
  const vendors = new Set(all.filter((p) => !p.honeypot).map((p) => p.vendor));
  assert.ok(vendors.size >= 12, `${vendors.size} vendors`);
  assert.equal(new Set(all.map((p) => p.id)).size, all.length);
  for (const v of ['Siemens', 'Schneider Electric', 'Rockwell Automation', 'Omron', 'Mitsubishi Electric', 'ABB', 'Honeywell', 'Johnson Controls', 'Tridium', 'Moxa', 'Advantech', 'WAGO', 'Phoenix Contact', 'NARI', 'XINJE', 'WECON']) {
    assert.ok(vendors.has(v), `vendor ${v} is in the catalogue`);
  }
});

test('every service of every persona is a protocol of the registry', () => {
  for (const p of all) for (const name of Object.keys(p.services)) assert.ok(protocolByName(name), `${p.id}: ${name}`);
});

test('the product lines the brief names are all present', () => {
  const has = (re: RegExp) => all.some((p) => re.test(`${p.product} ${p.model}`));
  for (const re of [/S7-200 SMART/, /S7-300/, /S7-400/, /S7-1200/, /S7-1500/, /M221/, /M340/, /M580/, /ControlLogix/, /CompactLogix/, /MicroLogix/, /CJ2/, /CP1/, /Niagara/]) {
    assert.ok(has(re), `${re}`);
  }
});

test('Siemens S7 personas carry real MLFB order numbers of their family', () => {
  const s7 = all.filter((p) => p.services.s7comm && !p.honeypot);
  assert.ok(s7.length >= 10);
  for (const p of s7) {
    assert.match(p.orderNumber ?? '', /^6ES7 \d{3}-\d[A-Z]{2}\d{2}-0[A-Z]{2}\d$/, p.id);
    const family = familyOf(p.orderNumber!);
    // ET 200SP CPUs are S7-1500 CPUs in another housing (6ES7 51x).
    assert.ok(family && (p.product.includes(family) || p.product === 'SIMATIC ET 200SP'), `${p.id}: ${family} vs ${p.product}`);
  }
  assert.equal(all.find((p) => p.id === 'siemens-s7-1200-cpu1214c-dcdcdc')?.orderNumber, '6ES7 214-1AG40-0XB0');
  assert.equal(all.find((p) => p.id === 'siemens-s7-300-cpu315-2pndp')?.orderNumber, '6ES7 315-2EH14-0AB0');
  assert.equal(all.find((p) => p.id === 'siemens-s7-1500-cpu1516-3pndp')?.orderNumber, '6ES7 516-3AN01-0AB0');
});

test('Rockwell personas answer as Allen-Bradley (CIP vendor 1) with catalogue-number product names', () => {
  const ra = all.filter((p) => p.vendor === 'Rockwell Automation');
  assert.ok(ra.length >= 6);
  for (const p of ra) {
    assert.equal(p.services.enip?.vendorId, 1, p.id);
    assert.match(p.services.enip!.productName, /^\d{4}-[A-Z0-9]+/, p.id);
  }
  assert.equal(all.find((p) => p.id === 'rockwell-controllogix-1756-l61')?.services.enip?.productName, '1756-L61/B LOGIX5561');
});

test("honeypot-looking personas copy Conpot's default template", () => {
  const conpot = all.find((p) => p.id === 'conpot-default')!;
  assert.equal(conpot.honeypot, 'conpot');
  assert.equal(conpot.serial, '88111222');
  assert.equal(conpot.services.s7comm?.systemName, 'Technodrome');
  assert.equal(conpot.services.s7comm?.moduleName, 'Siemens, SIMATIC, S7-200');
  assert.equal(conpot.services.s7comm?.plantId, 'Mouser Factory');
  const o = conpot.services.modbus?.objects;
  assert.equal([o?.vendorName, o?.productCode, o?.revision].join(' '), 'Siemens SIMATIC S7-200');
  const d = deploy(conpot, 'any seed', 17);
  assert.equal(d.identity.serial, '88111222', 'Conpot does not randomise its serial');
});

test('the loader refuses unknown protocols, missing identity fields and duplicate ids', () => {
  const base: Persona = JSON.parse(JSON.stringify(all.find((p) => p.id === 'omron-cj2m-cpu33')));
  const doc = (...ps: unknown[]) => JSON.stringify({ personas: ps });
  assert.doesNotThrow(() => loadCatalogue(doc(base)));
  assert.throws(() => loadCatalogue(doc(base, base)), /not unique/);
  assert.throws(() => loadCatalogue(doc({ ...base, services: { profinet: {} } })), /unknown service profinet/);
  assert.throws(() => loadCatalogue(doc({ ...base, services: { fins: { controllerModel: 'CJ2M' } } })), /fins\.controllerVersion is missing/);
  assert.throws(() => loadCatalogue(doc({ ...base, firmware: [] })), /firmware/);
  assert.throws(() => loadCatalogue(doc({ ...base, oui: '001b1b' })), /oui/);
  assert.throws(() => loadCatalogue(doc({ ...base, serial: '{d10}', services: { enip: { vendorId: 47, deviceType: 12, productCode: 1, productName: 'CJ2M' } } })), /8-hex-digit serial/);
});

test('deployment is deterministic per (seed, index) and differs between devices', () => {
  const p = all.find((x) => x.id === 'siemens-s7-1200-cpu1214c-dcdcdc')!;
  assert.deepEqual(deploy(p, 'seed-a', 3), deploy(p, 'seed-a', 3));
  const serials = new Set(Array.from({ length: 200 }, (_, i) => deploy(p, 'seed-a', i).vars.serial));
  assert.equal(serials.size, 200);
  assert.notEqual(deploy(p, 'seed-a', 3).vars.serial, deploy(p, 'seed-b', 3).vars.serial);
  const d = deploy(p, 'seed-a', 3);
  assert.match(d.vars.serial, /^S V-[A-Z]\d[A-Z]{2}\d{8}$/);
  assert.match(d.vars.mac, /^00:1b:1b(:[0-9a-f]{2}){3}$/);
  assert.ok(p.firmware.includes(d.identity.firmware!));
  const firmwares = new Set(Array.from({ length: 100 }, (_, i) => deploy(p, 'seed-a', i).identity.firmware));
  assert.ok(firmwares.size >= 3, 'firmware images are spread over the fleet');
});

function advisories(): NormalizedAdvisory[] {
  const root = join(import.meta.dirname, '../../reference/csaf');
  const out: NormalizedAdvisory[] = [];
  for (const year of readdirSync(root)) {
    if (year.endsWith('.json')) continue;
    for (const f of readdirSync(join(root, year))) {
      const r = importCsaf(JSON.parse(readFileSync(join(root, year, f), 'utf8')));
      if (r.ok) out.push(r.advisory);
    }
  }
  return out;
}

test('a realistic share of a deployed province runs firmware inside advisory ranges', () => {
  const index = buildIndex(advisories());
  const total = all.reduce((t, p) => t + p.weight, 0);
  let hit = 0;
  let n = 0;
  const byPersona: Record<string, number> = {};
  // A weighted sample as the twin deploys it: 1,000 devices.
  for (let i = 0; i < 1000; i++) {
    let x = ((i + 0.5) / 1000) * total;
    const p = all.find((q) => (x -= q.weight) < 0) ?? all[all.length - 1];
    const d = deploy(p, 'vuln-share', i);
    const confirmed = matchIdentity(index, d.identity).filter((m) => m.confidence !== 'possible');
    n++;
    if (confirmed.length) {
      hit++;
      byPersona[p.id] = (byPersona[p.id] ?? 0) + 1;
    }
  }
  const share = hit / n;
  console.log(`vulnerable share: ${(share * 100).toFixed(1)}% of ${n} deployed devices (confirmed or likely matches); personas hit: ${Object.keys(byPersona).length}/${all.length}`);
  assert.ok(share > 0.3 && share < 0.9, `share ${share}`);
});

test('an S7 device\'s plant identification fits the 32 characters SZL 0x001C answers it in', () => {
  let long = 0;
  for (const p of personas().filter((q) => q.services.s7comm)) {
    for (let i = 0; i < 300; i++) {
      const d = deploy(p, 7, i);
      const plant = d.vars.plant ?? '';
      if (plant.length > 32) long++;
      assert.ok((d.identity.plantId ?? '').length <= 32, `${p.id} #${i}: ${d.identity.plantId}`);
    }
  }
  assert.ok(long > 0, 'no deployment had a plant name past 32 characters: the test checks nothing');
});
