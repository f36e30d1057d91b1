// What one identification probe is: a protocol, the transport and standard port it runs on, and
// a conversation that reads the device's identity. Probes only send read-only requests; a step
// that could disturb a process runs only when the scan is `--intrusive` AND the probe's table
// entry opts in (`intrusive.optIn`).
import type { DeviceIdentity, Transport } from '../../model/index.ts';
import type { Conn } from '../sockets.ts';

export interface ProbeContext {
  /** True when the scan runs with --intrusive and this probe's table entry opts in. */
  intrusive: boolean;
  /** A new connection to the same service (S7's second TSAP), or null when it cannot be opened. */
  reopen(): Promise<Conn | null>;
}

export interface ProbeResult {
  /** The service answered in its protocol (the observation is made even without an identity). */
  identity: DeviceIdentity | null;
}

export interface Probe {
  /** Registry name of the protocol (`modbus`, `s7comm`, …). */
  protocol: string;
  transport: Transport;
  port: number;
  /** A step beyond read-only identification, and whether this table lets --intrusive run it. */
  intrusive?: { step: string; optIn: boolean };
  /** Null when the service did not answer in this protocol. */
  run(conn: Conn, ctx: ProbeContext): Promise<ProbeResult | null>;
}
