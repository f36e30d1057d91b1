// S7comm on ISO-TSAP 102: COTP connection request with calling TSAP 0x0100 and called TSAP 0x0102
// (rack 0 slot 2), falling back to 0x0200 as nmap's s7-info does; setup communication; then read
// SZL 0x0011 (module identification) and 0x001C (component identification). All read-only.
import { connectionRequest, readSzl, s7comm, setupCommunication, type S7commMessage } from '../../protocols/s7comm/index.ts';
import type { FlowState } from '../../protocols/index.ts';
import type { Conn } from '../sockets.ts';
import type { Probe } from './probe.ts';

const CALLED_TSAPS = [0x0102, 0x0200];

async function exchange(conn: Conn, request: S7commMessage, state: FlowState, sink: S7commMessage[]): Promise<S7commMessage | null> {
  conn.send(s7comm.encode(request));
  const m = await conn.read(s7comm, state);
  if (m) sink.push(m);
  return m;
}

async function session(conn: Conn, dstTsap: number, messages: S7commMessage[]): Promise<'no-answer' | 'refused' | 'open'> {
  const state: FlowState = {};
  const cc = await exchange(conn, connectionRequest({ srcTsap: 0x0100, dstTsap }), state, messages);
  if (!cc) return 'no-answer';
  if (cc.cotp.name !== 'CC') return 'refused';
  const ack = await exchange(conn, setupCommunication(1), state, messages);
  if (!ack?.s7) return 'open';
  await exchange(conn, readSzl(2, 0x0011, 0x0001), state, messages);
  await exchange(conn, readSzl(3, 0x001c, 0x0001), state, messages);
  return 'open';
}

export const s7commProbe: Probe = {
  protocol: 's7comm',
  transport: 'tcp',
  port: 102,
  async run(conn, ctx) {
    const messages: S7commMessage[] = [];
    let current: Conn | null = conn;
    for (let i = 0; i < CALLED_TSAPS.length && current; i++) {
      if (i > 0) {
        current.close();
        current = await ctx.reopen();
        if (!current) break;
      }
      const r = await session(current, CALLED_TSAPS[i], messages);
      if (r === 'open') break;
      if (r === 'no-answer' && messages.length === 0) return null;
    }
    if (current && current !== conn) current.close();
    if (!messages.length) return null;
    return { identity: s7comm.identify(messages) };
  },
};
