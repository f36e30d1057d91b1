// Listening helpers shared by everything that serves personas on loopback (the twin, the
// honeypot): a bind either succeeds or rejects with the errno (EADDRINUSE, EACCES), never
// leaves an 'error' listener behind, and never shares a port (exclusive).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import { formatIp, parseIp, unmapIpv4 } from './ip.ts';

export function listenTcp(server: Server, host: string, port: number, backlog?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true, backlog }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export function bindUdp(socket: UdpSocket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/** A fresh IPv4 UDP socket (no SO_REUSEADDR, so two servers never split one port's datagrams). */
export function udpSocket(): UdpSocket {
  return createSocket({ type: 'udp4', reuseAddr: false });
}

/** The connection's local (destination) address as canonical text; IPv4-mapped IPv6 unmapped. */
export function localAddressOf(socket: Socket): string | undefined {
  const raw = socket.localAddress;
  const ip = raw ? parseIp(raw) : null;
  return ip ? formatIp(unmapIpv4(ip)) : undefined;
}

/** The peer's address the same way. */
export function remoteAddressOf(socket: Socket): string | undefined {
  const raw = socket.remoteAddress;
  const ip = raw ? parseIp(raw) : null;
  return ip ? formatIp(unmapIpv4(ip)) : undefined;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address.startsWith('::ffff:127.');
}
