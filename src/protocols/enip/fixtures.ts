// EtherNet/IP encapsulation packets from real captures (reference/corpus/pcap/enip, frame
// numbers as tshark shows them) and from the layouts of CIP Networks Library Vol 2 §2-4.
import { hex } from '../../wire/index.ts';
import { fixturesFor, type ProtocolFixture } from '../fixture.ts';

const f = fixturesFor('enip');

export const fixtures: readonly ProtocolFixture[] = [
  f('ListIdentity request', 'to-server', hex`6300 0000 00000000 00000000 c1debed100000000 00000000`, {
    source: 'enip_test.pcap frame 6 (snaplen cut the options field; it is zero per Vol 2 §2-3.6)',
    expect: { 'enip.command': 0x63, 'enip.command_name': 'list-identity', 'enip.context': 'c1debed100000000' },
  }),
  f(
    'ListIdentity response',
    'to-client',
    hex`6300 3300 00000000 00000000 c1debed100000000 00000000
        0100 | 0c00 2d00 | 0100 | 0002 af12 0a0101a4 0000000000000000
        0100 0c00 3a00 04 03 3000 8e4d5200 0b 313735362d454e42542f41 03   # vendor 1, "1756-ENBT/A", rev 4.3`,
    {
      source: 'enip_test.pcap frame 7',
      expect: {
        'enip.cpf.typeid': [0x0c],
        'enip.lir.vendor': 1,
        'enip.lir.devtype': 12,
        'enip.lir.prodcode': 58,
        'enip.lir.revision': '4.3',
        'enip.lir.serial': 0x00524d8e,
        'enip.lir.name': '1756-ENBT/A',
        'enip.lir.state': 3,
      },
    },
  ),
  f('ListServices request', 'to-server', hex`0400 0000 00000000 00000000 0000000000000000 00000000`, {
    source: 'Vol 2 §2-4.6',
    expect: { 'enip.command_name': 'list-services' },
  }),
  f(
    'ListServices response',
    'to-client',
    hex`0400 1a00 00000000 00000000 0000000000000000 00000000 0100 | 0001 1400 0100 2001 436f6d6d756e69636174696f6e730000`,
    { source: 'Vol 2 §2-4.6.3 (version 1, TCP and UDP class 0/1 capable, "Communications")', expect: { 'enip.lsr.servicename': 'Communications' } },
  ),
  f('RegisterSession request', 'to-server', hex`6500 0400 00000000 00000000 0000000000000000 00000000 0100 0000`, {
    source: 'Vol 2 §2-4.4',
    expect: { 'enip.command': 0x65, 'enip.rs.version': 1 },
  }),
  f('RegisterSession response', 'to-client', hex`6500 0400 00000102 00000000 0000000000000000 00000000 0100 0000`, {
    source: 'Vol 2 §2-4.4 with the session handle of EIP-SoftwareUpload.pcap',
    expect: { 'enip.session': 0x02010000 },
  }),
  f(
    'SendRRData unconnected send of get-attributes-all to the identity object',
    'to-server',
    hex`6f00 2400 00000102 00000000 22a902002008e100 00000000 | 00000000 0200 | 0200
        0000 0000 | b200 1400 | 52 02 2006 2401 | 07 f9 0600 | 01 02 2001 2401 | 0100 0100`,
    {
      source: 'EIP-SoftwareUpload.pcap frame 10',
      expect: {
        'enip.command': 0x6f,
        'cip.service': [0x52, 0x01],
        'cip.sc': [0x52, 0x01],
        'cip.service_name': ['unconnected-send', 'get-attributes-all'],
        'cip.class': [6, 1],
        'cip.instance': [1, 1],
      },
    },
  ),
  f(
    'SendRRData get-attributes-all reply',
    'to-client',
    hex`6f00 3700 00000102 00000000 22a902002008e100 00000000 | 00000000 0200 | 0200 0000 0000 | b200 2700
        81 00 00 00 | 0100 0e00 3600 1014 6030 3f82 51001431 373536 2d4c36312f42204c4f47495835353631`,
    { source: 'EIP-SoftwareUpload.pcap frame 12', expect: { 'cip.service': [0x81], 'cip.sc': [1], 'cip.genstat': [0] } },
  ),
  f(
    'SendRRData forward open',
    'to-server',
    hex`6f00 4000 00000102 00000000 35a902002008e100 00000000 | 00000000 0200 | 0200 0000 0000 | b200 3000
        54 02 2006 2401 | 07f9 19000080 1800fe80 1900 4d00 f32b9532 00000000 00127a00 f443 00127a00 f443 a3 03 0100 2002 2401`,
    {
      source: 'EIP-SoftwareUpload.pcap frame 23',
      expect: { 'cip.sc': [0x54], 'cip.service_name': ['forward-open'], 'cip.class_name': ['connection-manager'] },
    },
  ),
  f(
    'SendUnitData get-attribute-list over a connection',
    'to-server',
    hex`7000 2200 00000102 00000000 0000000000000000 00000000 | 00000000 0000 | 0200
        a100 0400 010d7900 | b100 0e00 | 0100 | 03 02 2069 2401 | 0200 0a00 0c00`,
    { source: 'EIP-SoftwareUpload.pcap frame 25', expect: { 'enip.command': 0x70, 'cip.sc': [3], 'cip.class': [0x69] } },
  ),
  f(
    'SendUnitData multiple service packet',
    'to-server',
    hex`7000 5c00 00000102 00000000 0000000000000000 00000000 | 00000000 0000 | 0200 a100 0400 010f7900 | b100 4800 | 2000
        0a 02 2002 2401 | 0500 0c00 1600 2200 2c00 3600
        03 02 208e 2401 | 0100 0800
        03 02 2064 2401 | 0200 0100 0200
        03 02 2001 2401 | 0100 0500
        03 02 2069 2400 | 0100 0b00
        03 02 2069 2401 | 0100 0a00`,
    {
      source: 'EIP-SoftwareUpload.pcap frame 108',
      expect: { 'cip.service': [0x0a, 3, 3, 3, 3, 3], 'cip.sc': [0x0a, 3, 3, 3, 3, 3], 'cip.class': [2, 0x8e, 0x64, 1, 0x69, 0x69] },
    },
  ),
  f(
    'SendUnitData set-attribute-single',
    'to-server',
    hex`7000 1c00 f4ffcab4 00000000 5f7079636f6d6d5f 00000000 | 00000000 0a00 | 0200 a100 0400 ba629ada | b100 0800 | 0d00 | 10 02 2001 2400`,
    { source: 'set_attribute_single_service_cip.pcapng frame 1', expect: { 'cip.sc': [0x10], 'cip.service_name': ['set-attribute-single'] } },
  ),
  f('SendRRData with a CPF item longer than the packet', 'to-server', hex`6f00 0c00 00000000 00000000 0000000000000000 00000000 00000000 0000 0100 b200 ff00`, {
    anomalies: ['malformed-command-data'],
  }),
  f('unknown encapsulation command is refused', 'to-server', hex`6000 0000 00000000 00000000 0000000000000000 00000000`, { outcome: 'not-mine' }),
];
