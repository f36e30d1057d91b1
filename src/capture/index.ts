// Capture: pcap/pcapng files → link layers → IPv4/IPv6 → TCP/UDP flows, in order, per direction.
export { LINKTYPE, MAX_BLOCK, MAX_RECORD, newCapturePacket } from './packet.ts';
export type { CaptureFormat, CaptureIssue, CaptureIssueCode, CapturePacket, CaptureResult, PacketSink } from './packet.ts';
export { decodeCapture, detectFormat, readCaptureFile } from './reader.ts';
export type { ReadOptions } from './reader.ts';
export { IPPROTO_TCP, IPPROTO_UDP, L3, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, dstString, ipv4ToString, ipv6ToString, newFrame, srcString } from './frame.ts';
export type { Frame } from './frame.ts';
export { decodeLink } from './link.ts';
export { PacketDecoder } from './decode.ts';
export { FragmentReassembler } from './ip-fragments.ts';
export { GAP_WAIT_S, HeldBudget, MAX_HELD_TOTAL, MAX_PENDING_BYTES, MAX_PENDING_SEGMENTS, TcpStream } from './tcp-stream.ts';
export type { StreamSink } from './tcp-stream.ts';
export { DEFAULT_FLOW_LIMITS, Flow, FlowTable } from './flow-table.ts';
export type { FlowEndReason, FlowLimits } from './flow-table.ts';
export { CaptureSession } from './session.ts';
export type { FlowHandler } from './session.ts';
/** Builders of hand-made capture files and frames, for tests here and in other modules. */
export * as captureFixtures from './fixtures.ts';
