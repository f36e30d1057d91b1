// The only place the scanner touches sockets: TCP connections and UDP conversations (over a pool of connected handles), each
// read through a protocol's `parse`. Timeouts are deadlines checked by one sweep timer for all
// connections (no timer per probe); the bytes of a reply are parsed where the socket delivered
// them and copied only when a PDU spans two reads.
import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Transport } from '../model/index.ts';
import type { FlowState, Message, Protocol } from '../protocols/index.ts';

/** One conversation with one service. */
export interface Conn {
  readonly address: string;
  readonly port: number;
  readonly transport: Transport;
  send(bytes: Uint8Array): void;
  /** The peer's next PDU of this protocol; null on timeout, close, or bytes that are not this protocol. */
  read<M extends Message>(protocol: Protocol<M>, state?: FlowState): Promise<M | null>;
  close(): void;
}

interface Waiter {
  protocol: Protocol<Message>;
  state: FlowState | undefined;
  resolve: (m: Message | null) => void;
}

interface Expiring {
  deadline: number;
  expire(): void;
}

/** One interval timer for every deadline of a scan. */
export class DeadlineSweep {
  private readonly live = new Set<Expiring>();
  private timer: NodeJS.Timeout | undefined;
  halted = false;

  constructor(private readonly tickMs: number) {}

  track(e: Expiring): void {
    // After stop, whatever a probe still waits for ends at once, so nothing keeps the process up.
    if (this.halted) {
      queueMicrotask(() => e.expire());
      return;
    }
    this.live.add(e);
    if (!this.timer) this.timer = setInterval(() => this.sweep(), this.tickMs);
  }

  untrack(e: Expiring): void {
    this.live.delete(e);
    if (this.live.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const e of this.live) if (e.deadline <= now) e.expire();
  }

  stop(): void {
    this.halted = true;
    for (const e of [...this.live]) e.expire();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * `busy`: this machine ran out of something (file descriptors, ephemeral ports, buffers), which
 * says nothing about the target; the attempt is worth repeating, unlike a refusal.
 */
export type ConnectOutcome = 'open' | 'refused' | 'timeout' | 'busy';

const LOCAL_SHORTAGE = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM', 'EAGAIN']);
const LOCAL_SHORTAGE_ERRNO = new Set([...LOCAL_SHORTAGE].map((code) => -(osConstants.errno as Record<string, number>)[code]));
const ECONNREFUSED = -(osConstants.errno as Record<string, number>).ECONNREFUSED;
const ECONNABORTED = -(osConstants.errno as Record<string, number>).ECONNABORTED;

interface RawTcpHandle {
  connect(req: RawConnectRequest, address: string, port: number): number;
  setNoDelay(on: boolean): number;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: RawWriteRequest, bytes: Uint8Array): number;
  /** Closes with an RST (uv_tcp_close_reset); non-zero when it cannot, and nothing happened. */
  reset(cb?: () => void): number;
  close(cb?: () => void): void;
  /** Node's setter accepts only a function. */
  onread: (buffer: ArrayBuffer | undefined) => void;
}
interface RawConnectRequest {
  oncomplete: (status: number) => void;
  address: string;
  port: number;
}
interface RawWriteRequest {
  handle: RawTcpHandle;
  oncomplete: (status: number) => void;
  async: boolean;
  buffer?: Uint8Array;
}
interface RawTcp {
  TCP: new (type: number) => RawTcpHandle;
  TCPConnectWrap: new () => RawConnectRequest;
  constants: { SOCKET: number };
}
interface RawStream {
  WriteWrap: new () => RawWriteRequest;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
}

/**
 * libuv's TCP handle and stream calls as Node's own `net` uses them. A closed port (most pairs of
 * a scan) then costs the connect system call and nothing else: no `net.Socket`, stream state,
 * listeners or `Error` with a stack trace per refusal, and the refused handle is connected again
 * to the next service instead of being closed and a new socket made (half the CPU of a closed
 * pair, kernel included). An open port is read and written on the handle itself, without a
 * `net.Socket` and its stream machinery (about 100 µs of CPU per connection). Null where the
 * bindings are not offered; connections then are `net.Socket`s.
 */
const raw: { tcp: RawTcp; stream: RawStream } | null = (() => {
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding;
    const tcp = binding('tcp_wrap') as RawTcp;
    const stream = binding('stream_wrap') as RawStream;
    const methods = ['connect', 'readStart', 'readStop', 'writeBuffer', 'reset', 'setNoDelay'] as const;
    if (typeof tcp?.TCP !== 'function' || typeof tcp.TCPConnectWrap !== 'function' || methods.some((m) => typeof (tcp.TCP.prototype as unknown as Record<string, unknown>)[m] !== 'function')) return null;
    if (typeof stream?.WriteWrap !== 'function' || !(stream.streamBaseState instanceof Int32Array) || !Number.isInteger(stream.kReadBytesOrError) || !Number.isInteger(stream.kArrayBufferOffset)) return null;
    return { tcp, stream };
  } catch {
    return null;
  }
})();

/** TCP handles of a scan whose last connect was refused: clean, closed sockets ready to connect again. */
export class TcpHandles {
  private readonly idle: RawTcpHandle[] = [];
  private closed = false;

  constructor(private readonly max = 1024) {}

  take(): RawTcpHandle {
    return this.idle.pop() ?? new raw!.tcp.TCP(raw!.tcp.constants.SOCKET);
  }

  /** A refused handle: kept for the next connect, or closed when enough are kept. */
  keep(h: RawTcpHandle): void {
    if (this.idle.length < this.max && !this.closed) this.idle.push(h);
    else h.close();
  }

  close(): void {
    this.closed = true;
    for (const h of this.idle) h.close();
    this.idle.length = 0;
  }
}

const noop = (): void => undefined;

export class TcpConn implements Conn, Expiring {
  readonly transport = 'tcp' as const;
  deadline = Infinity;
  private socket: Socket | null = null;
  /** The raw handle while connecting, and of an open connection read on the handle itself. */
  private handle: RawTcpHandle | null = null;
  private connecting = false;
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private ended = false;
  private waiter: Waiter | null = null;
  private connectResolve: ((o: ConnectOutcome) => void) | null = null;

  constructor(readonly address: string, readonly port: number, private readonly sweep: DeadlineSweep, private readonly timeoutMs: number, private readonly handles: TcpHandles | null = null) {}

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => this.onEnd(LOCAL_SHORTAGE.has(e.code ?? '') ? 'busy' : 'refused'));
    socket.on('close', () => this.onEnd('refused'));
  }

  /** Resolves once connected, refused or timed out; the address is an IP literal, so no DNS. */
  connect(): Promise<ConnectOutcome> {
    return new Promise((resolve) => {
      this.connectResolve = resolve;
      this.deadline = Date.now() + this.timeoutMs;
      this.sweep.track(this);
      if (!raw || !this.handles) {
        this.attach(new Socket());
        this.socket!.connect({ host: this.address, port: this.port }, () => this.connected());
        return;
      }
      const handle = this.handles.take();
      this.handle = handle;
      this.connecting = true;
      const req = new raw.tcp.TCPConnectWrap();
      req.address = this.address;
      req.port = this.port;
      req.oncomplete = (status: number) => {
        if (this.handle !== handle || !this.connecting) return; // expired or closed meanwhile; the handle is closed
        this.connecting = false;
        if (status === 0) this.opened(handle);
        else this.refusedWith(status);
      };
      let err = handle.connect(req, this.address, this.port);
      // A reused socket answers its first connect after a refusal with ECONNABORTED (Linux's
      // inet_stream_connect resets the socket's state then); the second one connects.
      if (err === ECONNABORTED) err = handle.connect(req, this.address, this.port);
      if (err) {
        this.connecting = false;
        this.refusedWith(err);
      }
    });
  }

  private opened(handle: RawTcpHandle): void {
    const state = raw!.stream.streamBaseState;
    const { kReadBytesOrError, kArrayBufferOffset } = raw!.stream;
    handle.setNoDelay(true);
    handle.onread = (ab) => {
      const nread = state[kReadBytesOrError];
      if (nread > 0 && ab) this.onData(new Uint8Array(ab, state[kArrayBufferOffset], nread));
      else if (nread < 0) this.onEnd('refused'); // EOF or a reset
    };
    const err = handle.readStart();
    this.connected();
    if (err) this.onEnd('refused');
  }

  private connected(): void {
    const r = this.connectResolve;
    this.connectResolve = null;
    this.deadline = Infinity;
    r?.('open');
  }

  private refusedWith(status: number): void {
    const h = this.handle;
    this.handle = null;
    // Only a plain refusal leaves the socket clean (closed, unbound): anything else closes it.
    if (h && status === ECONNREFUSED && this.handles) this.handles.keep(h);
    else h?.close();
    this.onEnd(LOCAL_SHORTAGE_ERRNO.has(status) ? 'busy' : 'refused');
  }

  send(bytes: Uint8Array): void {
    if (this.ended) return;
    if (this.socket) {
      this.socket.write(bytes);
      return;
    }
    const h = this.handle;
    if (!h || this.connecting) return;
    const req = new raw!.stream.WriteWrap();
    req.handle = h;
    req.oncomplete = noop;
    req.async = false;
    req.buffer = bytes; // held until an asynchronous write completes
    if (h.writeBuffer(req, bytes) !== 0) this.onEnd('refused');
  }

  read<M extends Message>(protocol: Protocol<M>, state?: FlowState): Promise<M | null> {
    return new Promise((resolve) => {
      this.waiter = { protocol: protocol as Protocol<Message>, state, resolve: resolve as (m: Message | null) => void };
      this.deadline = Date.now() + this.timeoutMs;
      this.deliver();
    });
  }

  private onData(chunk: Uint8Array): void {
    if (this.start === this.buf.length) {
      // Nothing pending: parse straight from the socket's own buffer.
      this.buf = chunk;
      this.start = 0;
    } else {
      // A PDU spans reads: join into fresh memory, so earlier messages' views stay intact.
      const pending = this.buf.length - this.start;
      const joined = new Uint8Array(pending + chunk.length);
      joined.set(this.buf.subarray(this.start), 0);
      joined.set(chunk, pending);
      this.buf = joined;
      this.start = 0;
    }
    if (this.buf.length - this.start > 1 << 20) {
      this.finish(null);
      this.close();
      return;
    }
    this.deliver();
  }

  private deliver(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.start < this.buf.length) {
      const r = w.protocol.parse(this.buf.subarray(this.start), 'to-client', w.state);
      if (r.kind === 'done') {
        this.start += r.consumed;
        this.finish(r.message);
        return;
      }
      if (r.kind === 'not-mine') {
        this.finish(null);
        return;
      }
    }
    if (this.ended) this.finish(null);
  }

  private finish(m: Message | null): void {
    const w = this.waiter;
    this.waiter = null;
    this.deadline = Infinity;
    w?.resolve(m);
  }

  private onEnd(outcome: ConnectOutcome): void {
    this.ended = true;
    this.deadline = Infinity;
    this.sweep.untrack(this);
    if (this.connectResolve) {
      const r = this.connectResolve;
      this.connectResolve = null;
      r(outcome);
    }
    this.deliver();
  }

  expire(): void {
    if (this.connectResolve) {
      // A connect still under way: its socket is mid-handshake and is not reused.
      this.connecting = false;
      const h = this.handle;
      this.handle = null;
      h?.close();
      this.socket?.destroy();
      this.onEnd('timeout');
      return;
    }
    this.finish(null);
  }

  close(): void {
    this.sweep.untrack(this);
    this.ended = true;
    const h = this.handle;
    this.handle = null;
    if (h) {
      if (this.connecting) h.close();
      else {
        // An RST rather than a FIN: the scanner keeps no TIME_WAIT state per probed service (a
        // /16 of probes would otherwise hold tens of thousands of them), as nmap's connect scan does.
        h.onread = noop;
        h.readStop();
        if (h.reset() !== 0) h.close();
      }
      this.connecting = false;
    }
    const socket = this.socket;
    if (!socket) return;
    if (socket.readyState === 'open') socket.resetAndDestroy();
    else socket.destroy();
  }
}

/**
 * What every UDP conversation shares: each datagram is one PDU; a read takes the first datagram
 * that parses as the protocol's PDU (strays are dropped) and resends the last request before it
 * gives up, since UDP loses datagrams. Subclasses own the socket: how a datagram is written and
 * when the peer has ended the conversation (an ICMP port unreachable, or closing).
 */
abstract class UdpConversation implements Conn, Expiring {
  readonly transport = 'udp' as const;
  deadline = Infinity;
  private readonly queue: Uint8Array[] = [];
  private waiter: Waiter | null = null;
  private last: Uint8Array | null = null;
  private resends = 0;
  /** The last read gave up on its deadline (no answer, no refusal). */
  protected timedOut = false;

  constructor(
    readonly address: string,
    readonly port: number,
    protected readonly sweep: DeadlineSweep,
    private readonly timeoutMs: number,
    private readonly retries: number,
  ) {}

  /** No more datagrams will come: the peer refused, or the conversation was closed. */
  protected abstract get ended(): boolean;
  protected abstract write(bytes: Uint8Array): void;
  abstract close(): void;

  send(bytes: Uint8Array): void {
    this.last = bytes;
    this.resends = 0;
    this.write(bytes);
  }

  read<M extends Message>(protocol: Protocol<M>, state?: FlowState): Promise<M | null> {
    return new Promise((resolve) => {
      this.waiter = { protocol: protocol as Protocol<Message>, state, resolve: resolve as (m: Message | null) => void };
      this.deadline = Date.now() + this.timeoutMs;
      this.sweep.track(this);
      this.deliver();
    });
  }

  protected receive(datagram: Uint8Array): void {
    if (this.queue.length < 64) this.queue.push(datagram);
    this.deliver();
  }

  protected deliver(): void {
    const w = this.waiter;
    if (!w) return;
    while (this.queue.length) {
      const r = w.protocol.parse(this.queue.shift()!, 'to-client', w.state);
      // A datagram that is not a PDU of this protocol (a stray answer) is dropped, not fatal.
      if (r.kind === 'done') {
        this.finish(r.message);
        return;
      }
    }
    if (this.ended) this.finish(null);
  }

  protected finish(m: Message | null): void {
    const w = this.waiter;
    this.waiter = null;
    this.deadline = Infinity;
    this.sweep.untrack(this);
    w?.resolve(m);
  }

  expire(): void {
    if (this.waiter && this.last && this.resends < this.retries && !this.ended && !this.sweep.halted) {
      this.resends++;
      this.deadline = Date.now() + this.timeoutMs;
      this.write(this.last);
      return;
    }
    this.timedOut = true;
    this.finish(null);
  }
}

/**
 * A conversation over its own connected UDP socket. Connected, so the kernel reports an ICMP port
 * unreachable as ECONNREFUSED and a closed port costs no timeout.
 */
class UdpConn extends UdpConversation {
  private closed = false;
  /** Datagrams written before the socket finished connecting. */
  private early: Uint8Array[] | null = [];

  constructor(address: string, port: number, private readonly socket: UdpSocket, sweep: DeadlineSweep, timeoutMs: number, retries: number) {
    super(address, port, sweep, timeoutMs, retries);
    socket.on('message', (msg: Buffer) => this.receive(msg));
    socket.on('error', () => {
      this.closed = true;
      this.deliver();
    });
    socket.connect(port, address, () => {
      const early = this.early ?? [];
      this.early = null;
      for (const b of early) this.write(b);
    });
  }

  protected get ended(): boolean {
    return this.closed;
  }

  protected write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.early) this.early.push(bytes);
    else this.socket.send(bytes, () => undefined);
  }

  close(): void {
    this.closed = true;
    this.finish(null);
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

interface RawUdpHandle {
  bind(ip: string, port: number, flags: number): number;
  connect(ip: string, port: number): number;
  disconnect(): number;
  send(req: object, list: Uint8Array[], count: number, hasCallback: boolean): number;
  recvStart(): number;
  close(cb?: () => void): void;
  onmessage: (nread: number, handle: unknown, buf: Uint8Array | undefined, rinfo: { address: string; port: number } | undefined) => void;
  onerror?: () => void;
}
interface RawUdp {
  UDP: new () => RawUdpHandle;
  SendWrap: new () => object;
}

/**
 * libuv's UDP handle as `dgram` uses it, so a scan keeps a pool of connected UDP sockets and
 * points one at the next service with one connect(2), instead of socket, bind, connect and close
 * and an `Error` for every ICMP port unreachable. Null where the binding is not offered.
 */
const rawUdp: RawUdp | null = (() => {
  try {
    const b = (process as unknown as { binding(name: string): RawUdp }).binding('udp_wrap');
    return typeof b?.UDP === 'function' && typeof b.SendWrap === 'function' && typeof b.UDP.prototype.disconnect === 'function' ? b : null;
  } catch {
    return null;
  }
})();

/**
 * A conversation over a pooled, connected UDP handle. The kernel drops datagrams from any other
 * peer once connected, and reports an ICMP port unreachable as ECONNREFUSED. A datagram already
 * queued from the handle's previous peer is dropped by its source address. The handle goes back
 * to the pool only when the conversation ended on an answer or a refusal: after a timeout an ICMP
 * error could still be on its way and would be taken for the next peer's.
 */
class PooledUdpConn extends UdpConversation {
  private refusedPeer = false;
  private done = false;

  constructor(
    address: string,
    port: number,
    private readonly handle: RawUdpHandle,
    private readonly endpoint: UdpEndpoint,
    sweep: DeadlineSweep,
    timeoutMs: number,
    retries: number,
  ) {
    super(address, port, sweep, timeoutMs, retries);
    handle.onmessage = (nread, _h, buf, rinfo) => {
      if (this.done) return;
      if (nread < 0) {
        this.refusedPeer = true;
        this.deliver();
        return;
      }
      if (!buf || !rinfo || rinfo.address !== address || rinfo.port !== port) return;
      this.receive(nread === buf.length ? buf : buf.subarray(0, nread));
    };
    if (handle.connect(address, port) !== 0) this.refusedPeer = true;
  }

  protected get ended(): boolean {
    return this.refusedPeer || this.done;
  }

  protected write(bytes: Uint8Array): void {
    if (this.done || this.refusedPeer) return;
    if (this.handle.send(new rawUdp!.SendWrap(), [bytes], 1, false) < 0) this.refusedPeer = true;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.finish(null);
    this.endpoint.release(this.handle, !this.timedOut && !this.sweep.halted);
  }
}

/** Opens UDP conversations for the scan. */
export class UdpEndpoint {
  private readonly idle: RawUdpHandle[] = [];
  private readonly open = new Set<RawUdpHandle>();
  private closed = false;

  constructor(readonly sweep: DeadlineSweep) {}

  conn(address: string, port: number, timeoutMs: number, retries: number): Conn {
    const handle = rawUdp && !this.closed ? this.acquire() : null;
    if (!handle) return new UdpConn(address, port, createSocket('udp4'), this.sweep, timeoutMs, retries);
    return new PooledUdpConn(address, port, handle, this, this.sweep, timeoutMs, retries);
  }

  private acquire(): RawUdpHandle | null {
    const pooled = this.idle.pop();
    if (pooled) return pooled;
    const h = new rawUdp!.UDP();
    h.onerror = () => undefined;
    if (h.bind('0.0.0.0', 0, 0) !== 0 || h.recvStart() !== 0) {
      h.close();
      return null;
    }
    this.open.add(h);
    return h;
  }

  /** Back to the pool, disconnected, or closed when it may still receive for its old peer. */
  release(h: RawUdpHandle, reusable: boolean): void {
    h.onmessage = () => undefined;
    if (reusable && !this.closed && h.disconnect() === 0) {
      this.idle.push(h);
      return;
    }
    this.open.delete(h);
    h.close();
  }

  close(): void {
    this.closed = true;
    for (const h of this.open) h.close();
    this.open.clear();
    this.idle.length = 0;
  }
}
