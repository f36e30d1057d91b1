// The digital twin of a province on loopback: N deployed personas at distinct 127.x.y.z
// addresses. TCP services share one listening socket per port on 0.0.0.0 and pick the device
// by the connection's local (destination) address; connections to any other address are
// dropped at once. UDP cannot tell the destination address of a datagram on a wildcard socket
// (Node exposes no IP_PKTINFO), and a reply must come from the address asked, so UDP services
// bind each device's own address. When a port is taken (Mosquitto holds 127.0.0.1:1883 here),
// the service falls back to one socket per device address; what still cannot bind is reported.
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Transport } from '../model/index.ts';
import { bindUdp, isLoopback, listenTcp, localAddressOf, udpSocket } from '../net/index.ts';
import type { RegionPack } from '../regions/index.ts';
import { deploy, DeviceSession, endpointsOf, personas, protocolsOf, random, type Device, type Persona, type ProtocolName } from '../personas/index.ts';
import { DEFAULT_TWIN_CIDR, twinAddresses, twinPublicAddress } from './addresses.ts';
import { listenRaw, rawTcpAvailable, type RawConnection, type RawServer } from './raw-tcp.ts';
import { truthRecord, type ServedEndpoint, type TruthRecord } from './truth.ts';

export interface TwinOptions {
  devices: number;
  seed: string | number;
  cidr?: string;
  /** Region pack for the public addresses; the bundled one by default. */
  pack?: RegionPack;
  /** Only these personas (ids); the whole catalogue by default. */
  personas?: readonly string[];
  /** Open TCP connections across the whole twin. */
  maxConnections?: number;
  /** Open TCP connections to one device (an S7-300 CPU offers 16 or so; scanners need one). */
  maxConnectionsPerDevice?: number;
  /** A TCP connection idle this long is closed. */
  idleTimeoutMs?: number;
  /** Compute the ground truth (on by default; large twins can skip it). */
  truth?: boolean;
  /**
   * shared (default): one 0.0.0.0 socket per TCP port, per-address only where that fails.
   * per-address: one socket per device and port from the start. A shared socket keeps every
   * other program from that port on all of loopback (Linux refuses a specific bind next to a
   * listening wildcard), so tests that run beside other twins or real servers use per-address.
   */
  bind?: 'shared' | 'per-address';
}

export interface TwinDevice {
  address: string;
  publicIp: string;
  device: Device;
}

export interface ServiceStatus {
  protocol: ProtocolName;
  port: number;
  transport: Transport;
  /** shared: one socket for all; per-address: one per device; failed: none listening. */
  mode: 'shared' | 'per-address' | 'failed';
  devices: number;
  /** Devices whose socket could not bind, with why. */
  failures: { address: string; error: string }[];
  error?: string;
}

export interface Twin {
  devices: TwinDevice[];
  truth: TruthRecord[];
  services: ServiceStatus[];
  byAddress(address: string): TwinDevice | undefined;
  /**
   * The operator flashes a new firmware image onto a device (remediation in the warning loop):
   * from the next request on, every protocol reports it. Returns false for an unknown address.
   */
  setFirmware(address: string, firmware: string): boolean;
  close(): Promise<void>;
}

export const TWIN_DEFAULTS = { maxConnections: 4096, maxConnectionsPerDevice: 32, idleTimeoutMs: 15_000 } as const;

/** Picks personas by weight, deterministically from the seed and the device's index. */
export function choosePersona(list: readonly Persona[], seed: string | number, index: number): Persona {
  const total = list.reduce((t, p) => t + p.weight, 0);
  let x = random(`${seed}/persona/${index}`)() * total;
  for (const p of list) {
    x -= p.weight;
    if (x < 0) return p;
  }
  return list[list.length - 1];
}

/** The twin's devices without any socket: what `startTwin` serves, for tests and planning. */
export function planTwin(options: TwinOptions): TwinDevice[] {
  const catalogue = options.personas ? personas().filter((p) => options.personas!.includes(p.id)) : personas();
  if (catalogue.length === 0) throw new RangeError('no personas to deploy');
  const addresses = twinAddresses(options.cidr ?? DEFAULT_TWIN_CIDR, options.devices);
  return addresses.map((address, i) => {
    const persona = choosePersona(catalogue, options.seed, i);
    return { address, publicIp: twinPublicAddress(address, options.pack), device: deploy(persona, options.seed, i) };
  });
}

export async function startTwin(options: TwinOptions): Promise<Twin> {
  const devices = planTwin(options);
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  const maxConnections = options.maxConnections ?? TWIN_DEFAULTS.maxConnections;
  const idleTimeoutMs = options.idleTimeoutMs ?? TWIN_DEFAULTS.idleTimeoutMs;
  const perDevice = options.maxConnectionsPerDevice ?? TWIN_DEFAULTS.maxConnectionsPerDevice;
  const openPerDevice = new Map<string, number>();
  const servers: Server[] = [];
  const rawServers: RawServer[] = [];
  const udpSockets: UdpSocket[] = [];
  const open = new Set<{ destroy(): void }>();
  const rawOpen = new Set<RawConnection>();
  let idleSweep: NodeJS.Timeout | undefined;

  // (protocol, transport, port) → devices offering it.
  const wanted = new Map<string, { endpoint: ServedEndpoint; devices: TwinDevice[] }>();
  for (const d of devices) {
    for (const protocol of protocolsOf(d.device)) {
      for (const e of endpointsOf(protocol)) {
        const key = `${e.transport}/${e.port}`;
        let entry = wanted.get(key);
        if (!entry) wanted.set(key, (entry = { endpoint: { protocol, port: e.port, transport: e.transport }, devices: [] }));
        if (entry.endpoint.protocol !== protocol) throw new Error(`${protocol} and ${entry.endpoint.protocol} both want ${key}`);
        entry.devices.push(d);
      }
    }
  }

  const onConnection = (protocol: ProtocolName, fixed?: TwinDevice) => (socket: Socket) => {
    // A device's own socket listens on its loopback address and serves one of its protocols:
    // only a shared socket needs the destination looked up (getsockname) and the source checked
    // (getpeername), two system calls per connection the per-address twin does without.
    const twin = fixed ?? byAddress.get(localAddressOf(socket) ?? '');
    const busy = twin ? openPerDevice.get(twin.address) ?? 0 : 0;
    const admitted = twin && (fixed || (isLoopback(socket.remoteAddress ?? '') && protocolsOf(twin.device).includes(protocol)));
    if (!twin || !admitted || open.size >= maxConnections || busy >= perDevice) {
      socket.destroy();
      return;
    }
    open.add(socket);
    openPerDevice.set(twin.address, busy + 1);
    const session = new DeviceSession(twin.device, protocol, 'tcp');
    socket.setNoDelay(true);
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      const replies = session.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (const r of replies) socket.write(r);
      if (session.closed) socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      open.delete(socket);
      closeDeviceConnection(twin);
    });
  };

  const closeDeviceConnection = (twin: TwinDevice): void => {
    const n = (openPerDevice.get(twin.address) ?? 1) - 1;
    if (n > 0) openPerDevice.set(twin.address, n);
    else openPerDevice.delete(twin.address);
  };

  /** A device's own socket on libuv's handles (raw-tcp.ts): the same limits, session and idle timeout. */
  const startRawTcp = (protocol: ProtocolName, port: number, twin: TwinDevice): void => {
    rawServers.push(
      listenRaw(twin.address, port, {
        accept(conn) {
          const busy = openPerDevice.get(twin.address) ?? 0;
          if (open.size >= maxConnections || busy >= perDevice) return null;
          open.add(conn);
          rawOpen.add(conn);
          openPerDevice.set(twin.address, busy + 1);
          const session = new DeviceSession(twin.device, protocol, 'tcp');
          return {
            receive: (bytes) => session.receive(bytes),
            closed: () => session.closed,
            onClose() {
              open.delete(conn);
              rawOpen.delete(conn);
              closeDeviceConnection(twin);
            },
          };
        },
      }),
    );
    // One timer for every raw connection's idle timeout, instead of one per socket.
    idleSweep ??= setInterval(() => {
      const before = Date.now() - idleTimeoutMs;
      for (const c of rawOpen) if (c.lastActive < before) c.destroy();
    }, Math.max(10, Math.min(1000, idleTimeoutMs / 4)));
    idleSweep.unref();
  };

  const startUdp = async (protocol: ProtocolName, port: number, twin: TwinDevice): Promise<void> => {
    const socket = udpSocket();
    const session = new DeviceSession(twin.device, protocol, 'udp');
    socket.on('message', (msg, rinfo) => {
      if (!isLoopback(rinfo.address)) return;
      for (const r of session.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength))) socket.send(r, rinfo.port, rinfo.address);
    });
    try {
      await bindUdp(socket, twin.address, port);
      socket.on('error', () => undefined);
      udpSockets.push(socket);
    } catch (e) {
      socket.close();
      throw e;
    }
  };

  const services: ServiceStatus[] = [];
  const failedAt = new Map<string, Set<string>>(); // address → keys that did not bind
  const fail = (address: string, key: string) => {
    let s = failedAt.get(address);
    if (!s) failedAt.set(address, (s = new Set()));
    s.add(key);
  };

  for (const [key, { endpoint, devices: offering }] of wanted) {
    const status: ServiceStatus = { ...endpoint, mode: 'shared', devices: offering.length, failures: [] };
    services.push(status);
    if (endpoint.transport === 'tcp' && options.bind !== 'per-address') {
      const shared = createServer({ pauseOnConnect: false }, onConnection(endpoint.protocol));
      try {
        await listenTcp(shared, '0.0.0.0', endpoint.port);
        shared.on('error', () => undefined);
        servers.push(shared);
        continue;
      } catch (e) {
        status.error = `0.0.0.0:${endpoint.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      }
    }
    status.mode = 'per-address';
    await Promise.all(
      offering.map(async (twin) => {
        try {
          if (endpoint.transport === 'udp') await startUdp(endpoint.protocol, endpoint.port, twin);
          else if (rawTcpAvailable) startRawTcp(endpoint.protocol, endpoint.port, twin);
          else {
            const server = createServer(onConnection(endpoint.protocol, twin));
            await listenTcp(server, twin.address, endpoint.port);
            server.on('error', () => undefined);
            servers.push(server);
          }
        } catch (e) {
          status.failures.push({ address: twin.address, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
          fail(twin.address, key);
        }
      }),
    );
    if (status.failures.length === offering.length) status.mode = 'failed';
  }

  const truth =
    options.truth === false
      ? []
      : devices.map((d) => {
          const served = protocolsOf(d.device).flatMap((protocol) =>
            endpointsOf(protocol)
              .filter((e) => !failedAt.get(d.address)?.has(`${e.transport}/${e.port}`))
              .map((e) => ({ protocol, port: e.port, transport: e.transport })),
          );
          return truthRecord(d.device, d.address, d.publicIp, served);
        });

  let closed = false;
  return {
    devices,
    truth,
    services,
    byAddress: (address) => byAddress.get(address),
    setFirmware(address, firmware) {
      const d = byAddress.get(address);
      if (!d) return false;
      d.device.vars = { ...d.device.vars, firmware };
      d.device.identity = { ...d.device.identity, firmware };
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (idleSweep) clearInterval(idleSweep);
      for (const s of [...open]) s.destroy();
      for (const s of rawServers) s.close();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await Promise.all(udpSockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
