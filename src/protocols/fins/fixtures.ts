// Omron FINS frames from real captures (reference/corpus/pcap/fins, frame numbers as tshark shows
// them) and from the FINS/TCP handshake of W342 §7-4-3.
import { hex } from '../../wire/index.ts';
import { fixturesFor, type ProtocolFixture } from '../fixture.ts';

const f = fixturesFor('fins');

export const fixtures: readonly ProtocolFixture[] = [
  f('UDP controller data read command', 'to-server', hex`80 00 02 00 00 00 00 63 00 ef | 0501 | 00`, {
    source: 'omron_test.pcap frame 17',
    transport: 'udp',
    framing: 'datagram',
    expect: { 'omron.icf': 0x80, 'omron.command': 0x0501, 'omron.command_name': 'controller-data-read', 'omron.sid': 0xef },
  }),
  f(
    'UDP controller data read response',
    'to-client',
    hex`c0 00 02 00 63 00 00 c8 00 ef | 0501 | 0000
        4350314c2d454c323044522d4400000020202020   # model "CP1L-EL20DR-D"
        30312e3030000000000030312e30360000000000   # version "01.00"
        0000000000000000000000000000000000000000 0000000000000000000000000000000000000000
        01000000000000000000000000000000000000000100 03000a172a1008000000000000`,
    {
      source: 'omron_test.pcap frame 18 (its last 4 octets were cut by the snaplen)',
      transport: 'udp',
      framing: 'datagram',
      expect: { 'omron.response.code': 0, 'omron.controller.model': 'CP1L-EL20DR-D', 'omron.controller.version': '01.00' },
    },
  ),
  f('UDP memory area read of DM 100, 10 words', 'to-server', hex`80 00 02 00 01 00 00 0a 00 01 | 0101 | 82 0064 00 000a`, {
    source: 'W227 §5-3-2 memory area read layout',
    transport: 'udp',
    framing: 'datagram',
    expect: { 'omron.command': 0x0101, 'omron.memory.area.read': 0x82, 'omron.memory.address': 100, 'omron.memory.numitems': 10 },
  }),
  f('FINS/TCP node address request', 'to-server', hex`46494e53 0000000c 00000000 00000000 | 00000000`, {
    transport: 'tcp',
    source: 'W342 §7-4-3 (client node 0: the server assigns one)',
    expect: { 'omron.tcp.command': 0, 'omron.tcp.client_node_address': 0 },
  }),
  f('FINS/TCP node address response', 'to-client', hex`46494e53 00000010 00000001 00000000 | 000000ef 00000001`, {
    transport: 'tcp',
    source: 'W342 §7-4-3',
    expect: { 'omron.tcp.command': 1, 'omron.tcp.client_node_address': 0xef, 'omron.tcp.server_node_address': 1 },
  }),
  f('FINS/TCP run command', 'to-server', hex`46494e53 00000017 00000002 00000000 | 80 00 02 00 00 00 00 00 00 7a | 0401 | 0000 01`, {
    transport: 'tcp',
    source: 'omron_fins_tcp_commands_responses.pcap frame 4',
    expect: { 'omron.tcp.command': 2, 'omron.command': 0x0401, 'omron.command_name': 'run', 'omron.mode_code': 1 },
  }),
  f('FINS/TCP stop response', 'to-client', hex`46494e53 00000016 00000002 00000000 | c1 00 02 00 00 00 00 00 00 7a | 0402 | 0000`, {
    transport: 'tcp',
    source: 'omron_fins_tcp_commands_responses.pcap frame 7',
    expect: { 'omron.command': 0x0402, 'omron.response.code': 0, 'omron.icf': 0xc1 },
  }),
  f(
    'FINS/TCP clock read response',
    'to-client',
    hex`46494e53 0000001d 00000002 00000000 | c1 00 02 00 00 00 00 00 00 7a | 0701 | 0000 | 09 01 20 01 02 01 03`,
    { source: 'omron_fins_tcp_commands_responses.pcap frame 17', transport: 'tcp', expect: { 'omron.command': 0x0701 } },
  ),
  f('FINS/TCP length beyond a FINS frame is refused', 'to-server', hex`46494e53 7fffffff 00000002 00000000`, { outcome: 'not-mine' }),
  f('UDP header with reserved ICF bits is refused', 'to-server', hex`9e 00 02 00 00 00 00 63 00 ef 0501 00`, { outcome: 'not-mine', transport: 'udp' }),
];
