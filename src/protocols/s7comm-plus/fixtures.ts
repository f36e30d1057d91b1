// S7comm-plus TPDUs from reference/corpus/pcap/s7commplus (frame numbers as tshark shows them).
import { hex } from '../../wire/index.ts';
import { fixturesFor, type ProtocolFixture } from '../fixture.ts';

const f = fixturesFor('s7comm-plus');

export const fixtures: readonly ProtocolFixture[] = [
  f(
    'COTP connection request to SIMATIC-ROOT-ES',
    'to-server',
    hex`0300 0023 | 1e e0 0000 0011 00 c1 02 0600 c2 0f 53494d415449432d524f4f542d4553 c0 01 0a`,
    { source: 'S7-1200-Uploading-OB1-TIAV12.pcap frame 4', expect: { 'cotp.type_name': 'CR', 'cotp.dst-tsap': 'SIMATIC-ROOT-ES' } },
  ),
  f(
    'CreateObject request (V1)',
    'to-server',
    hex`0300 00dd | 02 f0 80 | 72 01 00ce
        31 0000 04ca 0000 0001 00000120 36
        0000011d00040000000000a1000000d3821f0000a3816900151453657276657253657373696f6e5f324443364432a3822100152c313a3a3a362e303a3a5443502f4950202d3e2041746865726f73204152383132312f4152383131332f2e2e2ea38228001500a38229001500a3822a00150f564f525445585f3231303332343931a3822b000401a3822c0012002dc6d2a3822d001500a1000000d3817f0000a38169001515537562736372697074696f6e436f6e7461696e6572a2a200000000
        72 01 0000`,
    {
      source: 'S7-1200-Uploading-OB1-TIAV12.pcap frame 6',
      expect: {
        's7comm-plus.header.protocolversion': 1,
        's7comm-plus.data.opcode': 0x31,
        's7comm-plus.data.function': 0x04ca,
        's7comm-plus.data.function_name': 'create-object',
        's7comm-plus.data.seqnum': 1,
        's7comm-plus.data.sessionid': 0x120,
      },
    },
  ),
  f(
    'CreateObject response with the PLC version string',
    'to-client',
    hex`0300 0089 | 02 f0 80 | 72 01 007a
        32 0000 04ca 0000 0001 36
        110287408707a100000120821f0000a38169001500a3823200170000013a823b00048200823c00048140823d00048480c040823e00048480c040823f00151b313b36455337203231342d31484533302d30584230203b56322e328240001505323b37393382410003000300a200000000
        72 01 0000`,
    {
      source: 'S7-1200-Uploading-OB1-TIAV12.pcap frame 8',
      expect: { 's7comm-plus.data.opcode_name': 'response', 's7comm-plus.data.function': 0x04ca, 's7comm-plus.data.transportflags': 0x36 },
    },
  ),
  f(
    'SetMultiVariables response (V2)',
    'to-client',
    hex`0300 001f | 02 f0 80 | 72 02 0010 | 32 0000 0542 0000 0002 34 00000000 0000 | 72 02 0000`,
    {
      source: 'S7-1200-Uploading-OB1-TIAV12.pcap frame 11',
      expect: { 's7comm-plus.header.protocolversion': 2, 's7comm-plus.data.function_name': 'set-multi-variables', 's7comm-plus.data.seqnum': 2 },
    },
  ),
  f('S7comm is not S7comm-plus', 'to-server', hex`0300 0019 02 f0 80 32 01 0000 0200 0008 0000 f0 00 0001 0001 01e0`, { outcome: 'not-mine' }),
];
