// Issue 3, deliverable 2, "Streaming: memory stays flat on a capture of any size". The same
// traffic written eight times longer must not need more memory to summarise: each capture is
// summarised by `summarizeCapture` (the path `otscope analyze` takes) in its own process, and the
// processes' peak RSS is compared. Reading the file whole, or keeping anything per packet or per
// ended flow, makes the long capture's peak grow with its size and fails this.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { captureFixtures as fx } from '../src/capture/index.ts';
import { hex } from '../src/wire/index.ts';

const CHILD = 'OTSCOPE_MEMORY_TEST_CAPTURE';
const { TCP } = fx;

// Modbus Application Protocol V1.1b3 §6.3: Read Holding Registers, 1 register at 0x006b.
const READ_REQ = hex`0001 0000 0006 11 03 006b 0001`;
const READ_RSP = hex`0001 0000 0005 11 03 02 022b`;
const CONVERSATIONS = 200;
const EXCHANGES = 20;
const IDLE_FLOWS = 100;
/** Capture time between copies of the block: past the flow table's TCP idle time (600 s). */
const COPY_SPACING_S = 3600;

/**
 * One block of traffic as pcap records (no file header): CONVERSATIONS Modbus/TCP connections from
 * distinct client ports, each a handshake, EXCHANGES request/response pairs and a FIN exchange;
 * then IDLE_FLOWS connections to a web server that are never closed (no protocol of ours, so no
 * conversation rows), whose client ports each copy renumbers: only idle timeouts end them. Also
 * returns the offset of every record header, where a copy's capture time is patched, and of the
 * client port of each web frame.
 */
function block(): { bytes: Uint8Array; records: number[]; packets: number; ports: { at: number; flow: number }[] } {
  const records: fx.PcapRecord[] = [];
  const web: { record: number; flow: number; toServer: boolean }[] = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    const client = `10.1.${c >> 8}.${(c & 255) + 1}`;
    const server = '10.2.0.1';
    const sport = 40000 + c;
    let cseq = 1000;
    let sseq = 9000;
    const push = (fromClient: boolean, flags: number, data: Uint8Array = new Uint8Array(0)) => {
      const seg = fromClient ? fx.tcp(sport, 502, cseq, sseq, flags, data) : fx.tcp(502, sport, sseq, cseq, flags, data);
      const ip = fromClient ? fx.ipv4(client, server, 6, seg) : fx.ipv4(server, client, 6, seg);
      records.push({ sec: c, frac: records.length % 1000, frame: fx.ethernet(0x0800, ip) });
      const advance = data.length + (flags & (TCP.SYN | TCP.FIN) ? 1 : 0);
      if (fromClient) cseq += advance;
      else sseq += advance;
    };
    push(true, TCP.SYN);
    push(false, TCP.SYN | TCP.ACK);
    for (let i = 0; i < EXCHANGES; i++) {
      push(true, TCP.ACK | TCP.PSH, READ_REQ);
      push(false, TCP.ACK | TCP.PSH, READ_RSP);
    }
    push(true, TCP.FIN | TCP.ACK);
    push(false, TCP.FIN | TCP.ACK);
  }
  for (let j = 0; j < IDLE_FLOWS; j++) {
    const request = new TextEncoder().encode(`GET /${j} HTTP/1.1\r\nHost: plant\r\n\r\n`);
    const sec = CONVERSATIONS + j;
    web.push({ record: records.length, flow: j, toServer: true });
    records.push({ sec, frac: 0, frame: fx.ethernet(0x0800, fx.ipv4('10.3.0.1', '10.4.0.1', 6, fx.tcp(1, 8080, 1, 1, TCP.ACK | TCP.PSH, request))) });
    web.push({ record: records.length, flow: j, toServer: false });
    records.push({ sec, frac: 1, frame: fx.ethernet(0x0800, fx.ipv4('10.4.0.1', '10.3.0.1', 6, fx.tcp(8080, 1, 1, 1 + request.length, TCP.ACK))) });
  }
  const bytes = fx.pcapFile({ linkType: 1 }, records).subarray(24);
  const offsets: number[] = [];
  for (let o = 0; o < bytes.length; o += 16 + new DataView(bytes.buffer, bytes.byteOffset + o + 8, 4).getUint32(0, true)) offsets.push(o);
  // Record header (16) + Ethernet (14) + IPv4 without options (20), then the TCP ports.
  const ports = web.map((w) => ({ at: offsets[w.record] + 16 + 14 + 20 + (w.toServer ? 0 : 2), flow: w.flow }));
  return { bytes, records: offsets, packets: records.length, ports };
}

/** A pcap of `copies` copies of the block, each later than the last; returns its packet count. */
function writeCapture(path: string, copies: number): number {
  const b = block();
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, fx.pcapFile({ linkType: 1 }, []));
    const copy = new Uint8Array(b.bytes.length);
    const view = new DataView(copy.buffer);
    for (let k = 0; k < copies; k++) {
      copy.set(b.bytes);
      for (const o of b.records) view.setUint32(o, 1_700_000_000 + k * COPY_SPACING_S + view.getUint32(o, true), true);
      for (const p of b.ports) view.setUint16(p.at, 1024 + k * IDLE_FLOWS + p.flow);
      writeSync(fd, copy);
    }
  } finally {
    closeSync(fd);
  }
  return b.packets * copies;
}

interface ChildReport {
  packets: number;
  modbus: number;
  maxRssMb: number;
  /** The most heap and array-buffer memory still reachable at a forced GC during the run. */
  maxRetainedMb: number;
}

/**
 * Summarises `path` in a fresh process and reports its peak RSS and retained memory. The old
 * generation is capped (the analysis keeps ~8 MB) so garbage is collected before RSS grows with it,
 * and anything kept per packet runs out of room.
 */
function summariseInChild(path: string): ChildReport {
  const r = spawnSync(process.execPath, ['--max-old-space-size=24', '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [CHILD]: path },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ChildReport;
}

if (process.env[CHILD]) {
  const { summarizeCapture } = await import('../src/traffic/index.ts');
  const gc = (globalThis as { gc?: () => void }).gc!;
  let retained = 0;
  // Between the reader's chunks (it awaits each read), what the analysis still holds.
  const measure = () => {
    gc();
    const m = process.memoryUsage();
    retained = Math.max(retained, m.heapUsed + m.arrayBuffers);
  };
  const sampler = setInterval(measure, 25);
  const s = await summarizeCapture(process.env[CHILD]);
  clearInterval(sampler);
  measure();
  const func = (s.modbus as Record<string, Record<string, number>>).func_code['3'] ?? 0;
  const report: ChildReport = { packets: s.packet_count, modbus: func, maxRssMb: process.resourceUsage().maxRSS / 1024, maxRetainedMb: retained / 2 ** 20 };
  process.stdout.write(JSON.stringify(report));
} else {
  test('summarising a capture eight times longer takes no more memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otscope-memory-'));
    try {
      const short = join(dir, 'short.pcap');
      const long = join(dir, 'long.pcap');
      const shortPackets = writeCapture(short, 12);
      const longPackets = writeCapture(long, 96);
      const grew = (statSync(long).size - statSync(short).size) / 2 ** 20;
      assert.ok(grew > 50, `the long capture is ${grew.toFixed(0)} MB longer`);
      const a = summariseInChild(short);
      const b = summariseInChild(long);
      assert.equal(a.packets, shortPackets);
      assert.equal(b.packets, longPackets);
      // Every request and response is counted: nothing is dropped to save memory.
      assert.equal(b.modbus, 96 * CONVERSATIONS * EXCHANGES * 2);
      const say = (what: string, x: number, y: number) => `${what} ${x.toFixed(1)} MB for ${shortPackets} packets, ${y.toFixed(1)} MB for ${longPackets} (${grew.toFixed(0)} MB more capture)`;
      console.log(say('peak RSS', a.maxRssMb, b.maxRssMb), say('; retained', a.maxRetainedMb, b.maxRetainedMb));
      assert.ok(b.maxRssMb - a.maxRssMb < 16, say('peak RSS', a.maxRssMb, b.maxRssMb));
      assert.ok(b.maxRetainedMb - a.maxRetainedMb < 4, say('retained', a.maxRetainedMb, b.maxRetainedMb));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
