// nmap's own NSE scripts (Debian's nmap) against a small twin: what each script reports must be
// the persona's values — the twin fools the scanner everyone measures against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { render } from '../personas/index.ts';
import { startTwin, type Twin, type TwinDevice } from './index.ts';

const NMAP = '/usr/bin/nmap';
const run = promisify(execFile);

const PERSONAS = [
  'siemens-s7-1200-cpu1214c-dcdcdc', 'conpot-default', 'schneider-m221-tm221ce24r', 'rockwell-controllogix-1756-l61',
  'tridium-jace-8000', 'omron-cj2m-cpu33', 'jci-nae5510', 'wecon-lx5v-2416mt',
];

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#x?([0-9a-f]+);/gi, (_m, n: string) => String.fromCharCode(parseInt(n, 16))).replace(/&amp;/g, '&');
}

/** Script outputs per host from nmap's XML: host → script id → flattened `key → value`. */
function scriptsOf(xml: string): Map<string, Map<string, Record<string, string>>> {
  const out = new Map<string, Map<string, Record<string, string>>>();
  for (const host of xml.split('<host ').slice(1)) {
    const addr = /<address addr="([^"]+)"/.exec(host)?.[1];
    if (!addr) continue;
    const scripts = out.get(addr) ?? new Map<string, Record<string, string>>();
    out.set(addr, scripts);
    for (const m of host.matchAll(/<script id="([^"]+)"[^>]*>([\s\S]*?)<\/script>/g)) {
      const fields: Record<string, string> = {};
      for (const e of m[2].matchAll(/<elem key="([^"]+)">([^<]*)<\/elem>/g)) fields[unescapeXml(e[1])] = unescapeXml(e[2]).trim();
      scripts.set(m[1], { ...scripts.get(m[1]), ...fields });
    }
  }
  return out;
}

function ready(): boolean {
  if (existsSync(NMAP)) return true;
  if (process.env.CI === 'true') assert.fail(`${NMAP} is missing and CI is true`);
  console.log(`# skipped: ${NMAP} is not installed`);
  return false;
}

async function nmap(args: string[]): Promise<Map<string, Map<string, Record<string, string>>>> {
  const { stdout } = await run(NMAP, ['-n', '-Pn', '--max-retries', '1', '-oX', '-', ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return scriptsOf(stdout);
}

function firstOf(twin: Twin, id: string): TwinDevice {
  const d = twin.devices.find((x) => x.device.persona.id === id);
  assert.ok(d, `${id} deployed`);
  return d;
}

/** A service this twin could not bind because another program holds the port on 0.0.0.0. */
function unavailable(twin: Twin, protocol: string, transport: string): boolean {
  const s = twin.services.find((x) => x.protocol === protocol && x.transport === transport);
  if (s && s.failures.length === 0) return false;
  console.log(`# ${protocol}/${transport} not checked: ${s?.failures[0]?.error ?? 'not served'} (port held by another program)`);
  return true;
}

test('nmap s7-info, modbus-discover, enip-info, fox-info, omron-info and bacnet-info report the personas', { timeout: 120_000 }, async () => {
  if (!ready()) return;
  const twin = await startTwin({ devices: 70, seed: 'nmap', cidr: '127.39.0.0/24', personas: PERSONAS, bind: 'per-address' });
  try {
    const d = Object.fromEntries(PERSONAS.map((id) => [id, firstOf(twin, id)]));
    const targets = Object.values(d).map((x) => x.address);
    const [tcp, udp] = await Promise.all([
      nmap(['-sT', '-p', '102,502,1911,9600,44818', '--script', 's7-info,modbus-discover,enip-info,fox-info,omron-info', ...targets]),
      nmap(['-sU', '-p', '47808,9600', '--script', 'bacnet-info,omron-info', d['jci-nae5510'].address, d['omron-cj2m-cpu33'].address]),
    ]);
    const script = (results: typeof tcp, x: TwinDevice, id: string) => results.get(x.address)?.get(id) ?? {};
    let checked = 0;

    if (!unavailable(twin, 's7comm', 'tcp')) {
      for (const id of ['siemens-s7-1200-cpu1214c-dcdcdc', 'conpot-default']) {
        const dev = d[id].device;
        const s7 = script(tcp, d[id], 's7-info');
        assert.equal(s7.Module, dev.identity.orderNumber, `${id} Module`);
        assert.equal(`V${s7.Version}`, dev.identity.firmware, `${id} Version`);
        assert.equal(s7['Serial Number'], dev.identity.serial);
        assert.equal(s7['Module Type'], dev.identity.moduleName, 'nmap labels SZL 0x001C index 2 (module name) "Module Type"');
        assert.equal(s7['Plant Identification'], dev.identity.plantId);
        assert.equal(s7.Copyright, 'Original Siemens Equipment');
        checked++;
      }
      assert.equal(script(tcp, d['conpot-default'], 's7-info')['System Name'], 'Technodrome');
    }
    if (!unavailable(twin, 'modbus', 'tcp')) {
      const m221 = d['schneider-m221-tm221ce24r'].device;
      assert.equal(script(tcp, d['schneider-m221-tm221ce24r'], 'modbus-discover')['Device identification'], `Schneider Electric TM221CE24R ${m221.identity.firmware}`);
      assert.equal(script(tcp, d['conpot-default'], 'modbus-discover')['Device identification'], 'Siemens SIMATIC S7-200');
      const wecon = d['wecon-lx5v-2416mt'].device;
      assert.ok(script(tcp, d['wecon-lx5v-2416mt'], 'modbus-discover')['Slave ID data']?.startsWith(`LX5V-2416MT ${wecon.identity.firmware}`));
      checked++;
    }
    if (!unavailable(twin, 'enip', 'tcp')) {
      const l61 = d['rockwell-controllogix-1756-l61'].device;
      const e = script(tcp, d['rockwell-controllogix-1756-l61'], 'enip-info');
      assert.equal(e.productName, '1756-L61/B LOGIX5561');
      assert.equal(e.vendor, 'Rockwell Automation/Allen-Bradley (1)');
      assert.equal(e.serialNumber, `0x${l61.identity.serial}`);
      assert.equal(e.revision, l61.identity.firmware);
      assert.equal(e.productCode, '54');
      checked++;
    }
    if (!unavailable(twin, 'fox', 'tcp')) {
      const jace = d['tridium-jace-8000'].device;
      const f = script(tcp, d['tridium-jace-8000'], 'fox-info');
      assert.equal(f['app.version'], jace.identity.firmware);
      assert.equal(f.hostId, jace.identity.serial);
      assert.equal(f.hostName, jace.vars.station);
      assert.equal(f['os.name'], 'QNX');
      checked++;
    }
    const cj2 = d['omron-cj2m-cpu33'].device;
    for (const [results, transport] of [[tcp, 'tcp'], [udp, 'udp']] as const) {
      if (unavailable(twin, 'fins', transport)) continue;
      const o = script(results, d['omron-cj2m-cpu33'], 'omron-info');
      assert.equal(o['Controller Model'], 'CJ2M-CPU33', `omron-info over ${transport}`);
      assert.equal(o['Controller Version'], cj2.identity.firmware);
      checked++;
    }
    if (!unavailable(twin, 'bacnet', 'udp')) {
      const nae = d['jci-nae5510'].device;
      const b = script(udp, d['jci-nae5510'], 'bacnet-info');
      assert.equal(b['Vendor Name'], 'Johnson Controls, Inc.');
      assert.equal(b['Vendor ID'], 'Johnson Controls Inc. (5)');
      assert.equal(b['Model Name'], 'MS-NAE5510-2');
      assert.equal(b.Firmware, nae.identity.firmware);
      assert.equal(b['Object Name'], nae.identity.moduleName);
      assert.equal(b['Object-identifier'], nae.vars.instance);
      assert.equal(b['Application Software'], render(nae.persona.services.bacnet!.applicationSoftwareVersion, nae.vars));
      checked++;
    }
    console.log(`# nmap checks passed: ${checked}`);
    assert.ok(checked >= 2, 'at least the UDP scripts ran');
  } finally {
    await twin.close();
  }
});
