import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TCP, ethernet, ipv4, tcp } from './fixtures.ts';
import { CaptureSession, GAP_WAIT_S, HeldBudget, LINKTYPE, MAX_PENDING_SEGMENTS, TcpStream, newCapturePacket, type Flow, type StreamSink } from './index.ts';

class Recorder implements StreamSink {
  out: string[] = [];
  data(b: Uint8Array, start: number, end: number, frame: number, _sec: number, _nsec: number): void {
    this.out.push(`${new TextDecoder().decode(b.subarray(start, end))}@${frame}`);
  }
  gap(missing: number): void {
    this.out.push(`gap ${missing}`);
  }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('in-order segments are delivered as they come, without waiting', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(999);
  s.segment(1000, bytes('abc'), 0, 3, r, 0, 1);
  s.segment(1003, bytes('def'), 0, 3, r, 0, 2);
  assert.deepEqual(r.out, ['abc@1', 'def@2']);
  assert.equal(s.nextSeq, 1006);
});

test('out-of-order segments are held and released in order, keeping their own frame numbers', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(0);
  s.segment(7, bytes('ghi'), 0, 3, r, 0, 1);
  s.segment(4, bytes('def'), 0, 3, r, 0, 2);
  assert.deepEqual(r.out, []);
  s.segment(1, bytes('abc'), 0, 3, r, 0, 3);
  assert.deepEqual(r.out, ['abc@3', 'def@2', 'ghi@1']);
  assert.equal(s.pendingSegments, 0);
});

test('a held segment is released with its own frame number and capture time', () => {
  const s = new TcpStream();
  const times: string[] = [];
  const sink: StreamSink = { data: (_b, _s, _e, frame, sec, nsec) => times.push(`${frame}@${sec}.${nsec}`), gap: () => {} };
  s.syn(0);
  s.segment(4, bytes('def'), 0, 3, sink, 10, 1, 500);
  s.segment(1, bytes('abc'), 0, 3, sink, 11, 2, 700);
  assert.deepEqual(times, ['2@11.700', '1@10.500']);
});

test('retransmissions and segments overlapping delivered bytes are dropped whole', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(0);
  s.segment(1, bytes('abc'), 0, 3, r, 0, 1);
  s.segment(1, bytes('abc'), 0, 3, r, 0, 2); // retransmission
  s.segment(2, bytes('bcdef'), 0, 5, r, 0, 3); // overlaps 2 delivered bytes
  s.segment(4, bytes('XYZ'), 0, 3, r, 0, 4);
  assert.deepEqual(r.out, ['abc@1', 'XYZ@4']);
  assert.equal(s.retransmittedBytes, 8);
});

test('sequence numbers wrap modulo 2^32', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(0xfffffffe);
  s.segment(0xffffffff, bytes('ab'), 0, 2, r, 0, 1);
  s.segment(1, bytes('cd'), 0, 2, r, 0, 2);
  assert.deepEqual(r.out, ['ab@1', 'cd@2']);
});

test('a hole is skipped and reported as a gap once the peer acknowledges past it', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(0);
  s.segment(1, bytes('abc'), 0, 3, r, 0, 1);
  s.segment(10, bytes('jkl'), 0, 3, r, 0, 2);
  assert.deepEqual(r.out, ['abc@1']);
  s.acked(13, r, 0); // the receiver got bytes we never saw: the capture lost them
  assert.deepEqual(r.out, ['abc@1', 'gap 6', 'jkl@2']);
});

test('a hole is skipped after GAP_WAIT_S of capture time or too many held segments', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(0);
  s.segment(5, bytes('x'), 0, 1, r, 100, 1);
  s.tick(r, 100 + GAP_WAIT_S);
  assert.deepEqual(r.out, []);
  s.tick(r, 100 + GAP_WAIT_S + 1);
  assert.deepEqual(r.out, ['gap 4', 'x@1']);

  const t = new TcpStream();
  const r2 = new Recorder();
  t.syn(0);
  for (let i = 0; i <= MAX_PENDING_SEGMENTS; i++) t.segment(10 + i, bytes('y'), 0, 1, r2, 0, i);
  assert.deepEqual(r2.out.slice(0, 2), ['gap 9', 'y@0']);
  assert.equal(t.pendingSegments, 0);
});

test('streams share one budget of held bytes: past it a stream skips its hole at once', () => {
  const budget = new HeldBudget(10);
  const a = new TcpStream(budget);
  const b = new TcpStream(budget);
  const r = new Recorder();
  a.syn(0);
  b.syn(0);
  a.segment(5, bytes('aaaaaa'), 0, 6, r, 0, 1);
  assert.equal(budget.bytes, 6);
  b.segment(5, bytes('bbbbbb'), 0, 6, r, 0, 2);
  assert.deepEqual(r.out, ['gap 4', 'bbbbbb@2']);
  assert.equal(budget.bytes, 6, 'only the first stream still holds its segment');
  a.flush(r);
  assert.equal(budget.bytes, 0);
});

test('a FIN after a hole marks the missing bytes lost; a late copy of them is dropped', () => {
  const s = new TcpStream();
  const r = new Recorder();
  s.syn(0);
  s.segment(1, bytes('abc'), 0, 3, r, 0, 1);
  s.fin(10, r);
  assert.equal(s.finished, true);
  s.segment(4, bytes('defghi'), 0, 6, r, 0, 3);
  assert.deepEqual(r.out, ['abc@1', 'gap 6']);
});

interface Event {
  kind: string;
  dir: number;
  text?: string;
  frame?: number;
}

function session() {
  const events: Event[] = [];
  const flows: Flow<unknown>[] = [];
  const s = new CaptureSession<unknown>({
    tcpData: (flow, dir, b, start, end, frame) => {
      if (!flows.includes(flow)) flows.push(flow);
      events.push({ kind: 'data', dir, text: new TextDecoder().decode(b.subarray(start, end)), frame });
    },
    tcpGap: (_f, dir) => events.push({ kind: 'gap', dir }),
    udp: (_f, dir) => events.push({ kind: 'udp', dir }),
    llc: () => events.push({ kind: 'llc', dir: -1 }),
    flowEnd: (_f, reason) => events.push({ kind: `end:${reason}`, dir: -1 }),
  });
  let index = 0;
  const send = (from: 'c' | 's', seq: number, ack: number, flags: number, text = '', ts = 0) => {
    const seg = from === 'c' ? tcp(40000, 502, seq, ack, flags, bytes(text)) : tcp(502, 40000, seq, ack, flags, bytes(text));
    const ip = from === 'c' ? ipv4('10.0.0.1', '10.0.0.2', 6, seg) : ipv4('10.0.0.2', '10.0.0.1', 6, seg);
    const p = newCapturePacket();
    p.index = ++index;
    p.linkType = LINKTYPE.ETHERNET;
    p.bytes = ethernet(0x0800, ip);
    p.capLen = p.bytes.length;
    p.tsSec = ts;
    s.packetIn(p);
  };
  return { s, send, events, flows };
}

test('session: handshake sets the initiator; both directions reassemble; FIN/FIN closes', () => {
  const { s, send, events, flows } = session();
  send('c', 100, 0, TCP.SYN);
  send('s', 500, 101, TCP.SYN | TCP.ACK);
  send('c', 101, 501, TCP.ACK);
  send('c', 104, 501, TCP.ACK | TCP.PSH, 'DEF'); // before ABC: out of order
  send('c', 101, 501, TCP.ACK | TCP.PSH, 'ABC');
  send('s', 501, 107, TCP.ACK | TCP.PSH, 'xyz');
  send('c', 101, 504, TCP.ACK | TCP.PSH, 'ABC'); // retransmission
  send('c', 107, 504, TCP.ACK | TCP.FIN);
  send('s', 504, 108, TCP.ACK | TCP.FIN);
  assert.equal(flows.length, 1);
  assert.equal(flows[0].initiator, 0);
  assert.equal(flows[0].a, '10.0.0.1');
  s.finish();
  assert.deepEqual(events, [
    { kind: 'data', dir: 0, text: 'ABC', frame: 5 },
    { kind: 'data', dir: 0, text: 'DEF', frame: 4 },
    { kind: 'data', dir: 1, text: 'xyz', frame: 6 },
    { kind: 'end:end-of-capture', dir: -1 },
  ]);
});

test('session: a capture that starts mid-stream takes the first segment as the start', () => {
  const { send, events, flows } = session();
  send('s', 9000, 7000, TCP.ACK | TCP.PSH, 'resp');
  send('c', 7000, 9004, TCP.ACK | TCP.PSH, 'req');
  assert.equal(flows[0].initiator, -1);
  // Endpoint A is the first packet's source: here the server.
  assert.equal(flows[0].portA, 502);
  assert.deepEqual(
    events.map((e) => `${e.dir}:${e.text}`),
    ['0:resp', '1:req'],
  );
});

test('session: a new SYN on a used 4-tuple starts a new flow', () => {
  const { s, send, events, flows } = session();
  send('c', 100, 0, TCP.SYN);
  send('c', 101, 0, TCP.ACK | TCP.PSH, 'one');
  send('c', 5000, 0, TCP.SYN, '', 1);
  send('c', 5001, 0, TCP.ACK | TCP.PSH, 'two', 1);
  s.finish();
  assert.equal(flows.length, 2);
  assert.deepEqual(
    events.map((e) => e.kind + (e.text ? `:${e.text}` : '')),
    ['data:one', 'end:reused', 'data:two', 'end:end-of-capture'],
  );
});

test('session: the flow table evicts the oldest flow when full', () => {
  const ended: string[] = [];
  const s = new CaptureSession<unknown>(
    {
      tcpData: () => {},
      tcpGap: () => {},
      udp: () => {},
      llc: () => {},
      flowEnd: (f, reason) => ended.push(`${f.portA}:${reason}`),
    },
    { maxFlows: 2, tcpIdleS: 600, udpIdleS: 120, closedLingerS: 30 },
  );
  for (const port of [1001, 1002, 1003]) {
    const p = newCapturePacket();
    p.linkType = LINKTYPE.RAW;
    p.bytes = ipv4('10.0.0.1', '10.0.0.2', 6, tcp(port, 502, 1, 0, TCP.SYN));
    p.capLen = p.bytes.length;
    s.packetIn(p);
  }
  assert.deepEqual(ended, ['1001:evicted']);
  assert.equal(s.flows.size, 2);
});
