// Loads the native half of the sweep (native/syn-sweep, built by `npm ci` as an optional
// dependency) and says why it cannot be used when it cannot.
import { createRequire } from 'node:module';

export interface SweepStats {
  /** SYNs sent, retransmissions included. */
  sent: number;
  /** SYNs sent again to pairs silent after an earlier round. */
  retransmitted: number;
  open: number;
  closed: number;
  /** Pairs the kernel would not send to (no route, a local firewall). */
  unreachable: number;
  /** Pairs that answered none of the rounds. */
  silent: number;
  /** Replies to the sweep's port whose acknowledgment is not one of its cookies. */
  invalid: number;
  /** Replies with a valid cookie from a pair the sweep was not given. */
  unlisted: number;
  /** Further answers from a pair already settled. */
  duplicate: number;
  rounds: number;
}

export interface NativeSweep {
  /** Lets the sweep send `n` more SYNs (Infinity: no limit). */
  grant(n: number): void;
  /** SYNs the sweep would send now beyond what it has been granted. */
  wanted(): number;
  stop(): void;
  readonly sourcePort: number;
}

export type SweepEvent = { kind: 'open'; pairs: Uint32Array } | { kind: 'done'; stats: SweepStats } | { kind: 'error'; message: string };

/** A packet seen by the test tap. */
export interface TappedPacket {
  bytes: Buffer;
  outgoing: boolean;
  ifindex: number;
}

export interface SynAddon {
  /** null when a raw TCP socket can be opened, else the errno name (EPERM, …). */
  probe(): string | null;
  start(pairs: Uint32Array, timeoutMs: number, retries: number, onEvent: (kind: SweepEvent['kind'], data: never) => void): NativeSweep;
  /** For tests: every IPv4 packet on every interface of this network namespace. */
  tapOpen(): number;
  tapRead(fd: number): TappedPacket[];
  tapClose(fd: number): void;
  /** For tests: sends a whole IPv4 packet as given. */
  inject(packet: Buffer): void;
}

export type Loaded = { ok: true; addon: SynAddon } | { ok: false; reason: string };

let loaded: Loaded | undefined;

export function loadAddon(): Loaded {
  if (loaded) return loaded;
  if (process.platform !== 'linux') return (loaded = { ok: false, reason: `raw SYN sweep needs Linux, this is ${process.platform}` });
  try {
    const addon = createRequire(import.meta.url)('otscope-syn-sweep') as SynAddon;
    loaded = { ok: true, addon };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    loaded = {
      ok: false,
      reason: code === 'MODULE_NOT_FOUND' ? 'native addon not built (native/syn-sweep; npm ci builds it where a C compiler is present)' : `native addon failed to load: ${(e as Error).message.split('\n')[0]}`,
    };
  }
  return loaded;
}
