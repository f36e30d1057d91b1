// IEC 60870-5-104 APDUs from real captures (reference/corpus/pcap/iec104/, frame numbers as
// tshark shows them) and from the standard's U-format table (§5.3).
import { hex } from '../../wire/index.ts';
import { fixture, type ProtocolFixture } from '../fixture.ts';

const diverse = 'reference/corpus/pcap/iec104/090813_diverse.pcap';
const javaRmi = 'reference/corpus/pcap/iec104/JavaRMI_and_IEC_Misc.pcap';
const dissect = 'reference/corpus/pcap/iec104/TestDissectIec104.pcap';

export const fixtures: ProtocolFixture[] = [
  fixture('iec104', 'STARTDT act', 'to-server', hex`68 04 07 00 00 00`, {
    source: 'IEC 60870-5-104 §5.3 (U format, STARTDT act = 0x07)',
    expect: { 'iec60870_104.type': 3, 'iec60870_104.utype': 1 },
  }),
  fixture('iec104', 'STARTDT con', 'to-client', hex`68 04 0b 00 00 00`, {
    source: 'IEC 60870-5-104 §5.3',
    expect: { 'iec60870_104.type': 3, 'iec60870_104.utype': 2 },
  }),
  fixture('iec104', 'TESTFR act', 'to-client', hex`68 04 43 00 00 00`, {
    source: `${diverse} frame 3`,
    expect: { 'iec60870_104.type': 3, 'iec60870_104.utype': 16 },
  }),
  fixture('iec104', 'TESTFR con', 'to-server', hex`68 04 83 00 00 00`, {
    source: `${diverse} frame 5`,
    expect: { 'iec60870_104.type': 3, 'iec60870_104.utype': 32 },
  }),
  fixture('iec104', 'S format, N(R)=78', 'to-server', hex`68 04 01 00 9c 00`, {
    source: `${diverse} frame 7`,
    expect: { 'iec60870_104.type': 1, 'iec60870_104.rx': 78 },
  }),
  fixture('iec104', 'M_ME_NC_1 two short floats, periodic', 'to-client',
    hex`68 1a 9a00 2800  0d 02 01 00 0300  140500 0000f041 00  150500 00003144 00`, {
    source: `${diverse} frame 1`,
    expect: {
      'iec60870_104.type': 0, 'iec60870_104.tx': 77, 'iec60870_104.rx': 20,
      'iec60870_asdu.typeid': 13, 'iec60870_asdu.causetx': 1, 'iec60870_asdu.addr': 3,
      'iec60870_asdu.ioa': [1300, 1301],
    },
  }),
  fixture('iec104', 'C_SC_TA_1 single command with CP56Time2a, activation', 'to-server',
    hex`68 15 2800 9c00  3a 01 06 00 0300  951100 81  0800 17 13 0d 08 6d`, {
    source: `${diverse} frame 9`,
    expect: { 'iec60870_asdu.typeid': 58, 'iec60870_asdu.causetx': 6, 'iec60870_asdu.ioa': [4501] },
  }),
  fixture('iec104', 'C_SC_NA_1 single command, activation', 'to-server', hex`68 0e 2c00 a200  2d 01 06 00 0300  941100 81`, {
    source: `${diverse} frame 25`,
    expect: { 'iec60870_asdu.typeid': 45, 'iec60870_asdu.causetx': 6 },
  }),
  fixture('iec104', 'C_DC_NA_1 double command', 'to-server', hex`68 0e 3e00 ca00  2e 01 06 00 0300  f81100 06`, {
    source: `${diverse} frame 91`,
    expect: { 'iec60870_asdu.typeid': 46 },
  }),
  fixture('iec104', 'C_SE_NC_1 float set-point', 'to-server', hex`68 12 3400 b000  32 01 06 00 0300  9c1300 00004041 80`, {
    source: `${diverse} frame 51`,
    expect: { 'iec60870_asdu.typeid': 50 },
  }),
  fixture('iec104', 'C_SE_TC_1 float set-point with time', 'to-server',
    hex`68 19 3000 aa00  3f 01 06 00 0300  9d1300 0000f642 80  0800 18 13 0d 08 6d`, {
    source: `${diverse} frame 39`,
    expect: { 'iec60870_asdu.typeid': 63 },
  }),
  fixture('iec104', 'C_SE_TA_1 normalized set-point with time', 'to-server',
    hex`68 17 4a00 f600  3d 01 06 00 0300  d51200 7440 80  c800 1a 13 0d 08 6d`, {
    source: `${diverse} frame 154`,
    expect: { 'iec60870_asdu.typeid': 61 },
  }),
  fixture('iec104', 'C_IC_NA_1 station interrogation', 'to-server', hex`68 0e 3c00 bc00  64 01 06 00 0300  000000 14`, {
    source: `${diverse} frame 73`,
    expect: { 'iec60870_asdu.typeid': 100, 'iec60870_asdu.causetx': 6, 'iec60870_asdu.ioa': [0] },
  }),
  fixture('iec104', 'M_SP_NA_1 interrogated by station', 'to-client', hex`68 12 be00 3e00  01 02 14 00 0300  010000 01  020000 00`, {
    source: `${diverse} frame 77`,
    expect: { 'iec60870_asdu.typeid': 1, 'iec60870_asdu.causetx': 20, 'iec60870_asdu.ioa': [1, 2] },
  }),
  fixture('iec104', 'M_SP_TB_1 spontaneous with CP56Time2a', 'to-client',
    hex`68 15 c800 3e00  1e 01 03 00 0300  020000 01  aac2 29 10 8d 08 09`, {
    source: `${diverse} frame 89`,
    expect: { 'iec60870_asdu.typeid': 30, 'iec60870_asdu.causetx': 3 },
  }),
  fixture('iec104', 'M_EI_NA_1 end of initialization', 'to-client', hex`68 0e 0000 0200  46 01 04 00 0d91  000000 01`, {
    source: `${javaRmi} frame 12`,
    expect: { 'iec60870_asdu.typeid': 70, 'iec60870_asdu.addr': 37133 },
  }),
  fixture('iec104', 'M_SP_NA_1 sequence of ten (SQ=1)', 'to-client',
    hex`68 17 0400 0200  01 8a 14 01 0d91  1a2700  00 80 00 00 00 00 00 00 00 00`, {
    source: `${javaRmi} frame 17`,
    expect: { 'iec60870_asdu.sq': true, 'iec60870_asdu.numix': 10, 'iec60870_asdu.oa': 1 },
  }),
  fixture('iec104', 'M_DP_NA_1 double point', 'to-client', hex`68 0e 0600 0200  03 01 14 01 0d91  983a00 01`, {
    source: `${javaRmi} frame 19`,
    expect: { 'iec60870_asdu.typeid': 3 },
  }),
  fixture('iec104', 'M_ME_NB_1 scaled values, SQ=1', 'to-client', hex`68 10 0a00 0200  0b 81 03 00 0d91  3f9c00 0200 00`, {
    source: `${javaRmi} frame 24`,
    expect: { 'iec60870_asdu.typeid': 11, 'iec60870_asdu.ioa': [39999] },
  }),
  fixture('iec104', 'C_CS_NA_1 clock synchronization', 'to-server',
    hex`68 14 0c00 1600  67 01 06 04 0d91  000000  c832 39 08 1d 08 08`, {
    source: `${dissect} frame 139`,
    expect: { 'iec60870_asdu.typeid': 103, 'iec60870_asdu.oa': 4 },
  }),
  fixture('iec104', 'U format with two function bits', 'to-server', hex`68 04 0f 00 00 00`, {
    source: 'IEC 60870-5-104 §5.3: exactly one U function is active at a time',
    anomalies: ['u-format-invalid-function'],
    outcome: 'not-mine',
  }),
  fixture('iec104', 'length octet below 4: a malformed APDU of 2 + length octets', 'to-server', hex`68 02 14 14`, {
    source: "TestDissectIec104.pcap frame 18 after its prefix; IEC 60870-5-104 §5: the APDU length is 4..253; tshark counts it malformed",
    anomalies: ['apdu-length-below-minimum'],
    expect: { 'iec60870_104.apdulen': 2 },
  }),
  fixture('iec104', 'garbage before the start octet is skipped', 'to-server', hex`0808080808080808 68 06 18 18 18 18 18 18`, {
    source: 'TestDissectIec104.pcap frame 41 (the APDU ends inside the ASDU header: type id only, no cause)',
    anomalies: ['junk-before-start', 'asdu-truncated'],
    expect: { 'iec60870_104.type': 0, 'iec60870_asdu.typeid': 24, 'iec60870_asdu.numix': 24 },
    reencode: 'fields',
    notMineBelow: 9,
  }),
];
