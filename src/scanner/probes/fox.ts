// Niagara Fox on TCP 1911: the "fox hello" nmap's fox-info sends; the station answers with its
// name, Niagara version, VM and OS.
import { fox, helloRequest } from '../../protocols/fox/index.ts';
import type { Probe } from './probe.ts';

export const foxProbe: Probe = {
  protocol: 'fox',
  transport: 'tcp',
  port: 1911,
  async run(conn) {
    conn.send(fox.encode(helloRequest()));
    const m = await conn.read(fox);
    if (!m) return null;
    return { identity: fox.identify([m]) };
  },
};
