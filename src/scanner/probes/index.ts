// The probe table: one identification probe per protocol and transport. Ports default to the
// protocol's standard one; `--ports modbus:15020` runs a probe on another port.
import type { Transport } from '../../model/index.ts';
import { bacnetProbe } from './bacnet.ts';
import { dnp3TcpProbe, dnp3UdpProbe } from './dnp3.ts';
import { enipTcpProbe, enipUdpProbe } from './enip.ts';
import { finsTcpProbe, finsUdpProbe } from './fins.ts';
import { foxProbe } from './fox.ts';
import { iec104Probe } from './iec104.ts';
import { modbusProbe } from './modbus.ts';
import { mqttProbe } from './mqtt.ts';
import { opcuaProbe } from './opcua.ts';
import { s7commProbe } from './s7comm.ts';
import type { Probe } from './probe.ts';

export type { Probe, ProbeContext, ProbeResult } from './probe.ts';

export const PROBES: readonly Probe[] = [
  modbusProbe, s7commProbe, enipTcpProbe, enipUdpProbe, finsTcpProbe, finsUdpProbe, iec104Probe,
  dnp3TcpProbe, dnp3UdpProbe, mqttProbe, bacnetProbe, opcuaProbe, foxProbe,
];

export function probeFor(protocol: string, transport: Transport): Probe | undefined {
  return PROBES.find((p) => p.protocol === protocol && p.transport === transport);
}
