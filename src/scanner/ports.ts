// `--ports`: standard ports (`502,102`), each meaning every probe whose standard port it is, or
// protocol:port pairs (`modbus:15020,opcua:48400`, optionally `/tcp` or `/udp`) for a service on
// another port.
import type { Transport } from '../model/index.ts';
import { scanError } from './errors.ts';
import { PROBES } from './probes/index.ts';

export interface Service {
  protocol: string;
  transport: Transport;
  port: number;
}

const ITEM = /^(?:([a-z0-9-]+):)?(\d{1,5})(?:\/(tcp|udp))?$/;

export function parsePorts(spec?: string): Service[] {
  if (spec === undefined || spec.trim() === '') return PROBES.map((p) => ({ protocol: p.protocol, transport: p.transport, port: p.port }));
  const out: Service[] = [];
  const seen = new Set<string>();
  for (const raw of spec.split(',')) {
    const item = raw.trim().toLowerCase();
    const m = ITEM.exec(item);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw scanError('INVALID_PORTS', `'${raw.slice(0, 40)}'`);
    const [, protocol, , transport] = m;
    const probes = PROBES.filter((p) => (protocol ? p.protocol === protocol : p.port === port) && (!transport || p.transport === transport));
    if (!probes.length) throw scanError('INVALID_PORTS', `'${raw.slice(0, 40)}' names no probe`);
    for (const p of probes) {
      const key = `${p.protocol}/${p.transport}/${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ protocol: p.protocol, transport: p.transport, port });
    }
  }
  return out;
}
