// Modbus/TCP ADUs from real captures (reference/corpus/pcap/modbus, frame numbers as tshark
// shows them) and from the examples of Modbus Application Protocol Specification v1.1b3 §6.
import { hex } from '../../wire/index.ts';
import { fixturesFor, type ProtocolFixture } from '../fixture.ts';

const f = fixturesFor('modbus');

export const fixtures: readonly ProtocolFixture[] = [
  f('read input registers request', 'to-server', hex`d20a 0000 0006 02 | 04 0000 0008`, {
    source: 'modbus_test.pcap frame 4',
    expect: { 'mbtcp.unit_id': 2, 'modbus.func_code': 4, 'modbus.reference_num': 0, 'modbus.word_cnt': 8 },
  }),
  f('read input registers response', 'to-client', hex`419f 0000 0007 03 | 04 04 0400 0057`, {
    source: 'modbus_test.pcap frame 1 (first ADU)',
    expect: { 'mbtcp.unit_id': 3, 'modbus.func_code': 4, 'modbus.regval_uint16': [0x0400, 0x0057] },
  }),
  f('write single register request', 'to-server', hex`01f5 0000 0006 07 | 06 0004 09c4`, {
    source: 'modbus_test.pcap frame 2',
    expect: { 'modbus.func_code': 6, 'modbus.reference_num': 4, 'modbus.regval_uint16': 2500 },
  }),
  f('read coils request', 'to-server', hex`0591 0000 0006 ff | 01 0000 000a`, {
    source: 'ModbusTCP.pcap frame 34',
    expect: { 'mbtcp.unit_id': 255, 'modbus.func_code': 1, 'modbus.bit_cnt': 10 },
  }),
  f('read coils response', 'to-client', hex`0591 0000 0005 ff | 01 02 0100`, {
    source: 'ModbusTCP.pcap frame 46',
    expect: { 'modbus.func_code': 1, 'modbus.byte_cnt': 2 },
  }),
  f('read discrete inputs response', 'to-client', hex`0000 0000 0007 ff | 02 04 bd4f6739`, {
    source: 'ModbusTCP.pcap frame 5 (second ADU)',
    expect: { 'modbus.func_code': 2, 'modbus.byte_cnt': 4 },
  }),
  f('write multiple coils request', 'to-server', hex`485a 0000 0008 ff | 0f 0007 0003 01 00`, {
    source: 'ModbusTCP.pcap frame 28',
    expect: { 'modbus.func_code': 15, 'modbus.reference_num': 7, 'modbus.bit_cnt': 3, 'modbus.byte_cnt': 1 },
  }),
  f('write multiple coils response', 'to-client', hex`485a 0000 0006 ff | 0f 0007 0003`, {
    source: 'ModbusTCP.pcap frame 32',
    expect: { 'modbus.func_code': 15, 'modbus.reference_num': 7, 'modbus.bit_cnt': 3 },
  }),
  f('write multiple registers request', 'to-server', hex`0001 0000 000b 11 | 10 0001 0002 04 000a 0102`, {
    source: 'Application Protocol §6.12 example (registers 2–3 ← 0x000A, 0x0102)',
    expect: { 'modbus.func_code': 16, 'modbus.word_cnt': 2, 'modbus.regval_uint16': [10, 258] },
  }),
  f('read exception status response', 'to-client', hex`0000 0000 0003 01 | 07 15`, {
    source: 'modbus_test_data_part2.pcap frame 27',
  }),
  f('diagnostics return query data', 'to-server', hex`0000 0000 0006 01 | 08 0000 0000`, {
    source: 'modbus_test_data_part2.pcap frame 28',
    expect: { 'modbus.func_code': 8, 'modbus.diagnostic_code': 0 },
  }),
  f('get comm event counter response', 'to-client', hex`0000 0000 0006 11 | 0b ffff 0108`, {
    source: 'Application Protocol §6.9 example',
    expect: { 'modbus.func_code': 11 },
  }),
  f('get comm event log response', 'to-client', hex`0000 0000 000b 11 | 0c 08 0000 0108 0121 2000`, {
    source: 'Application Protocol §6.10 example',
    expect: { 'modbus.func_code': 12 },
  }),
  f('mask write register request', 'to-server', hex`0000 0000 0008 11 | 16 0004 00f2 0025`, {
    source: 'Application Protocol §6.16 example',
    expect: { 'modbus.func_code': 22, 'modbus.and_mask': 0xf2, 'modbus.or_mask': 0x25 },
  }),
  f('read/write multiple registers request', 'to-server', hex`0000 0000 0011 11 | 17 0003 0006 000e 0003 06 00ff 00ff 00ff`, {
    source: 'Application Protocol §6.17 example',
    expect: { 'modbus.func_code': 23, 'modbus.read_word_cnt': 6, 'modbus.write_reference_num': 14 },
  }),
  f('read fifo queue response', 'to-client', hex`0000 0000 000a 11 | 18 0006 0002 01b8 1284`, {
    source: 'Application Protocol §6.18 example',
    expect: { 'modbus.func_code': 24, 'modbus.fifo_count': 2 },
  }),
  f('read file record request', 'to-server', hex`0000 0000 0011 11 | 14 0e 06 0004 0001 0002 06 0003 0009 0002`, {
    source: 'Application Protocol §6.14 example',
    expect: { 'modbus.func_code': 20, 'modbus.byte_cnt': 14 },
  }),
  f('report server id response', 'to-client', hex`0000 0000 000e 01 | 11 0b 01 5343484e4549444552 ff`, {
    source: 'Application Protocol §6.13 layout (server id, run indicator ON)',
    expect: { 'modbus.func_code': 17 },
  }),
  f('read device identification basic request', 'to-server', hex`0000 0000 0005 ff | 2b 0e 01 00`, {
    source: 'Application Protocol §6.21 example',
    expect: { 'modbus.func_code': 43, 'modbus.mei': 14, 'modbus.read_device_id': 1, 'modbus.object_id': 0 },
  }),
  f(
    'read device identification basic response',
    'to-client',
    hex`0000 0000 0038 ff | 2b 0e 01 01 00 00 03
        00 16 436f6d70616e79206964656e74696669636174696f6e   # "Company identification"
        01 0f 50726f6475637420636f6465205858                   # "Product code XX"
        02 05 56322e3131                                       # "V2.11"`,
    {
      source: 'Application Protocol §6.21 example',
      expect: { 'modbus.num_objects': 3, 'modbus.object_id': [0, 1, 2], 'modbus.more_follows': 0 },
    },
  ),
  f(
    'read device identification regular response with more follows',
    'to-client',
    hex`0000 0000 0029 ff | 2b 0e 02 02 ff 05 02
        03 11 687474703a2f2f7777772e73652e636f6d   # VendorUrl "http://www.se.com"
        04 0c 424d58205033342032303230             # ProductName "BMX P34 2020"`,
    { source: 'Application Protocol §6.21 layout', expect: { 'modbus.more_follows': 255, 'modbus.next_object_id': 5 } },
  ),
  f('exception response illegal data value', 'to-client', hex`0000 0000 0003 01 | 83 03`, {
    source: 'modbus_test_data_part2.pcap frame 17',
    expect: { 'modbus.func_code': 3, 'modbus.exception_code': 3 },
  }),
  f('read holding registers with quantity 0', 'to-server', hex`0000 0000 0006 01 | 03 0000 0000`, {
    source: 'modbus_test_data_part2.pcap frame 16',
    anomalies: ['quantity-out-of-range'],
  }),
  f('function code 0', 'to-server', hex`0000 0000 0006 01 | 00 0000 0000`, {
    source: 'modbus_test_data_part2.pcap frame 6',
    anomalies: ['invalid-function-code'],
    expect: { 'modbus.func_code': 0, 'modbus.func_name': 'unknown' },
  }),
  f('UMAS request', 'to-server', hex`0000 0000 0004 00 | 5a 0002`, {
    source: 'modicon_test.pcap frame 4',
    expect: { 'modbus.func_code': 90, 'modbus.func_name': 'umas', 'modbus.data': '0002', 'modbus.umas.func_name': 'read-id' },
  }),
  f(
    'UMAS read-id response',
    'to-client',
    hex`0000 0000 0032 00 | 5a 00 fe 10ff5a01010000007002000027000900080000000000
        0e 3134302043505520333131203130   # "140 CPU 311 10"
        010101000000001100`,
    { source: 'modicon_test.pcap frame 6', expect: { 'modbus.func_code': 90, 'modbus.umas.status': 0xfe } },
  ),
  f('write single register request with a short PDU', 'to-server', hex`0000 0000 0004 01 | 06 0000`, {
    anomalies: ['pdu-length-mismatch'],
  }),
  f(
    'UMAS transfer with a length of 255',
    'to-server',
    hex`0007 0000 00ff 00 | 5a 000a00000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c
        2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c
        5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c
        8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbc
        bdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebec
        edeeeff0f1f2f3f4f5f6f7f8f9`,
    { source: 'modicon_test.pcap frame 19', anomalies: ['length-exceeds-spec'] },
  ),
  f('length field beyond 512 is refused', 'to-server', hex`0000 0000 ffff 01 03 0000 0001`, { outcome: 'not-mine' }),
  f('protocol id other than 0 is refused', 'to-server', hex`0000 0001 0006 01 03 0000 0001`, { outcome: 'not-mine' }),
];
