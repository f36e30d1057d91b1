// The SYN sweep on the wire, in a network namespace of its own (`unshare -rn`: its own loopback,
// and CAP_NET_RAW there without root outside): it finds exactly the listening pairs, sends to
// the listed pairs only, refuses replies that do not carry its cookie, tries silent pairs again
// and keeps to the scan's rate. Silent targets are addresses behind a veth whose peer drops
// what it receives (a static neighbour entry, no address on the other end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { Plan } from '../plan.ts';
import { parsePorts } from '../ports.ts';
import { TokenBucket } from '../rate.ts';
import { loadAddon, type SynAddon } from './addon.ts';
import { MAX_SWEEP_POSITIONS, sweepPlan } from './plan-sweep.ts';
import { inSweepNamespace, ip as sh } from './netns.ts';
import { ACK, RST, SYN, Tap, forge, ip, pairsOf, text, type Segment } from './tap.ts';
import { synSweep, type Sweep } from './sweep.ts';

async function openPairs(sweep: Sweep): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of sweep) for (let i = 0; i < batch.length; i += 2) out.push(`${text(batch[i])}:${batch[i + 1]}`);
  return out.sort();
}

async function listen(address: string, port: number): Promise<Server> {
  const s = createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, address, () => resolve()));
  return s;
}

if (inSweepNamespace()) {
  const addon = (loadAddon() as { addon: SynAddon }).addon;
  // The silent network: 10.77.0.0/24 behind v0; its neighbours have a fixed, absent MAC address.
  sh('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  sh('addr', 'add', '10.77.0.1/24', 'dev', 'v0');
  sh('link', 'set', 'v0', 'up');
  sh('link', 'set', 'v1', 'up');
  for (let h = 2; h < 10; h++) sh('neigh', 'add', `10.77.0.${h}`, 'lladdr', `02:00:00:00:00:0${h}`, 'dev', 'v0', 'nud', 'permanent');

  test('finds exactly the listening pairs among closed ones, and sends to the listed pairs only', async () => {
    const addresses = Array.from({ length: 40 }, (_, i) => ip(`127.61.0.${i + 1}`));
    const ports = [102, 502, 1911, 2404, 9600, 20000, 44818, 47001, 47002, 47003];
    const listening = ['127.61.0.1:502', '127.61.0.1:102', '127.61.0.7:44818', '127.61.0.13:47002', '127.61.0.40:20000', '127.61.0.22:9600'];
    const servers = await Promise.all(listening.map((l) => listen(l.split(':')[0], Number(l.split(':')[1]))));
    // Outside the list: a listener on an address and one on a port the sweep is not given.
    servers.push(await listen('127.61.0.41', 502), await listen('127.61.0.2', 47004));
    const tap = new Tap(addon);
    try {
      const pairs = pairsOf(addresses, ports);
      const sweep = synSweep(pairs, { timeoutMs: 500, retries: 1 });
      assert.deepEqual(await openPairs(sweep), [...listening].sort());
      const stats = await sweep.done;
      assert.equal(stats.open, listening.length);
      assert.equal(stats.closed, pairs.length / 2 - listening.length);
      assert.equal(stats.silent, 0);
      assert.equal(stats.sent, pairs.length / 2, 'one SYN per pair: every pair answered the first');
      assert.equal(stats.invalid, 0);

      const listed = new Set<string>();
      for (let i = 0; i < pairs.length; i += 2) listed.add(`${text(pairs[i])}:${pairs[i + 1]}`);
      const sent = tap.from(sweep.sourcePort);
      const syns = sent.filter((s) => s.flags === SYN);
      assert.equal(syns.length, pairs.length / 2);
      assert.deepEqual(new Set(syns.map((s) => `${text(s.dst)}:${s.dport}`)), listed, 'a SYN to every listed pair');
      // Anything else from the sweep's port is the kernel's RST to a SYN-ACK: to an open pair.
      for (const s of sent.filter((s) => s.flags !== SYN)) {
        assert.ok(s.flags & RST && listening.includes(`${text(s.dst)}:${s.dport}`), `unexpected ${s.flags.toString(16)} to ${text(s.dst)}:${s.dport}`);
      }
      // Each SYN's acknowledgment came back as its sequence number + 1 (the cookie), RST or SYN-ACK.
      const answers = tap.read().filter((s) => s.sent && s.dport === sweep.sourcePort && s.flags & ACK);
      for (const syn of syns) assert.ok(answers.some((a) => a.src === syn.dst && a.sport === syn.dport && a.ack === (syn.seq + 1) >>> 0));
    } finally {
      tap.close();
      servers.forEach((s) => s.close());
    }
  });

  test('ignores replies without its cookie, unsolicited ones and ones to another port', async () => {
    const tap = new Tap(addon);
    try {
      const pairs = Uint32Array.from([ip('10.77.0.2'), 1000, ip('10.77.0.3'), 1000, ip('10.77.0.2'), 2000]);
      const sweep = synSweep(pairs, { timeoutMs: 600, retries: 1 });
      const syn = (dst: string, port: number): Segment => tap.from(sweep.sourcePort).find((s) => s.flags === SYN && s.dst === ip(dst) && s.dport === port)!;
      await tap.until(() => Boolean(syn('10.77.0.2', 1000) && syn('10.77.0.3', 1000) && syn('10.77.0.2', 2000)));
      const a = syn('10.77.0.2', 1000);
      const b = syn('10.77.0.3', 1000);
      const reply = (s: Segment, over: Partial<Omit<Segment, 'sent'>>): Buffer =>
        forge({ src: s.dst, dst: s.src, sport: s.dport, dport: s.sport, seq: 77, ack: (s.seq + 1) >>> 0, flags: SYN | ACK, ...over });
      addon.inject(reply(b, { ack: (b.seq + 2) >>> 0 })); // one off: not the cookie
      addon.inject(reply(b, { flags: RST | ACK, ack: (a.seq + 1) >>> 0 })); // another pair's cookie
      addon.inject(reply(a, { src: ip('10.77.0.9') })); // a pair never probed, with a probed pair's cookie
      addon.inject(reply(b, { dport: sweep.sourcePort + 1 })); // the right cookie, to another port
      addon.inject(reply(a, {})); // the real thing: 10.77.0.2:1000 is open
      assert.deepEqual(await openPairs(sweep), ['10.77.0.2:1000']);
      const stats = await sweep.done;
      assert.equal(stats.invalid, 3, 'three replies with a wrong cookie reached the sweep; the fourth went to another port');
      assert.equal(stats.open, 1);
      assert.equal(stats.silent, 2);
      assert.equal(stats.retransmitted, 2, 'the two silent pairs were tried again');
    } finally {
      tap.close();
    }
  });

  test('sends again to silent pairs, once per retry, and finds a pair that answers late', async () => {
    const tap = new Tap(addon);
    let server: Server | null = null;
    try {
      const pairs = Uint32Array.from([ip('10.77.0.4'), 3000, ip('10.77.0.5'), 3000]);
      const sweep = synSweep(pairs, { timeoutMs: 400, retries: 2 });
      const syns = (dst: string): Segment[] => tap.from(sweep.sourcePort).filter((s) => s.flags === SYN && s.dst === ip(dst));
      await tap.until(() => syns('10.77.0.4').length === 1);
      // The first SYN was lost; from now on 10.77.0.4 is this host and listens.
      sh('addr', 'add', '10.77.0.4/32', 'dev', 'lo');
      server = await listen('10.77.0.4', 3000);
      assert.deepEqual(await openPairs(sweep), ['10.77.0.4:3000']);
      const stats = await sweep.done;
      assert.equal(syns('10.77.0.4').length, 2, 'answered on the first retry');
      assert.equal(syns('10.77.0.5').length, 3, 'one SYN and two retries to the pair that never answers');
      assert.deepEqual({ open: stats.open, silent: stats.silent, retransmitted: stats.retransmitted, rounds: stats.rounds }, { open: 1, silent: 1, retransmitted: 3, rounds: 3 });
      assert.equal(new Set(syns('10.77.0.5').map((s) => s.seq)).size, 1, 'a retry carries the same cookie');
    } finally {
      tap.close();
      server?.close();
      sh('addr', 'del', '10.77.0.4/32', 'dev', 'lo');
    }
  });

  test('keeps to the scan rate: every SYN takes a token of the shared bucket', async () => {
    const pairs = pairsOf(Array.from({ length: 30 }, (_, i) => ip(`127.62.0.${i + 1}`)), [7001, 7002]);
    const bucket = new TokenBucket(200);
    const t0 = performance.now();
    const sweep = synSweep(pairs, { timeoutMs: 300, retries: 1, bucket });
    await openPairs(sweep);
    const stats = await sweep.done;
    const ms = performance.now() - t0;
    assert.equal(stats.sent, 60);
    // 60 SYNs at 200/s with a burst of 10: at least 50 token intervals of 5 ms.
    assert.ok(ms >= 240, `60 SYNs in ${ms.toFixed(0)} ms at rate 200`);
  });

  test("a plan's sweep settles its visited TCP pairs that are not open, and nothing else", async () => {
    const servers = [await listen('127.63.0.2', 47020), await listen('127.63.0.5', 47021)];
    try {
      const plan = new Plan([{ target: 't', start: ip('127.63.0.1'), end: ip('127.63.0.8') }], parsePorts('modbus:47020,s7comm:47021,bacnet:47808'), 5);
      const skipped = ip('127.63.0.8'); // as if block-listed
      const swept = await sweepPlan(plan, { visits: (_p, pair) => pair.address !== skipped, timeoutMs: 500, retries: 1 });
      assert.ok(swept);
      assert.deepEqual({ open: swept.stats.open, closed: swept.stats.closed, sent: swept.stats.sent }, { open: 2, closed: 12, sent: 14 });
      const settled: string[] = [];
      for (let p = 0; p < plan.size; p++) {
        const pair = plan.at(p);
        if (swept.settled(p, pair)) settled.push(`${text(pair.address)}:${pair.service.port}/${pair.service.transport}`);
      }
      const expected: string[] = [];
      for (let h = 1; h <= 7; h++) for (const port of [47020, 47021]) expected.push(`127.63.0.${h}:${port}/tcp`);
      assert.deepEqual(settled.sort(), expected.filter((e) => e !== '127.63.0.2:47020/tcp' && e !== '127.63.0.5:47021/tcp').sort());
      const huge = new Plan([{ target: 't', start: ip('127.0.0.0'), end: ip('127.255.255.255') }], parsePorts('modbus:47020'), 5);
      assert.ok(huge.size > MAX_SWEEP_POSITIONS);
      assert.equal(await sweepPlan(huge, { visits: () => true, timeoutMs: 500, retries: 1 }), null, 'too large to list: connect scan');
      process.env.OTSCOPE_SYN_SWEEP = 'off';
      try {
        assert.equal(await sweepPlan(plan, { visits: () => true, timeoutMs: 500, retries: 1 }), null, 'turned off');
      } finally {
        delete process.env.OTSCOPE_SYN_SWEEP;
      }
    } finally {
      servers.forEach((s) => s.close());
    }
  });

  test('stops on abort, and refuses pairs that are not (address, port) pairs', async () => {
    const ac = new AbortController();
    const sweep = synSweep(pairsOf([ip('10.77.0.6')], [1, 2, 3]), { timeoutMs: 10_000, retries: 3, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    const stats = await sweep.done;
    assert.ok(performance.now() - t0 < 2000);
    assert.equal(stats.silent, 3);
    assert.throws(() => synSweep(Uint32Array.from([ip('127.0.0.1')]), { timeoutMs: 10, retries: 0 }), TypeError);
    assert.throws(() => synSweep(Uint32Array.from([ip('127.0.0.1'), 70000]), { timeoutMs: 10, retries: 0 }), RangeError);
  });
}
