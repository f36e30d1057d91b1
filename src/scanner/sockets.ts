// The only place the scanner touches sockets: TCP connections and one shared UDP socket, each
// read through a protocol's `parse`. Timeouts are deadlines checked by one sweep timer for all
// connections (no timer per probe); the bytes of a reply are parsed where the socket delivered
// them and copied only when a PDU spans two reads.
import { Socket } from 'node:net';
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

export class TcpConn implements Conn, Expiring {
  readonly transport = 'tcp' as const;
  deadline = Infinity;
  private readonly socket: Socket;
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private ended = false;
  private waiter: Waiter | null = null;
  private connectResolve: ((o: ConnectOutcome) => void) | null = null;

  constructor(readonly address: string, readonly port: number, private readonly sweep: DeadlineSweep, private readonly timeoutMs: number) {
    this.socket = new Socket();
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e: NodeJS.ErrnoException) => this.onEnd(LOCAL_SHORTAGE.has(e.code ?? '') ? 'busy' : 'refused'));
    this.socket.on('close', () => this.onEnd('refused'));
  }

  /** Resolves once connected, refused or timed out; the address is an IP literal, so no DNS. */
  connect(): Promise<ConnectOutcome> {
    return new Promise((resolve) => {
      this.connectResolve = resolve;
      this.deadline = Date.now() + this.timeoutMs;
      this.sweep.track(this);
      this.socket.connect({ host: this.address, port: this.port }, () => {
        this.connectResolve = null;
        this.deadline = Infinity;
        resolve('open');
      });
    });
  }

  send(bytes: Uint8Array): void {
    if (!this.ended) this.socket.write(bytes);
  }

  read<M extends Message>(protocol: Protocol<M>, state?: FlowState): Promise<M | null> {
    return new Promise((resolve) => {
      this.waiter = { protocol: protocol as Protocol<Message>, state, resolve: resolve as (m: Message | null) => void };
      this.deadline = Date.now() + this.timeoutMs;
      this.deliver();
    });
  }

  private onData(chunk: Buffer): void {
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
      this.onEnd('timeout');
      this.socket.destroy();
      return;
    }
    this.finish(null);
  }

  close(): void {
    this.sweep.untrack(this);
    this.ended = true;
    // An RST rather than a FIN: the scanner keeps no TIME_WAIT state per probed service (a /16
    // of probes would otherwise hold tens of thousands of them), as nmap's connect scan does.
    if (this.socket.readyState === 'open') this.socket.resetAndDestroy();
    else this.socket.destroy();
  }
}

/**
 * A conversation over its own connected UDP socket: each datagram is one PDU. Connected, so the
 * kernel reports an ICMP port unreachable as ECONNREFUSED and a closed port costs no timeout.
 */
class UdpConn implements Conn, Expiring {
  readonly transport = 'udp' as const;
  deadline = Infinity;
  private readonly queue: Uint8Array[] = [];
  private waiter: Waiter | null = null;
  private last: Uint8Array | null = null;
  private resends = 0;
  private closed = false;
  /** Datagrams written before the socket finished connecting. */
  private early: Uint8Array[] | null = [];

  constructor(
    readonly address: string,
    readonly port: number,
    private readonly socket: UdpSocket,
    private readonly sweep: DeadlineSweep,
    private readonly timeoutMs: number,
    private readonly retries: number,
  ) {
    socket.on('message', (msg: Buffer) => this.receive(msg));
    socket.on('error', () => this.refused());
    socket.connect(port, address, () => {
      const early = this.early ?? [];
      this.early = null;
      for (const b of early) this.write(b);
    });
  }

  private write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.early) this.early.push(bytes);
    else this.socket.send(bytes, () => undefined);
  }

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

  private receive(datagram: Uint8Array): void {
    if (this.queue.length < 64) this.queue.push(datagram);
    this.deliver();
  }

  private refused(): void {
    this.closed = true;
    this.deliver();
  }

  private deliver(): void {
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
    if (this.closed) this.finish(null);
  }

  private finish(m: Message | null): void {
    const w = this.waiter;
    this.waiter = null;
    this.deadline = Infinity;
    this.sweep.untrack(this);
    w?.resolve(m);
  }

  expire(): void {
    // UDP loses datagrams: the request is sent again before the read gives up.
    if (this.waiter && this.last && this.resends < this.retries && !this.closed && !this.sweep.halted) {
      this.resends++;
      this.deadline = Date.now() + this.timeoutMs;
      this.write(this.last);
      return;
    }
    this.finish(null);
  }

  close(): void {
    if (this.closed && !this.waiter) {
      this.closeSocket();
      return;
    }
    this.closed = true;
    this.finish(null);
    this.closeSocket();
  }

  private closeSocket(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

/** Opens UDP conversations for the scan. */
export class UdpEndpoint {
  constructor(readonly sweep: DeadlineSweep) {}

  conn(address: string, port: number, timeoutMs: number, retries: number): Conn {
    return new UdpConn(address, port, createSocket('udp4'), this.sweep, timeoutMs, retries);
  }

  close(): void {}
}
