// CPU per closed TCP pair: the stateless SYN sweep (src/scanner/syn) against the connect scan
// (src/scanner/sockets.ts through scan()), alternating, in a private network namespace.
//
// Empty namespace: --devices addresses × the TCP probes' ports, all closed. With --twin, a twin
// of --devices devices (per-address sockets, its own process) is swept too: the sweep's CPU,
// wall time and the open pairs it finds against the twin's truth; then the whole scan of the
// twin (all probes, one thread) alternately without (OTSCOPE_SYN_SWEEP=off) and with the sweep.
//   node --import tsx bench/syn-sweep.ts [--devices 5000] [--runs 3] [--twin]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plan, parsePorts, scan, twinMapping } from '../src/scanner/index.ts';
import { sweepPlan, synSweepAvailable } from '../src/scanner/syn/index.ts';
import type { TruthRecord } from '../src/twin/index.ts';

const SELF = fileURLToPath(import.meta.url);
const BIN = fileURLToPath(new URL('../bin/otscope.js', import.meta.url));
const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : d;
};
const DEVICES = Number(arg('devices', '5000'));
const RUNS = Number(arg('runs', '3'));
const BASE = 0x7f140000; // 127.20.0.0, where bench/scan.ts puts its twin

const cpu = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

let range = { start: BASE, end: BASE + DEVICES - 1 };

function tcpPlan(key: number): Plan {
  return new Plan([{ target: 'bench', ...range }], parsePorts().filter((s) => s.transport === 'tcp'), key);
}

async function connectRun(key: number): Promise<{ cpu: number; wall: number; pairs: number; closed: number }> {
  const plan = tcpPlan(key);
  const c0 = cpu();
  const w0 = performance.now();
  process.env.OTSCOPE_SYN_SWEEP = 'off'; // scan() would sweep otherwise
  const stats = await scan({ plan, rate: 0, concurrency: 1024, onObservation: () => undefined }).finally(() => delete process.env.OTSCOPE_SYN_SWEEP);
  return { cpu: cpu() - c0, wall: performance.now() - w0, pairs: plan.size, closed: stats.closed };
}

/** The sweep as the scanner runs it: the plan walked once to list the pairs, swept, then walked again to settle them. */
async function sweepRun(key: number): Promise<{ cpu: number; wall: number; pairs: number; closed: number; open: number; sent: number }> {
  const plan = tcpPlan(key);
  const c0 = cpu();
  const w0 = performance.now();
  const swept = await sweepPlan(plan, { visits: () => true, timeoutMs: 1500, retries: 1 });
  if (!swept) throw new Error('the sweep did not run');
  let closed = 0;
  for (let p = 0; p < plan.size; p++) if (swept.settled(p, plan.at(p))) closed++;
  return { cpu: cpu() - c0, wall: performance.now() - w0, pairs: plan.size, closed, open: swept.stats.open, sent: swept.stats.sent };
}

async function main(): Promise<void> {
  const ok = synSweepAvailable();
  if (!ok.ok) throw new Error(ok.reason);
  const ports = parsePorts().filter((s) => s.transport === 'tcp').length;
  console.log(`# private network namespace; ${DEVICES} addresses × ${ports} TCP ports; ${RUNS} runs each, alternating`);
  const us = (c: number, n: number): string => ((c * 1e6) / n).toFixed(2);
  const rows: { connect: number; sweep: number }[] = [];
  await sweepRun(1); // warm both paths (JIT, the addon's first load)
  await connectRun(1);
  for (let r = 0; r < RUNS; r++) {
    const c = await connectRun(100 + r);
    const s = await sweepRun(200 + r);
    rows.push({ connect: (c.cpu * 1e6) / c.pairs, sweep: (s.cpu * 1e6) / s.pairs });
    console.log(
      `run ${r + 1}: connect ${c.pairs} pairs (${c.closed} closed) CPU ${c.cpu.toFixed(3)} s = ${us(c.cpu, c.pairs)} µs/pair, wall ${(c.wall / 1000).toFixed(2)} s; ` +
        `sweep ${s.pairs} pairs (${s.closed} closed, ${s.sent} SYNs) CPU ${s.cpu.toFixed(3)} s = ${us(s.cpu, s.pairs)} µs/pair, wall ${(s.wall / 1000).toFixed(2)} s`,
    );
  }
  const mc = median(rows.map((r) => r.connect));
  const ms = median(rows.map((r) => r.sweep));
  console.log(`median CPU per closed pair: connect ${mc.toFixed(2)} µs, sweep ${ms.toFixed(2)} µs, ratio ${(mc / ms).toFixed(1)}`);

  if (!process.argv.includes('--twin')) return;
  const dir = mkdtempSync(join(tmpdir(), 'otscope-syn-bench-'));
  const truthFile = join(dir, 'truth.json');
  const twin = spawn(process.execPath, [BIN, 'twin', '--devices', String(DEVICES), '--seed', 'bench', '--cidr', '127.20.0.0/16', '--truth', truthFile, '--bind', 'per-address'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 1200 && !existsSync(truthFile); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as TruthRecord[];
    const tcp = truth.reduce((n, d) => n + d.services.filter((s) => s.transport === 'tcp').length, 0);
    const ipInt = (a: string): number => a.split('.').reduce((n, x) => n * 256 + Number(x), 0) >>> 0;
    range = { start: ipInt(truth[0].address), end: ipInt(truth[truth.length - 1].address) };
    const twinCpu = (): number => {
      const f = readFileSync(`/proc/${twin.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    };
    for (let r = 0; r < RUNS; r++) {
      const t0 = twinCpu();
      const s = await sweepRun(300 + r);
      console.log(
        `twin run ${r + 1}: sweep ${s.pairs} pairs, ${s.open} open (truth: ${tcp} TCP services), ${s.closed} closed, ${s.sent} SYNs; ` +
          `CPU ${s.cpu.toFixed(3)} s = ${us(s.cpu, s.pairs)} µs/pair, twin ${(twinCpu() - t0).toFixed(2)} s, wall ${(s.wall / 1000).toFixed(2)} s`,
      );
    }
    const scans: Record<'off' | 'on', { cpu: number[]; twin: number[] }> = { off: { cpu: [], twin: [] }, on: { cpu: [], twin: [] } };
    for (let r = 0; r < RUNS * 2; r++) {
      const mode = r % 2 ? 'on' : 'off';
      if (mode === 'off') process.env.OTSCOPE_SYN_SWEEP = 'off';
      else delete process.env.OTSCOPE_SYN_SWEEP;
      const plan = new Plan([{ target: 'bench', ...range }], parsePorts(), 400 + r);
      let observed = 0;
      const c0 = cpu();
      const t0 = twinCpu();
      const w0 = performance.now();
      const stats = await scan({ plan, rate: 0, concurrency: 1024, publicAddress: twinMapping, onObservation: () => observed++ });
      const c = cpu() - c0;
      const t = twinCpu() - t0;
      scans[mode].cpu.push(c);
      scans[mode].twin.push(t);
      console.log(`scan, sweep ${mode}: ${plan.size} pairs, ${observed} observations, ${stats.closed} closed; CPU scanner ${c.toFixed(2)} s, twin ${t.toFixed(2)} s, wall ${((performance.now() - w0) / 1000).toFixed(2)} s`);
    }
    delete process.env.OTSCOPE_SYN_SWEEP;
    console.log(
      `median CPU per scan: sweep off scanner ${median(scans.off.cpu).toFixed(2)} s twin ${median(scans.off.twin).toFixed(2)} s; ` +
        `sweep on scanner ${median(scans.on.cpu).toFixed(2)} s twin ${median(scans.on.twin).toFixed(2)} s`,
    );
  } finally {
    twin.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.OTSCOPE_BENCH_NETNS !== '1') {
  const r = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...process.execArgv, SELF, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, OTSCOPE_BENCH_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}
await main();
