// A device's own TCP socket served on libuv's handles as Node's `net` uses them underneath, without
// a `net.Server`, `net.Socket` and their stream machinery per connection. A scan of the twin opens
// thousands of short connections a second and the twin shares the machine's cores with the
// scanner: each connection is accepted, read, answered and closed with a few calls and no
// per-connection timer (one sweep closes idle connections). Null where the bindings are not
// offered; the twin then serves through `net`.
import { getSystemErrorName } from 'node:util';

interface Handle {
  bind(address: string, port: number): number;
  listen(backlog: number): number;
  setNoDelay(on: boolean): number;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: WriteRequest, bytes: Uint8Array): number;
  close(cb?: () => void): void;
  /** Node's setters accept only functions. */
  onconnection: (status: number, client: Handle | undefined) => void;
  onread: (buffer: ArrayBuffer | undefined) => void;
}
interface WriteRequest {
  handle: Handle;
  oncomplete: (status: number) => void;
  async: boolean;
  buffer?: Uint8Array;
}
interface Bindings {
  tcp: { TCP: new (type: number) => Handle; constants: { SERVER: number } };
  stream: { WriteWrap: new () => WriteRequest; streamBaseState: Int32Array; kReadBytesOrError: number; kArrayBufferOffset: number; kLastWriteWasAsync: number };
}

const raw: Bindings | null = (() => {
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding;
    const tcp = binding('tcp_wrap') as Bindings['tcp'];
    const stream = binding('stream_wrap') as Bindings['stream'];
    const methods = ['bind', 'listen', 'setNoDelay', 'readStart', 'readStop', 'writeBuffer', 'close'];
    if (typeof tcp?.TCP !== 'function' || typeof tcp.constants?.SERVER !== 'number') return null;
    if (methods.some((m) => typeof (tcp.TCP.prototype as unknown as Record<string, unknown>)[m] !== 'function')) return null;
    if (typeof stream?.WriteWrap !== 'function' || !(stream.streamBaseState instanceof Int32Array)) return null;
    if (![stream.kReadBytesOrError, stream.kArrayBufferOffset, stream.kLastWriteWasAsync].every(Number.isInteger)) return null;
    return { tcp, stream };
  } catch {
    return null;
  }
})();

export const rawTcpAvailable = raw !== null;

/** One accepted connection: what arrives is handed to `receive`, whose replies are written back. */
export interface RawConnection {
  /** Closes at once (FIN, or RST when unread bytes remain). */
  destroy(): void;
  lastActive: number;
}

export interface RawConnectionHandler {
  /** Null refuses the connection (limits); otherwise called with each chunk, returns the replies. */
  accept(conn: RawConnection): {
    receive(bytes: Uint8Array): Uint8Array[];
    /** After a chunk's replies: the device ends the conversation (they are sent first). */
    closed(): boolean;
    onClose(): void;
  } | null;
}

export interface RawServer {
  close(): void;
}

const noop = (): void => undefined;

/** Listens on address:port; throws an Error with the errno name as `code` (EADDRINUSE…). */
export function listenRaw(address: string, port: number, handler: RawConnectionHandler): RawServer {
  const b = raw!;
  const server = new b.tcp.TCP(b.tcp.constants.SERVER);
  let err = server.bind(address, port);
  if (!err) err = server.listen(511);
  if (err) {
    server.close();
    const code = getSystemErrorName(err);
    throw Object.assign(new Error(`listen ${code} ${address}:${port}`), { code });
  }
  const state = b.stream.streamBaseState;
  server.onconnection = (status, client) => {
    if (status !== 0 || !client) return;
    let closed = false;
    let pendingWrites = 0;
    const conn: RawConnection = {
      lastActive: Date.now(),
      destroy() {
        if (closed) return;
        closed = true;
        client.onread = noop;
        client.readStop();
        client.close();
        session?.onClose();
      },
    };
    const session = handler.accept(conn);
    if (!session) {
      conn.destroy();
      return;
    }
    const written = (): void => {
      if (--pendingWrites === 0 && session.closed()) conn.destroy();
    };
    const write = (bytes: Uint8Array): void => {
      const req = new b.stream.WriteWrap();
      req.handle = client;
      req.oncomplete = written;
      req.async = false;
      req.buffer = bytes; // held until an asynchronous write completes
      if (client.writeBuffer(req, bytes) !== 0) conn.destroy();
      else if (state[b.stream.kLastWriteWasAsync]) pendingWrites++;
    };
    client.setNoDelay(true);
    client.onread = (ab) => {
      const n = state[b.stream.kReadBytesOrError];
      if (n < 0) return conn.destroy(); // EOF or reset
      if (n === 0 || !ab || closed) return;
      conn.lastActive = Date.now();
      const replies = session.receive(new Uint8Array(ab, state[b.stream.kArrayBufferOffset], n));
      // Several replies to one chunk go out in one write.
      if (replies.length === 1) write(replies[0]);
      else if (replies.length > 1) write(Buffer.concat(replies));
      if (session.closed() && pendingWrites === 0) conn.destroy();
    };
    if (client.readStart() !== 0) conn.destroy();
  };
  return { close: () => server.close() };
}
