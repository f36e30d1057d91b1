// The honeypot sensor: one persona, deployed with a fresh random identity, served on every
// protocol it speaks. Nothing received is executed or forwarded: requests are parsed by the
// protocol engine, answered from the deployment's bounded state and reported as events.
// Limits: connections in total and per source, bytes buffered per connection and in total,
// unread replies per connection, an idle timeout and a slow-sender timeout (a request that
// starts must finish within slowSenderMs — the Slowloris defence).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Transport } from '../model/index.ts';
import { bindUdp, listenTcp, localAddressOf, remoteAddressOf, udpSocket } from '../net/index.ts';
import { deploy, endpointsOf, personaById, personas, protocolsOf, type Device, type Persona, type ProtocolName } from '../personas/index.ts';
import { toHex, type HoneypotEvent } from './event.ts';
import type { Interaction } from './session.ts';
import { HoneypotSession } from './session.ts';
import { newState, type HoneypotState } from './state.ts';

export interface HoneypotOptions {
  /** A persona id, a persona, or 'random' (any persona that is not a known honeypot's). */
  persona: string | Persona;
  /** Fixes the randomised identity (tests); random per start by default. */
  seed?: string;
  bind?: string;
  ports?: Partial<Record<ProtocolName, number>>;
  sensorId?: string;
  maxConnections?: number;
  maxConnectionsPerSource?: number;
  maxTotalBuffered?: number;
  /** Reply bytes a client may leave unread before it is dropped. */
  maxUnread?: number;
  idleTimeoutMs?: number;
  slowSenderMs?: number;
  /** UDP replies per second to one source (burst of the same size): a sensor must not be a reflector. */
  udpRepliesPerSecond?: number;
  /** Mean interval of spontaneous data on protocols that send it (IEC 104); 0 turns it off. */
  spontaneousMs?: number;
  onEvent?: (event: HoneypotEvent) => void;
}

export const HONEYPOT_DEFAULTS = {
  bind: '0.0.0.0',
  maxConnections: 2048,
  maxConnectionsPerSource: 256,
  maxTotalBuffered: 32 * 1024 * 1024,
  maxUnread: 256 * 1024,
  idleTimeoutMs: 60_000,
  slowSenderMs: 15_000,
  spontaneousMs: 20_000,
  udpRepliesPerSecond: 20,
} as const;

/** Sources whose UDP reply budget is tracked at once; past this the oldest is forgotten. */
const UDP_SOURCES = 4096;

/**
 * Token buckets per source address for UDP replies. UDP sources can be spoofed, so an answering
 * sensor is a reflection amplifier unless each source gets only a trickle of answers.
 */
function udpBudget(perSecond: number): (source: string, now: number) => boolean {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (source, now) => {
    let b = buckets.get(source);
    if (!b) {
      if (buckets.size >= UDP_SOURCES) buckets.delete(buckets.keys().next().value!);
      b = { tokens: perSecond, at: now };
      buckets.set(source, b);
    }
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
}

export interface HoneypotService {
  protocol: ProtocolName;
  transport: Transport;
  address: string;
  port: number;
  error?: string;
}

export interface Honeypot {
  sensorId: string;
  device: Device;
  state: HoneypotState;
  services: HoneypotService[];
  connections(): number;
  close(): Promise<void>;
}

/** Personas a honeypot may wear: every catalogue entry but the copies of public honeypots' defaults. */
export function honeypotPersonas(): Persona[] {
  return personas().filter((p) => !p.honeypot);
}

export function resolvePersona(choice: string | Persona, pick: () => number = Math.random): Persona {
  if (typeof choice !== 'string') return choice;
  if (choice === 'random') {
    const list = honeypotPersonas();
    return list[Math.floor(pick() * list.length)];
  }
  const p = personaById(choice);
  if (!p) throw new RangeError(`unknown persona '${choice}' (see --list-personas)`);
  if (p.honeypot) throw new RangeError(`persona '${choice}' copies ${p.honeypot}'s defaults, which scanners flag at once`);
  return p;
}

export async function startHoneypot(options: HoneypotOptions): Promise<Honeypot> {
  const persona = resolvePersona(options.persona);
  const seed = options.seed ?? randomBytes(12).toString('hex');
  const device = deploy(persona, seed, 0);
  const state = newState(device);
  const sensorId = options.sensorId ?? `hp-${randomBytes(4).toString('hex')}`;
  const bind = options.bind ?? HONEYPOT_DEFAULTS.bind;
  const maxConnections = options.maxConnections ?? HONEYPOT_DEFAULTS.maxConnections;
  const perSource = options.maxConnectionsPerSource ?? HONEYPOT_DEFAULTS.maxConnectionsPerSource;
  const maxTotalBuffered = options.maxTotalBuffered ?? HONEYPOT_DEFAULTS.maxTotalBuffered;
  const maxUnread = options.maxUnread ?? HONEYPOT_DEFAULTS.maxUnread;
  const idleTimeoutMs = options.idleTimeoutMs ?? HONEYPOT_DEFAULTS.idleTimeoutMs;
  const slowSenderMs = options.slowSenderMs ?? HONEYPOT_DEFAULTS.slowSenderMs;
  const spontaneousMs = options.spontaneousMs ?? HONEYPOT_DEFAULTS.spontaneousMs;
  const mayReply = udpBudget(options.udpRepliesPerSecond ?? HONEYPOT_DEFAULTS.udpRepliesPerSecond);
  const emit = options.onEvent ?? (() => undefined);
  const open = new Set<Socket>();
  const bySource = new Map<string, number>();
  let totalBuffered = 0;

  const report = (
    s: { id: string; started: number; seq: number },
    protocol: ProtocolName,
    transport: Transport,
    src: { ip: string; port: number },
    dst: { ip: string; port: number },
    i: Pick<Interaction, 'operation' | 'detail' | 'raw' | 'length' | 'anomalies'>,
  ) => {
    const now = Date.now();
    try {
      emit({
        sensor: sensorId, persona: persona.id, session: s.id, seq: s.seq++, at: new Date(now).toISOString(), elapsedMs: now - s.started,
        src, dst, protocol, transport, operation: i.operation, detail: i.detail, length: i.length, raw: toHex(i.raw), anomalies: i.anomalies,
      });
    } catch {
      // A failing sink must not take the sensor down.
    }
  };

  const onConnection = (protocol: ProtocolName, port: number) => (socket: Socket) => {
    const srcIp = remoteAddressOf(socket) ?? '0.0.0.0';
    const busy = bySource.get(srcIp) ?? 0;
    if (open.size >= maxConnections || busy >= perSource) {
      socket.destroy();
      return;
    }
    open.add(socket);
    bySource.set(srcIp, busy + 1);
    const src = { ip: srcIp, port: socket.remotePort ?? 0 };
    const dst = { ip: localAddressOf(socket) ?? bind, port };
    const meta = { id: randomUUID(), started: Date.now(), seq: 0 };
    const session = new HoneypotSession(device, state, protocol, 'tcp');
    let held = 0;
    let slow: NodeJS.Timeout | undefined;
    let unasked: NodeJS.Timeout | undefined;
    // A field device's changes come at irregular times: half to one and a half times the mean.
    const schedule = () => {
      unasked = setTimeout(() => {
        for (const r of session.unsolicited()) socket.write(r);
        if (socket.writableLength > maxUnread) socket.destroy();
        else schedule();
      }, spontaneousMs * (0.5 + Math.random()));
      unasked.unref();
    };
    if (protocol === 'iec104' && spontaneousMs > 0) schedule();
    report(meta, protocol, 'tcp', src, dst, { operation: 'connect', detail: 'tcp connect', raw: new Uint8Array(0), length: 0, anomalies: [] });
    socket.setNoDelay(true);
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      const ex = session.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (const i of ex.interactions) report(meta, protocol, 'tcp', src, dst, i);
      if (ex.malformed) report(meta, protocol, 'tcp', src, dst, ex.malformed);
      totalBuffered += session.buffered - held;
      held = session.buffered;
      if (held > 0 && !slow) slow = setTimeout(() => socket.destroy(), slowSenderMs);
      else if (held === 0 && slow) slow = (clearTimeout(slow), undefined);
      for (const r of ex.replies) socket.write(r);
      if (session.closed) socket.end();
      if (totalBuffered > maxTotalBuffered || socket.writableLength > maxUnread) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (slow) clearTimeout(slow);
      if (unasked) clearTimeout(unasked);
      totalBuffered -= held;
      held = 0;
      open.delete(socket);
      const n = (bySource.get(srcIp) ?? 1) - 1;
      if (n > 0) bySource.set(srcIp, n);
      else bySource.delete(srcIp);
    });
  };

  const servers: Server[] = [];
  const udp: UdpSocket[] = [];
  const services: HoneypotService[] = [];
  for (const protocol of protocolsOf(device)) {
    for (const e of endpointsOf(protocol)) {
      const port = options.ports?.[protocol] ?? e.port;
      const service: HoneypotService = { protocol, transport: e.transport, address: bind, port };
      services.push(service);
      try {
        if (e.transport === 'tcp') {
          const server = createServer(onConnection(protocol, port));
          await listenTcp(server, bind, port, 4096);
          server.on('error', () => undefined);
          servers.push(server);
        } else {
          const socket = udpSocket();
          // UDP: one session per service; each datagram is parsed on its own, counters carry over.
          const session = new HoneypotSession(device, state, protocol, 'udp');
          socket.on('message', (msg, rinfo) => {
            const meta = { id: `${rinfo.address}:${rinfo.port}`, started: Date.now(), seq: 0 };
            const src = { ip: rinfo.address, port: rinfo.port };
            const ex = session.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
            for (const i of ex.interactions) report(meta, protocol, 'udp', src, { ip: bind, port }, i);
            if (ex.malformed) report(meta, protocol, 'udp', src, { ip: bind, port }, ex.malformed);
            if (ex.replies.length && mayReply(rinfo.address, Date.now())) for (const r of ex.replies) socket.send(r, rinfo.port, rinfo.address);
          });
          await bindUdp(socket, bind, port);
          socket.on('error', () => undefined);
          udp.push(socket);
        }
      } catch (err) {
        service.error = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      }
    }
  }

  let closed = false;
  return {
    sensorId,
    device,
    state,
    services,
    connections: () => open.size,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of open) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await Promise.all(udp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
