// Scan throughput and accuracy against the digital twin, and against nmap on a subset, in one run.
//
// A twin of --devices devices (all protocols, one socket per device address) runs as its own
// process; otscope's in-process `scan()` covers every (address, port) pair of it with the default
// probe table, and every service the ground truth lists is checked field by field. In the same run
// nmap (Debian's, `-n -Pn -sT` and `-sU` with the ICS NSE scripts, XML on stdout) and otscope each
// scan the same --subset devices; the bench prints time per device for both, the ratio, and for
// every field an nmap script reports whether otscope's observation carries the same value.
//
// Both processes' CPU time is printed: the twin answers every probe and shares the machine.
// Medians over --runs runs. Loopback only. By default the bench re-runs itself in a private
// network namespace (`unshare -rn`, loopback up), so no other program's wildcard listener on
// 0.0.0.0:502 (a demo twin, pymodbus) takes the twin's ports; --no-netns runs in the host's.
//   node --import tsx bench/scan.ts [--devices 5000] [--subset 200] [--runs 3] [--seed bench]
//        [--cidr 127.20.0.0/16] [--concurrency 1024] [--workers N] [--no-nmap] [--no-netns] [--mismatches 10]
//        [--twin-node-args '--cpu-prof --cpu-prof-dir=DIR']
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Observation } from '../src/model/index.ts';
import { Plan, ScanWorkers, parsePorts, scan, twinMapping, type ScanStats } from '../src/scanner/index.ts';
import type { TruthRecord } from '../src/twin/index.ts';

const BIN = fileURLToPath(new URL('../bin/otscope.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const NMAP = '/usr/bin/nmap';
const NMAP_TCP = { ports: '102,502,1911,9600,44818', scripts: 's7-info,modbus-discover,enip-info,fox-info,omron-info' };
const NMAP_UDP = { ports: '47808,9600,44818', scripts: 'bacnet-info,omron-info,enip-info' };

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : d;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const DEVICES = Number(arg('devices', '5000'));
const SUBSET = Number(arg('subset', '200'));
const RUNS = Number(arg('runs', '3'));
const SEED = arg('seed', 'bench');
const CIDR = arg('cidr', '127.20.0.0/16');
// 1024 probes at once: on a loaded 2-core machine more work per event-loop turn beat 256 (8.1 s vs
// 12.0 s for 5,000 devices); 4,000 exceeded the twin's connection bound and lost services.
const CONCURRENCY = Number(arg('concurrency', '1024'));
const SHOW = Number(arg('mismatches', '10'));
// Scanner threads (`otscope scan --workers`), started before the clock; 1 as the scanner's default.
const WORKERS = Number(arg('workers', '1'));
// Node options for the twin's process, e.g. --twin-node-args '--cpu-prof --cpu-prof-dir=/tmp/p'.
const TWIN_NODE_ARGS = arg('twin-node-args', '').split(' ').filter(Boolean);

function reexecInNamespace(): number | null {
  if (flag('no-netns') || process.env.OTSCOPE_BENCH_NETNS === '1') return null;
  const probe = spawnSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    console.log('# no private network namespace (unshare -rn failed): running in the host namespace');
    return null;
  }
  const r = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...process.execArgv, SELF, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, OTSCOPE_BENCH_NETNS: '1' },
  });
  return r.status ?? 1;
}

const ipInt = (a: string): number => a.split('.').reduce((n, x) => n * 256 + Number(x), 0) >>> 0;

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
const selfCpu = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function startTwinProcess(dir: string): Promise<{ child: ChildProcess; truth: TruthRecord[] }> {
  const truthFile = join(dir, 'truth.json');
  const child = spawn(process.execPath, [...TWIN_NODE_ARGS, BIN, 'twin', '--devices', String(DEVICES), '--seed', SEED, '--cidr', CIDR, '--truth', truthFile, '--bind', 'per-address'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  for (let i = 0; i < 1200 && !existsSync(truthFile) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(truthFile)) throw new Error(`the twin wrote no truth file: ${err}`);
  await new Promise((r) => setTimeout(r, 200));
  const failed = /could not start: (.*)/.exec(err)?.[1];
  if (failed) console.log(`# twin: services that could not start: ${failed}`);
  return { child, truth: JSON.parse(readFileSync(truthFile, 'utf8')) as TruthRecord[] };
}

interface ScanRun {
  stats: ScanStats;
  observations: Observation[];
  seconds: number;
  cpu: number;
  twinCpu: number;
}

type Ranges = { start: number; end: number }[];

/**
 * --workers N: the scan over N scanner threads (`scan`'s `workers`), started and loaded before
 * the clock starts; the process's CPU time counts every thread.
 */
async function otscopeScan(pool: ScanWorkers | null, ranges: Ranges, twinPid: number, key: number): Promise<ScanRun> {
  const plan = new Plan(ranges.map((r) => ({ target: 'bench', ...r })), parsePorts(), key);
  const observations: Observation[] = [];
  const t0 = cpuOf(twinPid);
  const c0 = selfCpu();
  const w0 = performance.now();
  const stats = await scan({ plan, rate: 0, concurrency: CONCURRENCY, workers: pool ?? 1, publicAddress: twinMapping, onObservation: (o) => observations.push(o) });
  return { stats, observations, seconds: (performance.now() - w0) / 1000, cpu: selfCpu() - c0, twinCpu: cpuOf(twinPid) - t0 };
}

interface Accuracy {
  services: number;
  /** Services observed with every exposed field equal to the truth. */
  exact: number;
  fields: Map<string, { total: number; equal: number }>;
  missing: number;
  extra: number;
  mismatches: string[];
}

function accuracy(truth: TruthRecord[], observations: Observation[]): Accuracy {
  const seen = new Map(observations.map((o) => [`${o.via ?? o.ip}|${o.transport}/${o.port}`, o]));
  const a: Accuracy = { services: 0, exact: 0, fields: new Map(), missing: 0, extra: 0, mismatches: [] };
  for (const device of truth) {
    for (const s of device.services) {
      a.services++;
      const key = `${device.address}|${s.transport}/${s.port}`;
      const o = seen.get(key);
      seen.delete(key);
      const entries = Object.entries(s.exposes);
      let ok = Boolean(o) && o!.protocol === s.protocol && o!.ip === device.publicIp;
      if (!o) {
        a.missing++;
        a.mismatches.push(`${key} ${device.persona} ${s.protocol}: not observed`);
      }
      for (const [field, value] of [['protocol', s.protocol], ['ip', device.publicIp], ...entries] as [string, unknown][]) {
        const name = field === 'protocol' || field === 'ip' ? field : `${s.protocol}.${field}`;
        const got = field === 'protocol' ? o?.protocol : field === 'ip' ? o?.ip : (o?.identity as Record<string, unknown> | undefined)?.[field];
        const f = a.fields.get(name) ?? { total: 0, equal: 0 };
        a.fields.set(name, f);
        f.total++;
        if (got === value) f.equal++;
        else {
          ok = false;
          if (o) a.mismatches.push(`${key} ${device.persona} ${name}: ${JSON.stringify(got)}, truth ${JSON.stringify(value)}`);
        }
      }
      if (ok) a.exact++;
    }
  }
  for (const [key, o] of seen) {
    a.extra++;
    a.mismatches.push(`${key} ${o.protocol}: observed but not in the truth`);
  }
  return a;
}

/* nmap */

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCharCode(parseInt(n, 16)))
    .replace(/&#([0-9]+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

/** One script's output on one port of one host, its elements flattened (`key → value`). */
interface NmapResult {
  address: string;
  transport: 'tcp' | 'udp';
  port: number;
  script: string;
  fields: Record<string, string>;
}

function parseNmapXml(xml: string): NmapResult[] {
  const out: NmapResult[] = [];
  for (const host of xml.split('<host ').slice(1)) {
    const address = /<address addr="([^"]+)"/.exec(host)?.[1];
    if (!address) continue;
    for (const p of host.matchAll(/<port protocol="(tcp|udp)" portid="(\d+)">([\s\S]*?)<\/port>/g)) {
      for (const m of p[3].matchAll(/<script id="([^"]+)"[^>]*>([\s\S]*?)<\/script>/g)) {
        const fields: Record<string, string> = {};
        // modbus-discover nests its elements in one table per unit id: the first unit's count.
        for (const e of m[2].matchAll(/<elem key="([^"]+)">([^<]*)<\/elem>/g)) fields[unescapeXml(e[1])] ??= unescapeXml(e[2]);
        out.push({ address, transport: p[1] as 'tcp' | 'udp', port: Number(p[2]), script: m[1], fields });
      }
    }
  }
  return out;
}

function runNmap(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(NMAP, ['-n', '-Pn', '-oX', '-', ...args], { timeout: 600_000, maxBuffer: 64 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** The TCP and the UDP scan at once, as an operator would run them; the wall time of both. */
async function nmapScan(addresses: string[]): Promise<{ results: NmapResult[]; seconds: number }> {
  const w0 = performance.now();
  const [tcp, udp] = await Promise.all([
    runNmap(['-sT', '-p', NMAP_TCP.ports, '--script', NMAP_TCP.scripts, ...addresses]),
    runNmap(['-sU', '-p', NMAP_UDP.ports, '--script', NMAP_UDP.scripts, ...addresses]),
  ]);
  const seconds = (performance.now() - w0) / 1000;
  return { results: [...parseNmapXml(tcp), ...parseNmapXml(udp)], seconds };
}

type Raw = Record<string, unknown>;

/** modbus-discover.nse's `modbus_exception_codes`. */
const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'ILLEGAL FUNCTION', 2: 'ILLEGAL DATA ADDRESS', 3: 'ILLEGAL DATA VALUE', 4: 'SLAVE DEVICE FAILURE', 5: 'ACKNOWLEDGE',
  6: 'SLAVE DEVICE BUSY', 8: 'MEMORY PARITY ERROR', 10: 'GATEWAY PATH UNAVAILABLE', 11: 'GATEWAY TARGET DEVICE FAILED TO RESPOND',
};

function nmapBytesHex(v: string): string {
  const bytes = v.replace(/\\x([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}
const hex = (n: unknown, width: number): string | undefined => (typeof n === 'number' ? `0x${n.toString(16).padStart(width, '0')}` : undefined);
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/**
 * otscope's value for each field an nmap script prints, from the observation of that service.
 * Keys are the scripts' own output keys (/usr/share/nmap/scripts/*.nse); a key missing here is
 * a field nmap extracts that otscope does not, and is counted as such.
 */
const NMAP_FIELDS: Record<string, Record<string, (o: Observation, nmapValue: string) => string | undefined>> = {
  's7-info': {
    // The SZL fields are space-padded on the wire; nmap prints the padding, otscope trims it.
    Module: (o, v) => (raw(o).module === v.trimEnd() ? v : str(raw(o).module)),
    'Basic Hardware': (o, v) => (raw(o).basicHardware === v.trimEnd() ? v : str(raw(o).basicHardware)),
    // nmap prints the firmware without its V (s7-info.nse joins the three version octets).
    Version: (o) => o.identity?.firmware?.replace(/^V/, ''),
    'System Name': (o) => str(raw(o).automationSystemName),
    // s7-info labels SZL 0x001C index 2, the module name, "Module Type".
    'Module Type': (o) => o.identity?.moduleName,
    'Serial Number': (o) => o.identity?.serial,
    'Plant Identification': (o) => o.identity?.plantId,
    Copyright: (o) => str(raw(o).copyright),
  },
  'modbus-discover': {
    // nmap prints the Report Server ID bytes with \xHH for what is not printable: compared as bytes.
    'Slave ID data': (o, v) => (typeof raw(o).serverId === 'string' && raw(o).serverId === nmapBytesHex(v) ? v : str(raw(o).serverId)),
    // The basic objects (VendorName, ProductCode, MajorMinorRevision) joined by spaces.
    'Device identification': (o) => {
      const r = raw(o);
      const objects = ['VendorName', 'ProductCode', 'MajorMinorRevision'].map((k) => r[k]).filter((x) => x !== undefined);
      return objects.length ? objects.join(' ') : undefined;
    },
    // The exception a Report Server ID drew, in modbus-discover.nse's own words.
    error: (o) => MODBUS_EXCEPTIONS[raw(o).reportServerIdException as number],
  },
  'enip-info': {
    type: (o) => (raw(o).deviceTypeName !== undefined ? `${raw(o).deviceTypeName} (${raw(o).deviceType})` : undefined),
    // nmap's vendor table and otscope's may spell a name differently: the number decides.
    vendor: (o, v) => (raw(o).vendorId !== undefined && v.endsWith(`(${raw(o).vendorId})`) ? v : `(${str(raw(o).vendorId)})`),
    productName: (o) => o.identity?.product,
    serialNumber: (o) => (o.identity?.serial ? `0x${o.identity.serial}` : undefined),
    productCode: (o) => str(raw(o).productCode),
    revision: (o) => o.identity?.firmware,
    status: (o) => hex(raw(o).status, 4),
    state: (o) => hex(raw(o).state, 2),
    deviceIp: (o) => str(raw(o).socketAddress)?.replace(/:\d+$/, ''),
  },
  'fox-info': Object.fromEntries(
    ['fox.version', 'hostName', 'hostAddress', 'app.name', 'app.version', 'vm.name', 'vm.version', 'os.name', 'os.version', 'station.name', 'language', 'timeZone', 'hostId', 'vmUuid', 'brandId', 'sysInfo', 'authAgentTypes']
      .map((k) => [k, (o: Observation) => str(raw(o)[k === 'language' ? 'lang' : k])]),
  ),
  'omron-info': {
    'Response Code': (o) => (o.identity ? 'Normal completion (0x0000)' : undefined),
    'Controller Model': (o) => str(raw(o).controllerModel),
    'Controller Version': (o) => str(raw(o).controllerVersion),
    'For System Use': (o) => str(raw(o).forSystemUse),
    'Program Area Size': (o) => str(raw(o).programAreaSize),
    'IOM size': (o) => str(raw(o).iomSize),
    'No. DM Words': (o) => str(raw(o).dmWords),
    'Timer/Counter': (o) => str(raw(o).timerCounterSize),
    'Expansion DM Size': (o) => str(raw(o).expansionDmSize),
    'No. of steps/transitions': (o) => str(raw(o).steps),
    'Kind of Memory Card': (o) => str(raw(o).memoryCardKind),
    'Memory Card Size': (o) => str(raw(o).memoryCardSize),
  },
  'bacnet-info': {
    'Vendor ID': (o, v) => (raw(o).vendorId !== undefined && v.endsWith(`(${raw(o).vendorId})`) ? v : `(${str(raw(o).vendorId)})`),
    'Vendor Name': (o) => o.identity?.vendor,
    'Object-identifier': (o) => str(raw(o).deviceInstance),
    Firmware: (o) => o.identity?.firmware,
    'Application Software': (o) => str(raw(o).applicationSoftwareVersion),
    'Object Name': (o) => o.identity?.moduleName,
    'Model Name': (o) => o.identity?.model,
    Description: (o) => str(raw(o).description),
    Location: (o) => str(raw(o).location),
  },
};

function raw(o: Observation): Raw {
  return (o.identity?.raw ?? {}) as Raw;
}

interface FieldComparison {
  /** script / key → how often nmap printed it, and how often otscope had the same value. */
  fields: Map<string, { nmap: number; equal: number; example?: string }>;
  /** Services nmap's scripts reported on that otscope did not observe. */
  unobserved: string[];
}

function compareFields(nmap: NmapResult[], observations: Observation[]): FieldComparison {
  const byService = new Map(observations.map((o) => [`${o.via ?? o.ip}|${o.transport}/${o.port}`, o]));
  const c: FieldComparison = { fields: new Map(), unobserved: [] };
  for (const r of nmap) {
    const o = byService.get(`${r.address}|${r.transport}/${r.port}`);
    if (!o) c.unobserved.push(`${r.address} ${r.transport}/${r.port} ${r.script}`);
    for (const [key, value] of Object.entries(r.fields)) {
      const name = `${r.script} ${key}`;
      const f = c.fields.get(name) ?? { nmap: 0, equal: 0 };
      c.fields.set(name, f);
      f.nmap++;
      const ours = o ? NMAP_FIELDS[r.script]?.[key]?.(o, value) : undefined;
      if (ours === value) f.equal++;
      else f.example ??= `${r.address} ${r.transport}/${r.port}: nmap ${JSON.stringify(value)}, otscope ${JSON.stringify(ours)}`;
    }
  }
  return c;
}

/* the run */

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-bench-scan-'));
  console.log(`# ${process.env.OTSCOPE_BENCH_NETNS === '1' ? 'private network namespace' : 'host network namespace'}; twin ${DEVICES} devices seed ${SEED} on ${CIDR} (per-address sockets), concurrency ${CONCURRENCY}, ${WORKERS} scanner thread${WORKERS > 1 ? 's' : ''}, ${RUNS} runs`);
  const { child, truth } = await startTwinProcess(dir);
  const pool = WORKERS > 1 ? await ScanWorkers.start(WORKERS) : null;
  try {
    const services = truth.reduce((n, d) => n + d.services.length, 0);
    const protocols = [...new Set(truth.flatMap((d) => d.services.map((s) => `${s.protocol}/${s.transport}`)))].sort();
    console.log(`twin: ${truth.length} devices, ${services} services (${protocols.join(', ')})`);
    const full = [{ start: ipInt(truth[0].address), end: ipInt(truth[truth.length - 1].address) }];
    // The subset: devices spread evenly over the twin, so every protocol is in it.
    const step = Math.max(1, Math.floor(truth.length / SUBSET));
    const subset = truth.filter((_d, i) => i % step === 0).slice(0, SUBSET);
    const subsetRanges = subset.map((d) => ({ start: ipInt(d.address), end: ipInt(d.address) }));
    const nmapReady = !flag('no-nmap') && existsSync(NMAP);
    if (!nmapReady) console.log(`# nmap not run (${flag('no-nmap') ? '--no-nmap' : `${NMAP} missing`})`);

    const rows: { rate: number; seconds: number; cpu: number; twinCpu: number; exact: number; subsetOurs: number; subsetNmap: number }[] = [];
    let lastAccuracy: Accuracy | null = null;
    let lastComparison: FieldComparison | null = null;
    for (let run = 1; run <= RUNS; run++) {
      const r = await otscopeScan(pool, full, child.pid!, 1000 + run);
      const acc = accuracy(truth, r.observations);
      lastAccuracy = acc;
      const rate = acc.exact / r.seconds;
      let subsetNmap = NaN;
      let subsetOurs = NaN;
      // One thread, as `otscope scan` starts for a scan this small.
      const ours = await otscopeScan(null, subsetRanges, child.pid!, 2000 + run);
      subsetOurs = ours.seconds / subset.length;
      if (nmapReady) {
        try {
          const n = await nmapScan(subset.map((d) => d.address));
          subsetNmap = n.seconds / subset.length;
          lastComparison = compareFields(n.results, ours.observations);
        } catch (e) {
          // -sU needs raw sockets (root, or the namespace's own root): say so, keep otscope's figures.
          console.log(`# nmap failed: ${(e as Error).message.split('\n')[0]}`);
        }
      }
      rows.push({ rate, seconds: r.seconds, cpu: r.cpu, twinCpu: r.twinCpu, exact: acc.exact, subsetOurs, subsetNmap });
      console.log(
        `run ${run}: ${r.stats.pairs} pairs, ${r.observations.length} observations, ${acc.exact}/${acc.services} services exact in ${r.seconds.toFixed(2)} s = ${rate.toFixed(0)} identified services/s; ` +
          `CPU scanner ${r.cpu.toFixed(2)} s, twin ${r.twinCpu.toFixed(2)} s; subset of ${subset.length}: otscope ${(subsetOurs * 1000).toFixed(2)} ms/device` +
          (nmapReady ? `, nmap ${(subsetNmap * 1000).toFixed(2)} ms/device, ratio ${(subsetNmap / subsetOurs).toFixed(1)}` : ''),
      );
    }

    const acc = lastAccuracy!;
    console.log(`\naccuracy (last run): ${acc.exact}/${acc.services} services exact (${((100 * acc.exact) / acc.services).toFixed(2)}%), ${acc.missing} missing, ${acc.extra} not in the truth`);
    for (const [name, f] of [...acc.fields].sort()) console.log(`  ${name.padEnd(28)} ${f.equal}/${f.total}`);
    for (const m of acc.mismatches.slice(0, SHOW)) console.log(`  ! ${m}`);

    if (lastComparison) {
      console.log(`\nnmap fields vs otscope on the subset (last run): nmap key → services where nmap printed it, otscope equal`);
      let all = 0;
      let equal = 0;
      for (const [name, f] of [...lastComparison.fields].sort()) {
        all += f.nmap;
        equal += f.equal;
        console.log(`  ${name.padEnd(40)} ${f.equal}/${f.nmap}${f.example ? `   e.g. ${f.example}` : ''}`);
      }
      console.log(`  fields: ${lastComparison.fields.size} keys, ${equal}/${all} values equal`);
      for (const u of lastComparison.unobserved.slice(0, SHOW)) console.log(`  ! nmap reported, otscope did not observe: ${u}`);
    }

    const med = (k: keyof (typeof rows)[number]): number => median(rows.map((r) => r[k]));
    console.log(
      `\nmedian of ${rows.length}: ${med('rate').toFixed(0)} identified services/s (${med('seconds').toFixed(2)} s, CPU scanner ${med('cpu').toFixed(2)} s, twin ${med('twinCpu').toFixed(2)} s), ` +
        `accuracy ${((100 * med('exact')) / acc.services).toFixed(2)}%` +
        (nmapReady
          ? `; subset ${subset.length} devices: nmap ${(med('subsetNmap') * 1000).toFixed(2)} ms/device, otscope ${(med('subsetOurs') * 1000).toFixed(2)} ms/device, ratio ${(med('subsetNmap') / med('subsetOurs')).toFixed(1)}`
          : ''),
    );
  } finally {
    await pool?.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const code = reexecInNamespace();
if (code !== null) process.exit(code);
await main();
