// S7comm TPKT/COTP/S7 PDUs from real captures (reference/corpus/pcap/s7comm; frame numbers as
// tshark shows them), except the PLC stop job, which follows the layout Snap7 sends.
import { hex } from '../../wire/index.ts';
import { fixturesFor, type ProtocolFixture } from '../fixture.ts';

const f = fixturesFor('s7comm');

export const fixtures: readonly ProtocolFixture[] = [
  f('COTP connection request', 'to-server', hex`0300 0016 | 11 e0 0000 000f 00 c0 01 0a c1 02 0100 c2 02 0102`, {
    source: 's7comm_reading_plc_status.pcap frame 8',
    expect: { 'cotp.type': 0xe, 'cotp.type_name': 'CR', 'cotp.src-tsap': '0100', 'cotp.dst-tsap': '0102', 'cotp.tpdu_size': 1024 },
  }),
  f('COTP connection confirm', 'to-client', hex`0300 0016 | 11 d0 000f 0003 00 c0 01 0a c1 02 0100 c2 02 0102`, {
    source: 's7comm_reading_plc_status.pcap frame 9',
    expect: { 'cotp.type_name': 'CC', 'cotp.destref': 0x000f, 'cotp.srcref': 3 },
  }),
  f('COTP DT without user data', 'to-server', hex`0300 0007 | 02 f0 00`, {
    source: 's7comm_reading_plc_status.pcap frame 12',
    expect: { 'cotp.type_name': 'DT', 'cotp.eot': false },
  }),
  f('setup communication job', 'to-server', hex`0300 0019 | 02 f0 80 | 32 01 0000 0200 0008 0000 | f0 00 0001 0001 01e0`, {
    source: 's7comm_reading_plc_status.pcap frame 10',
    expect: { 's7comm.header.rosctr': 1, 's7comm.param.func': 0xf0, 's7comm.param.pdu_length': 480 },
  }),
  f('setup communication ack-data', 'to-client', hex`0300 001b | 02 f0 80 | 32 03 0000 0200 0008 0000 0000 | f0 00 0001 0001 00f0`, {
    source: 's7comm_reading_plc_status.pcap frame 11',
    expect: { 's7comm.header.rosctr': 3, 's7comm.param.func': 0xf0, 's7comm.param.pdu_length': 240, 's7comm.header.errcls': 0 },
  }),
  f('read var job, one S7ANY item', 'to-server', hex`0300 001f | 02 f0 80 | 32 01 0000 0000 000e 0000 | 04 01 12 0a 10 02 0040 0001 84 000000`, {
    source: 's7comm_varservice_libnodavedemo_bench.pcap frame 8',
    expect: {
      's7comm.param.func': 4,
      's7comm.param.func_name': 'read-var',
      's7comm.param.itemcount': 1,
      's7comm.param.item.area': [0x84],
      's7comm.param.item.db': [1],
      's7comm.param.item.length': [64],
    },
  }),
  f(
    'read var ack-data, five items',
    'to-client',
    hex`0300 0075 | 02 f0 80 | 32 03 0000 07d5 0002 0060 0000 | 04 05
        ff 04 0030 000000000000
        ff 04 0030 0a1000020000
        ff 04 0030 010500000006
        ff 04 01b0 0000010500000006400ccccd000000000000000000000000000000000000000000000000000000000000000000000000000000000000
        ff 04 0020 00000105`,
    {
      source: 's7comm_varservice_libnodavedemo_bench.pcap frame 4078',
      expect: { 's7comm.param.func': 4, 's7comm.param.itemcount': 5, 's7comm.data.returncode': [255, 255, 255, 255, 255] },
    },
  ),
  f(
    'write var job',
    'to-server',
    hex`0300 0027 | 02 f0 80 | 32 01 0000 0002 000e 0008 | 05 01 12 0a 10 02 0004 0000 83 000000 | 00 04 0020 77100002`,
    {
      source: 's7comm_varservice_libnodavedemo_bench.pcap frame 13',
      expect: { 's7comm.param.func': 5, 's7comm.param.item.area': [0x83], 's7comm.data.transportsize': [4] },
    },
  ),
  f('write var ack-data', 'to-client', hex`0300 0016 | 02 f0 80 | 32 03 0000 0002 0002 0001 0000 | 05 01 | ff`, {
    source: 's7comm_varservice_libnodavedemo_bench.pcap frame 14',
    expect: { 's7comm.param.func': 5, 's7comm.data.returncode': [255] },
  }),
  f('read SZL 0x0011 request', 'to-server', hex`0300 0021 | 02 f0 80 | 32 07 0000 1100 0008 0008 | 000112 04 11 44 01 00 | ff 09 0004 0011 0000`, {
    source: 's7comm_reading_plc_status.pcap frame 58',
    expect: {
      's7comm.header.rosctr': 7,
      's7comm.param.userdata.funcgroup': 4,
      's7comm.param.userdata.subfunc': 1,
      's7comm.param.userdata.subfunc_name': 'read-szl',
      's7comm.data.userdata.szl_id': 0x0011,
    },
  }),
  f(
    'read SZL 0x0011 response (module identification)',
    'to-client',
    hex`0300 0099 | 02 f0 80 | 32 07 0000 1100 000c 007c | 000112 08 12 84 01 02 00 00 0000 | ff 09 0078
        0011 0000 001c 0004
        0001 36455337203135312d38414230312d3041423020 00c0 0003 0001   # "6ES7 151-8AB01-0AB0 "
        0006 36455337203135312d38414230312d3041423020 00c0 0003 0001
        0007 2020202020202020202020202020202020202020 00c0 5603 0206   # firmware V3.2.6
        0081 426f6f74204c6f61646572202020202020202020 0000 4120 0909   # "Boot Loader"`,
    {
      source: 's7comm_reading_plc_status.pcap frame 59',
      expect: { 's7comm.param.userdata.type': 8, 's7comm.data.userdata.szl_id': 0x0011, 's7comm.data.userdata.szl_index': 0 },
    },
  ),
  f(
    'read SZL 0x001C response, first of two PDUs',
    'to-client',
    hex`0300 00f7 | 02 f0 80 | 32 07 0000 0900 000c 00da | 000112 08 12 84 01 03 d7 01 0000 | ff 09 00d6
        001c 0000 0022 000a
        0001 53373330302f45543230304d2073746174696f6e5f3100000000000000000000
        0002 504c435f31000000000000000000000000000000000000000000000000000000
        0003 0000000000000000000000000000000000000000000000000000000000000000
        0004 4f726967696e616c205369656d656e732045717569706d656e74000000000000
        0005 5320432d42315533393331343230313100000000000000000000000000000000
        0007 435055203331352d3220504e2f44500000000000000000000000000000000000
        0008`,
    {
      source: 'tia_s300_goOnline.pcapng frame 16',
      expect: { 's7comm.data.userdata.szl_id': 0x001c, 's7comm.param.userdata.lastdataunit': 1 },
    },
  ),
  f(
    'read SZL 0x001C response, second PDU',
    'to-client',
    hex`0300 00a7 | 02 f0 80 | 32 07 0000 0a00 000c 008a | 000112 08 12 84 01 03 d7 00 0000 | ff 09 0086
        4d4d4320344131414330313900000000000000000000000000000000000000000009002af60000010000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000000000000000000000000000000000000b0000000000000000000000000000000000000000000000000000000000000000`,
    { source: 'tia_s300_goOnline.pcapng frame 18', expect: { 's7comm.param.userdata.lastdataunit': 0 } },
  ),
  f('list blocks request', 'to-server', hex`0300 001d | 02 f0 80 | 32 07 0000 2d00 0008 0004 | 000112 04 11 43 01 00 | 0a 00 0000`, {
    source: 'tia_s300_goOnline.pcapng frame 87',
    expect: { 's7comm.param.userdata.funcgroup': 3, 's7comm.param.userdata.subfunc_name': 'list-blocks', 's7comm.data.returncode': 10 },
  }),
  f('PLC password', 'to-server', hex`0300 0025 | 02 f0 80 | 32 07 0000 0600 0008 000c | 000112 04 11 45 01 00 | ff 09 0008 213a1b1d6e681b1d`, {
    source: 'step7_s300_AuthPassword.pcapng frame 3',
    expect: { 's7comm.param.userdata.funcgroup': 5, 's7comm.param.userdata.subfunc_name': 'plc-password' },
  }),
  f(
    'PLC stop job',
    'to-server',
    hex`0300 0021 | 02 f0 80 | 32 01 0000 0e00 0010 0000 | 29 0000000000 09 505f50524f4752414d   # "P_PROGRAM"`,
    {
      source: 'Snap7 s7_client.cpp Cli_PlcStop telegram layout',
      expect: { 's7comm.param.func': 0x29, 's7comm.param.func_name': 'plc-stop', 's7comm.param.pi_service': 'P_PROGRAM' },
    },
  ),
  f(
    'PI service job: hot start',
    'to-server',
    hex`0300 0025 | 02 f0 80 | 32 01 0000 0c00 0014 0000 | 28 000000000000 fd 0000 09 505f50524f4752414d   # "P_PROGRAM"`,
    {
      source: 'Snap7 s7_client.cpp Cli_PlcHotStart telegram layout',
      expect: { 's7comm.param.func': 0x28, 's7comm.param.func_name': 'pi-service', 's7comm.param.pi_service': 'P_PROGRAM' },
    },
  ),
  f('COTP disconnect request', 'to-server', hex`0300 000b | 06 80 0003 000f 00`, {
    source: 'ISO 8073 §13.5 (reason 0: not specified)',
    expect: { 'cotp.type_name': 'DR', 'cotp.destref': 3, 'cotp.srcref': 0x000f },
  }),
  f(
    'start upload job',
    'to-server',
    hex`0300 0023 | 02 f0 80 | 32 01 0000 0f00 0012 0000 | 1d 00 0000 00000000 09 5f3038303030303141`,
    {
      source: 'Wireshark packet-s7comm.c start-upload parameter layout (filename _0800001A = OB 1)',
      expect: { 's7comm.param.func': 0x1d, 's7comm.blockinfo.blocktype': 'OB', 's7comm.blockinfo.block_num': 1 },
    },
  ),
  f('TPKT length below 7 is refused', 'to-server', hex`0300 0003 02 f0 80`, { outcome: 'not-mine' }),
  f('S7comm-plus is not S7comm', 'to-server', hex`0300 0019 02 f0 80 72 01 0010 3100 0000 0000 0000 0000 0000 0000`, { outcome: 'not-mine' }),
];
