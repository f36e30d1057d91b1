// DNP3 link frames from real captures (reference/corpus/pcap/dnp3/, tshark frame numbers); the
// CRCs in them are the devices' own, so a wrong CRC-16/DNP here would fail the re-encode check.
import { hex } from '../../wire/index.ts';
import { fixture, type ProtocolFixture } from '../fixture.ts';

const linkOnly = 'reference/corpus/pcap/dnp3/dnp3_link_only.pcap';
const part1 = 'reference/corpus/pcap/dnp3/dnp3_test_data_part1.pcap';
const fileRead = 'reference/corpus/pcap/dnp3/dnp3_file_read.pcap';
const auth = 'reference/corpus/pcap/dnp3/auth_change_session_keys.pcap';

export const fixtures: ProtocolFixture[] = [
  fixture('dnp3', 'REQUEST_LINK_STATUS (primary, no user data)', 'to-client', hex`0564 05 49 6400 0100 7e5f`, {
    source: `${linkOnly} frame 1`,
    expect: { 'dnp3.ctl.prifunc': 9, 'dnp3.dst': 100, 'dnp3.src': 1, 'dnp3.ctl.prm': true },
  }),
  fixture('dnp3', 'LINK_STATUS (secondary)', 'to-server', hex`0564 05 8b 0100 6400 a097`, {
    source: `${linkOnly} frame 2`,
    expect: { 'dnp3.ctl.secfunc': 11, 'dnp3.ctl.dir': true, 'dnp3.ctl.prm': false },
  }),
  fixture('dnp3', 'READ class 0 (g60v1, all objects)', 'to-server', hex`0564 0b c4 0100 6400 44ea  c4 c7 01 3c01 06 83f4`, {
    source: `${linkOnly} frame 7`,
    expect: { 'dnp3.ctl.prifunc': 4, 'dnp3.al.func': 1, 'dnp3.al.obj': [0x3c01], 'dnp3.tr.seq': 4 },
  }),
  fixture('dnp3', 'CONFIRM', 'to-server', hex`0564 08 c4 0400 0300 b4b8  c0 d7 00 7ace`, {
    source: `${part1} frame 6`,
    expect: { 'dnp3.al.func': 0, 'dnp3.al.seq': 7 },
  }),
  fixture('dnp3', 'UNSOLICITED_RESPONSE, null, IIN need-time', 'to-client', hex`0564 0a 44 0300 0400 7cae  e6 f7 82 1000 4fbd`, {
    source: `${part1} frame 4`,
    expect: { 'dnp3.al.func': 130, 'dnp3.al.iin': 0x1000, 'dnp3.al.uns': true, 'dnp3.al.obj': [] },
  }),
  fixture('dnp3', 'WRITE time and date (g50v1, qualifier 07)', 'to-server',
    hex`0564 12 c4 0400 0300 1e7c  c1 c1 02 3201 07 01 ebe45a87ff00 2801`, {
    source: `${part1} frame 7`,
    expect: { 'dnp3.al.func': 2, 'dnp3.al.obj': [0x3201] },
  }),
  fixture('dnp3', 'DISABLE_UNSOLICITED classes 1-3 (header-only request)', 'to-server',
    hex`0564 11 c4 0400 0300 4eef  c2 c2 15 3c0206 3c0306 3c0406 b1ec`, {
    source: `${part1} frame 11`,
    expect: { 'dnp3.al.func': 21, 'dnp3.al.obj': [0x3c02, 0x3c03, 0x3c04] },
  }),
  fixture('dnp3', 'UNSOLICITED_RESPONSE with CTO and indexed events (qualifier 0x28)', 'to-client',
    hex`0564 32 44 0300 0400 e3bd
        d1f882000033010701c75d7d87ff0002 379a
        0328050002000100000000010e030100 3658
        810e030200810e030000810107 4599`, {
    source: `${part1} frame 55`,
    expect: { 'dnp3.al.func': 130, 'dnp3.al.obj': [0x3301, 0x0203] },
  }),
  fixture('dnp3', 'OPEN_FILE (g70v3, size-prefixed, several CRC blocks)', 'to-server',
    hex`0564 32 c4 0400 0300 9c8d
        f7ce1946035b0124001a000a00000000 b3c5
        00000000000000000000000000010000 47e6
        0404002e2f746573742e786d6c ed8f`, {
    source: `${fileRead} frame 4`,
    expect: { 'dnp3.al.func': 25, 'dnp3.al.obj': [0x4603], 'dnp3.al.file_name': ['./test.xml'], 'dnp3.al.file.mode': [1] },
  }),
  fixture('dnp3', 'AUTHENTICATE_REQ session key status request (g120v4)', 'to-server',
    hex`0564 0e c4 0400 0300 6dd3  c0 c1 20 7804 07 01 0100 9e40`, {
    source: `${auth} frame 4`,
    expect: { 'dnp3.al.func': 32, 'dnp3.al.obj': [0x7804] },
  }),
  fixture('dnp3', 'CONFIRM with a corrupted block CRC', 'to-server', hex`0564 08 c4 0400 0300 b4b8  c0 d7 00 7acf`, {
    source: `${part1} frame 6, last CRC octet changed`,
    anomalies: ['crc-mismatch'],
    reencode: 'fields',
  }),
  fixture('dnp3', 'LEN below the 5-octet minimum: a malformed frame of LEN + 5 octets', 'to-server', hex`0564 02 c4 0a00 01`, {
    source:
      'DNP3-Malformed.pcap frame 1 (its first 7 octets); IEEE 1815-2012 §9.2.4.1.2: LEN counts CTRL, DEST and SRC at least; ' +
      "tshark's get_dnp3_message_len sizes it LEN + 5 and marks it malformed",
    anomalies: ['link-length-below-minimum'],
    expect: { 'dnp3.len': 2 },
  }),
];
