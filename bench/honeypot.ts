// Honeypot sensor throughput on loopback: the sensor runs in its own process (so its RSS is its
// own) wearing a Modbus persona, every request decoded into an event as in production; the
// clients run here.
//   1. sustained Modbus requests/s: C connections, each pipelining P Read Holding Registers
//   2. connections/s: connect, one request, answer, close, with 64 in flight
//   3. RSS with N concurrent idle connections (10,000 by default)
// Targets (issue 5): >= 20,000 requests/s; 10,000 concurrent connections under 300 MB RSS.
//   node --import tsx bench/honeypot.ts [--seconds 5] [--clients 16] [--pipeline 32] [--idle 10000] [--log FILE]
import { fork, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { startHoneypot, eventSink } from '../src/honeypot/index.ts';

const HOST = '127.77.254.1';
const PORT = 25020;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const logFile = (() => {
  const i = process.argv.indexOf('--log');
  return i > 0 ? process.argv[i + 1] : undefined;
})();

/** The sensor side (a child process): serves, counts events, answers RSS questions. */
async function serve(): Promise<void> {
  const sink = logFile ? eventSink({ log: logFile }) : undefined;
  let events = 0;
  const hp = await startHoneypot({
    persona: 'schneider-m221-tm221ce24r', bind: HOST, ports: { modbus: PORT }, seed: 'bench',
    maxConnections: 20_000, maxConnectionsPerSource: 20_000, idleTimeoutMs: 300_000,
    onEvent: (e) => {
      events++;
      sink?.write(e);
    },
  });
  if (hp.services.some((s) => s.error)) {
    process.send!({ error: hp.services.map((s) => s.error).join() });
    return;
  }
  process.on('message', (m: { ask: string }) => {
    if (m.ask === 'stats') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ rss: process.memoryUsage().rss, connections: hp.connections(), events });
    }
    if (m.ask === 'stop') void hp.close().then(() => sink?.close()).then(() => process.exit(0));
  });
  process.send!({ ready: true });
}

function ask(child: ChildProcess, what: string): Promise<{ rss: number; connections: number; events: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { rss: number; connections: number; events: number }));
    child.send({ ask: what });
  });
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: HOST, port: PORT }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/** Modbus/TCP Read Holding Registers (§6.3), 10 registers from 0, transaction id `t`. */
function request(t: number): Buffer {
  return Buffer.from([t >> 8, t & 0xff, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
}

/** Counts whole MBAP frames in the stream (length field at octets 4–5). */
class Frames {
  private pending = Buffer.alloc(0);
  count(chunk: Buffer): number {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let n = 0;
    while (buf.length >= 6) {
      const len = 6 + buf.readUInt16BE(4);
      if (buf.length < len) break;
      buf = buf.subarray(len);
      n++;
    }
    this.pending = Buffer.from(buf);
    return n;
  }
}

async function requestsPerSecond(seconds: number, clients: number, pipeline: number): Promise<number> {
  const batch = Buffer.concat(Array.from({ length: pipeline }, (_, i) => request(i)));
  let answered = 0;
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const s = await open();
      const frames = new Frames();
      await new Promise<void>((resolve) => {
        let outstanding = pipeline;
        s.on('data', (d: Buffer) => {
          const n = frames.count(d);
          answered += n;
          outstanding -= n;
          if (outstanding > 0) return;
          if (Date.now() >= end) return resolve();
          outstanding = pipeline;
          s.write(batch);
        });
        s.write(batch);
      });
      s.destroy();
    }),
  );
  return answered / ((Date.now() - started) / 1000);
}

async function connectionsPerSecond(seconds: number, inFlight: number): Promise<number> {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  const one = Buffer.from(request(1));
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        const s = await open();
        await new Promise<void>((resolve) => {
          s.once('data', () => resolve());
          s.write(one);
        });
        // RST rather than FIN: no TIME_WAIT per connection on the client side of loopback.
        s.resetAndDestroy();
        done++;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

async function idle(n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += 200) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => open()))));
  }
  return sockets;
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const seconds = arg('seconds', 5);
  const clients = arg('clients', 16);
  const pipeline = arg('pipeline', 32);
  const idleCount = arg('idle', 10_000);
  const child = fork(new URL(import.meta.url).pathname, ['--serve', ...process.argv.slice(2)], { execArgv: ['--import', 'tsx', '--expose-gc'] });
  const first = await new Promise<{ ready?: boolean; error?: string }>((resolve) => child.once('message', (m) => resolve(m as { ready?: boolean; error?: string })));
  if (!first.ready) throw new Error(`sensor did not start: ${first.error}`);
  try {
    const base = await ask(child, 'stats');
    const rps = await requestsPerSecond(seconds, clients, pipeline);
    const afterRps = await ask(child, 'stats');
    console.log(`requests/s      ${Math.round(rps)}  (${clients} connections x ${pipeline} pipelined, ${seconds} s; target >= 20000) ${rps >= 20_000 ? 'OK' : 'BELOW TARGET'}`);
    const cps = await connectionsPerSecond(Math.max(2, Math.round(seconds / 2)), 64);
    console.log(`connections/s   ${Math.round(cps)}  (connect, one request, close; 64 in flight)`);
    const sockets = await idle(idleCount);
    await new Promise((r) => setTimeout(r, 500));
    const held = await ask(child, 'stats');
    const mb = held.rss / 2 ** 20;
    console.log(`idle            ${held.connections} concurrent connections, sensor RSS ${mb.toFixed(1)} MB (idle sensor ${(base.rss / 2 ** 20).toFixed(1)} MB; target < 300 MB) ${held.connections >= idleCount && mb < 300 ? 'OK' : 'BELOW TARGET'}`);
    console.log(`events          ${held.events} (${afterRps.events - base.events} during the request run)`);
    for (const s of sockets) s.destroy();
  } finally {
    child.send({ ask: 'stop' });
    await new Promise((r) => child.once('exit', r));
  }
}

await main();
