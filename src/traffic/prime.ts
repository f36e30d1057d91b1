// Before the first capture of a process, a small synthetic capture goes through a throwaway
// analyzer and summary, so the capture layer's and the analyzer's rarely taken paths have type
// feedback before V8's optimizing compiler first compiles them. Without it, the first IPv6 frame,
// reset, out-of-order segment, split PDU or SNAP frame of a real capture deoptimizes the hot
// function that inlined the path (packetIn, decode, link, lookup, tcpData), which is then
// interpreted and recompiled mid-run. Feedback lives with the functions, not with the objects, so
// the throwaway instances prime the real ones and leave no flow, counter or state in them.
import { captureFixtures as fx, decodeCapture, LINKTYPE } from '../capture/index.ts';
import type { Protocol } from '../protocols/index.ts';
import { hex } from '../wire/index.ts';
import { Analyzer } from './analyzer.ts';
import { SummaryBuilder, type CaptureSummary } from './summary.ts';

/** V8 gives a function its feedback vector only after a few calls: the capture is run this often. */
const ROUNDS = 32;

const { TCP } = fx;
/** Documentation addresses (RFC 5737, RFC 3849), never a real capture's. */
export const PRIME_CLIENT4 = '192.0.2.1';
export const PRIME_SERVER4 = '192.0.2.2';
export const PRIME_CLIENT6 = ip6(1);
export const PRIME_SERVER6 = ip6(2);

function ip6(last: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0x20;
  a[1] = 0x01;
  a[2] = 0x0d;
  a[3] = 0xb8;
  a[15] = last;
  return a;
}

// Modbus/TCP (Modbus Messaging on TCP/IP V1.0b §3.1): read holding registers 0, quantity 1, unit 1.
const REQUEST = hex('000100000006010300000001');
const RESPONSE = hex('00010000000501030200ff');

/** EtherNet/IP encapsulation header (command 0, NOP), then its data. */
const NOP = fx.concat([hex('00005802' + '00'.repeat(20)), new Uint8Array(600)]);

function v4(sport: number, dport: number, seq: number, ack: number, flags: number, data?: Uint8Array, reverse = false): Uint8Array {
  const [src, dst] = reverse ? [PRIME_SERVER4, PRIME_CLIENT4] : [PRIME_CLIENT4, PRIME_SERVER4];
  return fx.ethernet(0x0800, fx.ipv4(src, dst, 6, fx.tcp(sport, dport, seq, ack, flags, data)));
}

function v6(next: number, payload: Uint8Array, reverse = false): Uint8Array {
  return fx.ethernet(0x86dd, reverse ? fx.ipv6(PRIME_SERVER6, PRIME_CLIENT6, next, payload) : fx.ipv6(PRIME_CLIENT6, PRIME_SERVER6, next, payload));
}

/** The frames, in capture order. */
function frames(): Uint8Array[] {
  const c = 40000;
  const s = 502;
  const cs = 1000;
  const ss = 5000;
  const split = 5;
  return [
    // A Modbus/TCP connection: a retransmitted SYN, the handshake, a request split over two
    // segments (the tally's unfinished-PDU path), a response whose segments arrive out of order
    // (held over an empty segment of its own direction and an acknowledgement, then released by
    // the missing one), both FINs.
    v4(c, s, cs, 0, TCP.SYN),
    v4(c, s, cs, 0, TCP.SYN),
    v4(s, c, ss, cs + 1, TCP.SYN | TCP.ACK, undefined, true),
    v4(c, s, cs + 1, ss + 1, TCP.ACK),
    v4(c, s, cs + 1, ss + 1, TCP.ACK | TCP.PSH, REQUEST.subarray(0, split)),
    v4(c, s, cs + 1 + split, ss + 1, TCP.ACK | TCP.PSH, REQUEST.subarray(split)),
    v4(s, c, ss + 1 + split, cs + 1 + REQUEST.length, TCP.ACK | TCP.PSH, RESPONSE.subarray(split), true),
    v4(s, c, ss + 1, cs + 1 + REQUEST.length, TCP.ACK, undefined, true),
    v4(c, s, cs + 1 + REQUEST.length, ss + 1, TCP.ACK),
    v4(s, c, ss + 1, cs + 1 + REQUEST.length, TCP.ACK | TCP.PSH, RESPONSE.subarray(0, split), true),
    v4(c, s, cs + 1 + REQUEST.length, ss + 1 + RESPONSE.length, TCP.ACK | TCP.FIN),
    v4(s, c, ss + 1 + RESPONSE.length, cs + 2 + REQUEST.length, TCP.ACK | TCP.FIN, undefined, true),
    // A second connection ended by a reset after one request.
    v4(c + 1, s, cs, 0, TCP.SYN),
    v4(s, c + 1, ss, cs + 1, TCP.SYN | TCP.ACK, undefined, true),
    v4(c + 1, s, cs + 1, ss + 1, TCP.ACK | TCP.PSH, REQUEST),
    v4(s, c + 1, ss + 1, cs + 1 + REQUEST.length, TCP.RST | TCP.ACK, undefined, true),
    // An EtherNet/IP NOP (CIP Vol. 2 §2-4.2.1) longer than the analyzer's first buffer for an
    // unfinished PDU, in three segments, so that buffer grows.
    v4(c + 2, 44818, cs, ss, TCP.ACK | TCP.PSH, NOP.subarray(0, 300)),
    v4(c + 2, 44818, cs + 300, ss, TCP.ACK | TCP.PSH, NOP.subarray(300, 600)),
    v4(c + 2, 44818, cs + 600, ss, TCP.ACK | TCP.PSH, NOP.subarray(600)),
    // Modbus over IPv6 from a handshake whose SYN was not captured, both directions, and a
    // BACnet/IP Who-Is (ASHRAE 135 Annex J) over IPv6 UDP.
    v6(6, fx.tcp(s, c, ss, cs + 1, TCP.SYN | TCP.ACK), true),
    v6(6, fx.tcp(c, s, cs + 1, ss + 1, TCP.ACK | TCP.PSH, REQUEST)),
    v6(6, fx.tcp(s, c, ss + 1, cs + 1 + REQUEST.length, TCP.ACK | TCP.PSH, RESPONSE), true),
    v6(17, fx.udp(c, 47808, hex('810b000c0120ffff00ff1008'))),
    // An 802.3 frame with LLC/SNAP under a vendor OUI (nothing decoded above it).
    fx.concat([new Uint8Array([...fx.MAC_B, ...fx.MAC_A, 0, 10]), hex('aaaa03080007809b0001')]),
  ];
}

let capture: Uint8Array | null = null;

/** The synthetic capture, as pcapng (one Ethernet interface, microsecond timestamps). */
export function primeCapture(): Uint8Array {
  if (capture === null) {
    const parts = [fx.shb(), fx.idb(LINKTYPE.ETHERNET)];
    let ts = 1_000_000n;
    for (const f of frames()) parts.push(fx.epb(0, (ts += 1000n), f));
    capture = fx.concat(parts);
  }
  return capture;
}

const primed = new WeakSet<readonly Protocol[]>();

/**
 * Runs the synthetic capture through a throwaway Analyzer and SummaryBuilder, once per process and
 * protocol list; returns that throwaway summary (null when already primed), for the tests.
 */
export function primeAnalyzer(protocols: readonly Protocol[]): CaptureSummary | null {
  if (primed.has(protocols)) return null;
  primed.add(protocols);
  const bytes = primeCapture();
  let summary: CaptureSummary | null = null;
  for (let i = 0; i < ROUNDS; i++) {
    const sink = new SummaryBuilder();
    const analyzer = new Analyzer(protocols, sink);
    const result = decodeCapture(bytes, (p) => analyzer.packet(p));
    analyzer.finish();
    summary = sink.build('prime', result.packets, result);
  }
  return summary;
}
