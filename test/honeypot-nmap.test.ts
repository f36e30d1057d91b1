// nmap's own ICS NSE scripts (Debian's nmap, written by nobody here) against honeypot sensors:
// each reports the identity the sensor's deployment drew, field by field. The sensors listen on
// ports of our choosing on 127.77.x.y, so standard ports held by a twin elsewhere do not matter;
// `--script +NAME` runs a script whatever the port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { render, type ProtocolName } from '../src/personas/index.ts';
import { conpotStringsIn, startHoneypot, type Honeypot, type HoneypotEvent } from '../src/honeypot/index.ts';

const NMAP = '/usr/bin/nmap';
const run = promisify(execFile);

function ready(): boolean {
  if (existsSync(NMAP)) return true;
  if (process.env.CI === 'true') assert.fail(`${NMAP} is missing and CI is true`);
  console.log(`# skipped: ${NMAP} is not installed`);
  return false;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#x?([0-9a-f]+);/gi, (_m, n: string) => String.fromCharCode(parseInt(n, 16))).replace(/&amp;/g, '&');
}

/** Script id → flattened key → value, from nmap's XML for one host. */
function scriptsOf(xml: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const m of xml.matchAll(/<script id="([^"]+)" output="([^"]*)"[^>]*>([\s\S]*?)<\/script>|<script id="([^"]+)" output="([^"]*)"\/>/g)) {
    const id = m[1] ?? m[4];
    const fields: Record<string, string> = { output: unescapeXml(m[2] ?? m[5]) };
    for (const e of (m[3] ?? '').matchAll(/<elem key="([^"]+)">([^<]*)<\/elem>/g)) fields[unescapeXml(e[1])] = unescapeXml(e[2]).trim();
    out.set(id, { ...out.get(id), ...fields });
  }
  return out;
}

async function nmap(args: string[]): Promise<Map<string, Record<string, string>>> {
  const { stdout } = await run(NMAP, ['-n', '-Pn', '--max-retries', '1', '-oX', '-', ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return scriptsOf(stdout);
}

let nextPort = 24000 + (process.pid % 300) * 30;
const host = (i: number) => `127.77.${100 + i}.${(process.pid % 250) + 2}`;

async function sensor(persona: string, i: number, events: HoneypotEvent[]): Promise<{ hp: Honeypot; ports: Partial<Record<ProtocolName, number>>; host: string }> {
  for (let attempt = 0; ; attempt++) {
    const ports: Partial<Record<ProtocolName, number>> = {};
    for (const p of ['modbus', 's7comm', 'enip', 'fins', 'bacnet', 'opcua', 'mqtt', 'fox', 'dnp3', 'iec104'] as ProtocolName[]) ports[p] = nextPort++;
    const hp = await startHoneypot({ persona, bind: host(i), ports, onEvent: (e) => events.push(e) });
    if (hp.services.every((s) => !s.error) || attempt > 4) return { hp, ports, host: host(i) };
    await hp.close();
  }
}

test('nmap s7-info, modbus-discover, enip-info, bacnet-info, fox-info, omron-info and iec-identify report the sensors\' identities', { timeout: 120_000 }, async () => {
  if (!ready()) return;
  const events: HoneypotEvent[] = [];
  const ids = ['siemens-s7-1200-cpu1214c-dcdcdc', 'schneider-m221-tm221ce24r', 'rockwell-controllogix-1756-l61', 'tridium-jace-8000', 'omron-cj2m-cpu33', 'nari-ns3560-rtu'];
  const sensors = await Promise.all(ids.map((id, i) => sensor(id, i, events)));
  const [s7, m221, l61, jace, cj2, rtu] = sensors;
  try {
    const port = (s: (typeof sensors)[number], p: ProtocolName) => String(s.ports[p]);
    const [a, b, c, d, e, f, g, h] = await Promise.all([
      nmap(['-sT', '-p', port(s7, 's7comm'), '--script', '+s7-info', s7.host]),
      nmap(['-sT', '-p', port(m221, 'modbus'), '--script', '+modbus-discover', m221.host]),
      nmap(['-sT', '-p', port(l61, 'enip'), '--script', '+enip-info', l61.host]),
      nmap(['-sT', '-p', port(jace, 'fox'), '--script', '+fox-info', jace.host]),
      nmap(['-sU', '-p', port(jace, 'bacnet'), '--script', '+bacnet-info', jace.host]),
      nmap(['-sT', '-p', port(cj2, 'fins'), '--script', '+omron-info', cj2.host]),
      nmap(['-sU', '-p', port(cj2, 'fins'), '--script', '+omron-info', cj2.host]),
      nmap(['-sT', '-p', port(rtu, 'iec104'), '--script', '+iec-identify', rtu.host]),
    ]);

    const dev = s7.hp.device;
    const info = a.get('s7-info') ?? {};
    assert.equal(info.Module, dev.identity.orderNumber);
    assert.equal(`V${info.Version}`, dev.identity.firmware);
    assert.equal(info['Serial Number'], dev.identity.serial);
    assert.equal(info['Plant Identification'], dev.identity.plantId);
    assert.equal(info['Module Type'], dev.identity.moduleName);

    const md = b.get('modbus-discover') ?? {};
    assert.equal(md['Device identification'], `Schneider Electric TM221CE24R ${m221.hp.device.identity.firmware}`, JSON.stringify(md));

    const enip = c.get('enip-info') ?? {};
    assert.equal(enip.productName, '1756-L61/B LOGIX5561');
    assert.equal(enip.serialNumber, `0x${l61.hp.device.identity.serial}`);
    assert.equal(enip.revision, l61.hp.device.identity.firmware);

    const fox = d.get('fox-info') ?? {};
    assert.equal(fox['app.version'], jace.hp.device.identity.firmware);
    assert.equal(fox.hostId, jace.hp.device.identity.serial);
    assert.equal(fox.hostName, jace.hp.device.vars.station);

    const bac = e.get('bacnet-info') ?? {};
    assert.equal(bac['Object Name'], jace.hp.device.identity.moduleName, JSON.stringify(bac));
    assert.equal(bac['Object-identifier'], jace.hp.device.vars.instance);
    assert.equal(bac['Application Software'], render(jace.hp.device.persona.services.bacnet!.applicationSoftwareVersion, jace.hp.device.vars));

    for (const [results, transport] of [[f, 'tcp'], [g, 'udp']] as const) {
      const o = results.get('omron-info') ?? {};
      assert.equal(o['Controller Model'], 'CJ2M-CPU33', `omron-info over ${transport}: ${JSON.stringify(o)}`);
      assert.equal(o['Controller Version'], cj2.hp.device.identity.firmware);
    }

    const iec = h.get('iec-identify') ?? {};
    assert.equal(iec['ASDU address'], String(rtu.hp.device.persona.services.iec104!.commonAddress), JSON.stringify(iec));
    assert.equal(iec['Information objects'], String(rtu.hp.device.persona.services.iec104!.points));

    // Every script's output, and every octet the sensors answered with, free of Conpot's defaults.
    for (const r of [a, b, c, d, e, f, g, h]) for (const [, fields] of r) assert.deepEqual(conpotStringsIn(Buffer.from(JSON.stringify(fields), 'latin1')), []);
    // Each scan is on the sensors' record, as identification (discovery) at least.
    await new Promise((r) => setTimeout(r, 100));
    for (const [s, protocol] of [[s7, 's7comm'], [m221, 'modbus'], [l61, 'enip'], [jace, 'fox'], [jace, 'bacnet'], [cj2, 'fins'], [rtu, 'iec104']] as const) {
      const mine = events.filter((x) => x.protocol === protocol && x.persona === s.hp.device.persona.id);
      assert.ok(mine.some((x) => x.operation === 'discovery'), `${protocol}: ${mine.map((x) => x.operation).join(',')}`);
    }
  } finally {
    await Promise.all(sensors.map((s) => s.hp.close()));
  }
});
