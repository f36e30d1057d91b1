// For the scanner's tests: Modbus devices on loopback addresses that answer Read Device
// Identification late, so probes of one device that overlap would be seen at the device. What
// the hooks count is requests in progress (received, not yet answered): the device's own view,
// free of the lag with which a server sees a connection close.
import { createServer, type Server } from 'node:net';
import { deviceIdResponse, modbus, type DeviceIdObject } from '../protocols/modbus/index.ts';

export interface SlowDevicesOptions {
  /** How late every answer is. */
  delayMs: number;
  /** The identification objects `address` answers with. */
  objects: (address: string) => DeviceIdObject[];
  onConnect?: (address: string, port: number) => void;
  /** A request arrived; `onAnswer` follows when it is answered. */
  onRequest?: (address: string) => void;
  onAnswer?: (address: string) => void;
}

/** A device on every address, on `portCount` ports (the same port numbers on every address). */
export async function slowModbusDevices(addresses: readonly string[], portCount: number, opts: SlowDevicesOptions): Promise<{ servers: Server[]; ports: number[] }> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let k = 0; k < portCount; k++) {
    let port = 0;
    for (const a of addresses) {
      const s = device(a, opts);
      await new Promise<void>((r) => s.listen(port, a, () => r()));
      port ||= (s.address() as { port: number }).port;
      servers.push(s);
    }
    ports.push(port);
  }
  return { servers, ports };
}

function device(address: string, opts: SlowDevicesOptions): Server {
  return createServer((socket) => {
    opts.onConnect?.(address, socket.localPort!);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      const r = modbus.parse(chunk, 'to-server');
      if (r.kind !== 'done') return;
      opts.onRequest?.(address);
      const answer = deviceIdResponse(r.message, opts.objects(address), 0x81);
      setTimeout(() => {
        opts.onAnswer?.(address);
        if (socket.writable) socket.write(modbus.encode(answer));
      }, opts.delayMs);
    });
  });
}
