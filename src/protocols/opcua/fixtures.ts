// OPC UA Binary messages from real captures (reference/corpus/pcap/opcua/, tshark frame numbers):
// an open62541 client and server talking over an unsecured channel, and an ERR from a server.
import { hex } from '../../wire/index.ts';
import { fixture, type ProtocolFixture } from '../fixture.ts';

const gap = 'reference/corpus/pcap/opcua/opcua_with-gap_with-handshake.pcap';
const freeze = 'reference/corpus/pcap/opcua/opc-ua-ap-method-wireshark-freeze.pcap';
const mainloop = 'reference/corpus/pcap/opcua/open62541_client-server_mainloop.pcap';
const policyNone = '687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412f5365637572697479506f6c696379234e6f6e65';

export const fixtures: ProtocolFixture[] = [
  fixture('opcua', 'Hello opc.tcp://192.168.11.34:4840', 'to-server',
    hex`48454c46 3c000000  00000000 00000100 00000100 00000001 00010000  1c000000 6f70632e7463703a2f2f3139322e3136382e31312e33343a34383430`, {
    source: `${gap} frame 4`,
    expect: { 'opcua.transport.type': 'HEL', 'opcua.transport.endpoint': 'opc.tcp://192.168.11.34:4840', 'opcua.transport.rbs': 65536 },
  }),
  fixture('opcua', 'Acknowledge', 'to-client', hex`41434b46 1c000000  00000000 00000100 00000100 00000001 00010000`, {
    source: `${gap} frame 6`,
    expect: { 'opcua.transport.type': 'ACK', 'opcua.transport.mms': 16777216 },
  }),
  fixture('opcua', 'OpenSecureChannel request, SecurityPolicy#None', 'to-server',
    hex`4f504e46 85000000 00000000 2f000000 ${policyNone}
        ffffffffffffffff01000000010000000100be010000429d19f2b742d8010000000000000000ffffffff00000000000000000000000000000001000000010000000080ee3600`, {
    source: `${gap} frame 7`,
    expect: {
      'opcua.transport.type': 'OPN', 'opcua.servicenodeid.numeric': 446, 'opcua.MessageSecurityMode': 'None',
      'opcua.security.spu': 'http://opcfoundation.org/UA/SecurityPolicy#None',
    },
  }),
  fixture('opcua', 'OpenSecureChannel response, channel 13', 'to-client',
    hex`4f504e46 87000000 0d000000 2f000000 ${policyNone}
        ffffffffffffffffff030000010000000100c10106068c7ab742d801000000000000000000ffffffff000000000000000d00000001000000b4808b7ab742d80180ee3600ffffffff`, {
    source: `${gap} frame 8`,
    expect: { 'opcua.servicenodeid.numeric': 449, 'opcua.transport.scid': 13, 'opcua.security.seq': 1023 },
  }),
  fixture('opcua', 'ReadResponse', 'to-client',
    hex`4d534746 47000000 0d000000 01000000 02040000 04000000 01007a02 e0ce8e7ab742d801 43420f00 00000000 00 ffffffff 000000
        02000000 0107000000000200003480 ffffffff`, {
    source: `${gap} frame 34`,
    expect: { 'opcua.transport.type': 'MSG', 'opcua.servicenodeid.numeric': 634, 'opcua.security.tokenid': 1, 'opcua.security.rqid': 4 },
  }),
  fixture('opcua', 'GetEndpoints request', 'to-server',
    hex`4d534746b4000000090000000900000002000000020000000100ac0100008e05e8edde0cd6010100000000000000ffffffff102700000000001e0000006f70632e7463703a2f2f3139322e3136382e3232342e3130323a3438343001000000080000004c4f43414c4520310100000041000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412d50726f66696c652f5472616e73706f72742f75617463702d756173632d756162696e617279`, {
    source: `${gap} frame 272`,
    expect: { 'opcua.servicenodeid.numeric': 428, 'opcua.EndpointUrl': 'opc.tcp://192.168.224.102:4840' },
  }),
  fixture('opcua', 'GetEndpoints response from open62541', 'to-client',
    hex`4d534746e2010000090000000900000002000000020000000100af012e26f0edde0cd601010000000000000000ffffffff000000010000001e0000006f70632e7463703a2f2f3139322e3136382e3232342e3130323a343834302000000075726e3a6f70656e36323534312e7365727665722e6170706c69636174696f6e14000000687474703a2f2f6f70656e36323534312e6f72670302000000656e220000006f70656e36323534312d6261736564204f5043205541204170706c69636174696f6e00000000ffffffffffffffffffffffffffffffff010000002f000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412f5365637572697479506f6c696379234e6f6e65020000001a0000006f70656e36323534312d616e6f6e796d6f75732d706f6c69637900000000ffffffffffffffffffffffff190000006f70656e36323534312d757365726e616d652d706f6c69637901000000ffffffffffffffff2f000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412f5365637572697479506f6c696379234e6f6e6541000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412d50726f66696c652f5472616e73706f72742f75617463702d756173632d756162696e61727901`, {
    source: `${gap} frame 274`,
    expect: {
      'opcua.servicenodeid.numeric': 431,
      'opcua.ApplicationUri': ['urn:open62541.server.application'],
      'opcua.ProductUri': ['http://open62541.org'],
    },
  }),
  fixture('opcua', 'ActivateSession request, anonymous', 'to-server',
    hex`4d534746990000000d0000000100000003000000030000000100d30105000020000000ab28541b6afdf93a4703a5f287190cd8d7f50d7ec3aa739ed5bc828bb497478d3cff1bf2b742d80142420f0000000000ffffffff88130000000000ffffffffffffffff000000000100000002000000656e01004101011400000010000000416e6f6e796d6f75735f506f6c696379ffffffffffffffff`, {
    source: `${gap} frame 31`,
    expect: { 'opcua.servicenodeid.numeric': 467, 'opcua.UserTokenType': 'anonymous', 'opcua.PolicyId': 'Anonymous_Policy' },
  }),
  fixture('opcua', 'ActivateSession request, user name with a clear-text password', 'to-server',
    hex`4d534746a10000000a0000000a00000004000000040000000100d30104010070f93e4d380fc4986a4624f2ff6fa68a741718eede0cd6010500000000000000ffffffffc0270900000000ffffffffffffffffffffffffffffffff010044010136000000190000006f70656e36323534312d757365726e616d652d706f6c6963790500000075736572310800000070617373776f7264ffffffffffffffffffffffff`, {
    source: `${gap} frame 302`,
    expect: { 'opcua.UserTokenType': 'username', 'opcua.UserName': 'user1', 'opcua.EncryptionAlgorithm': '' },
  }),
  fixture('opcua', 'Write request ns=1;s=the.answer = 1', 'to-server',
    hex`4d5347466d0000000a0000000a00000015000000150000000100a10204010070f93e4d380fc4986a4624f2ff6fa68a1aa28ceede0cd6011600000000000000ffffffff00000000000000010000000301000a0000007468652e616e737765720d000000ffffffff010601000000`, {
    source: `${gap} frame 350`,
    expect: { 'opcua.servicenodeid.numeric': 673, 'opcua.write.node': ['ns=1;s=the.answer'] },
  }),
  fixture('opcua', 'Call request ns=1;i=62541 "Hello Server"', 'to-server',
    hex`4d534746690000000a0000000a00000018000000180000000100c80204010070f93e4d380fc4986a4624f2ff6fa68a6296b4eede0cd6011900000000000000ffffffff0000000000000001000000005501014df4010000000c0c00000048656c6c6f20536572766572`, {
    source: `${gap} frame 382`,
    expect: { 'opcua.servicenodeid.numeric': 712, 'opcua.call.method': ['ns=1;i=62541'] },
  }),
  fixture('opcua', 'CreateSession request', 'to-server',
    hex`4d534746ac0000000a0000000a00000003000000030000000100cd0100006a2e10eede0cd6010300000000000000ffff
        ffff102700000000001c00000075726e3a756e636f6e666967757265643a6170706c69636174696f6effffffff000100
        0000ffffffffffffffffffffffffffffffff1e0000006f70632e7463703a2f2f3139322e3136382e3232342e3130323a
        34383430ffffffffffffffffffffffff00000000804f3241ffffff7f`, {
    source: `${gap} frame 298`,
    expect: { 'opcua.servicenodeid.numeric': 461, 'opcua.EndpointUrl': 'opc.tcp://192.168.224.102:4840' },
  }),
  fixture('opcua', 'CreateSession response from open62541', 'to-client',
    hex`4d534746480200000a0000000a00000003000000030000000100d001fa0e18eede0cd601030000000000000000ffffff
        ff0000000401002ac5850e13daf0c697c98ce8ed4e847804010070f93e4d380fc4986a4624f2ff6fa68a00000000804f
        324120000000c48cfc5d7731212c923d06c79095ad2009fe043ed705566f22cec142c1b7f757ffffffff010000001e00
        00006f70632e7463703a2f2f3139322e3136382e3232342e3130323a343834302000000075726e3a6f70656e36323534
        312e7365727665722e6170706c69636174696f6e14000000687474703a2f2f6f70656e36323534312e6f726703020000
        00656e220000006f70656e36323534312d6261736564204f5043205541204170706c69636174696f6e00000000ffffff
        ffffffffffffffffffffffffff010000002f000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f5541
        2f5365637572697479506f6c696379234e6f6e65020000001a0000006f70656e36323534312d616e6f6e796d6f75732d
        706f6c69637900000000ffffffffffffffffffffffff190000006f70656e36323534312d757365726e616d652d706f6c
        69637901000000ffffffffffffffff2f000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412f53
        65637572697479506f6c696379234e6f6e6541000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55
        412d50726f66696c652f5472616e73706f72742f75617463702d756173632d756162696e61727901ffffffffffffffff
        ffffffff00000000`, {
    source: `${gap} frame 300`,
    expect: { 'opcua.servicenodeid.numeric': 464, 'opcua.ServiceResult': 0, 'opcua.ApplicationUri': ['urn:open62541.server.application'] },
  }),
  fixture('opcua', 'ActivateSession response', 'to-client',
    hex`4d534746600000000a0000000a00000004000000040000000100d6015edf1feede0cd601050000000000000000ffffff
        ff00000020000000c916f70db6b1f05742b9c34580edb514f6f4982246e7822da9bcb06991523a4bffffffffffffffff`, {
    source: `${gap} frame 304`,
    expect: { 'opcua.servicenodeid.numeric': 470, 'opcua.ServiceResult': 0 },
  }),
  fixture('opcua', 'Browse request ObjectsFolder', 'to-server',
    hex`4d534746710000000a0000000a000000050000000500000001000f0204010070f93e4d380fc4986a4624f2ff6fa68af4
        ee1feede0cd6010600000000000000ffffffff0000000000000000000000000000000000000000000000000001000000
        005500000000000000000000003f000000`, {
    source: `${gap} frame 306`,
    expect: { 'opcua.servicenodeid.numeric': 527, 'opcua.browse.node': ['i=85'] },
  }),
  fixture('opcua', 'Browse response, 10 references', 'to-client',
    hex`4d534746940200000a0000000a000000050000000500000001001202fa9527eede0cd601060000000000000000ffffff
        ff0000000100000000000000ffffffff0a000000002801003d00000a000000466f6c6465725479706503000000000a00
        0000466f6c646572547970650800000000000023010100cd080000060000005365727665720300000000060000005365
        72766572010000000100d407002301010150e301000c00000054686547726561744e6f64650305000000656e2d55530f
        0000005468654e657747726561744e6f6465010000000101662f002301010135d200000c0000005661726961626c654e
        6f64650305000000656e2d5553120000005468654e65775661726961626c654e6f646502000000003f002301010136d2
        01000c00000054686547726561744e6f64650305000000656e2d55530f0000005468654e657747726561744e6f646501
        0000000101662f002301010137d200000c0000005661726961626c654e6f64650305000000656e2d5553120000005468
        654e65775661726961626c654e6f646502000000003f002301010138d201000c00000054686547726561744e6f646503
        05000000656e2d55530f0000005468654e657747726561744e6f6465010000000101662f002301010139d200000c0000
        005661726961626c654e6f64650305000000656e2d5553120000005468654e65775661726961626c654e6f6465020000
        00003f00230101013ad201000c00000054686547726561744e6f64650305000000656e2d55530f0000005468654e6577
        47726561744e6f6465010000000101662f00230101013bd200000c0000005661726961626c654e6f6465030500000065
        6e2d5553120000005468654e65775661726961626c654e6f646502000000003fffffffff`, {
    source: `${gap} frame 308`,
    expect: { 'opcua.servicenodeid.numeric': 530, 'opcua.browse.references': 10 },
  }),
  fixture('opcua', 'Read request ns=1;s=the.answer Value', 'to-server',
    hex`4d5347467900000004000000040000001400000014000000010077020401003912161546f36d34fecffcbfbacb4c14be
        d68b4f2dd1d5011500000000000000ffffffff00000000000000000000000000000000000000010000000301000a0000
        007468652e616e737765720d000000ffffffff0000ffffffff`, {
    source: `${mainloop} frame 84`,
    expect: { 'opcua.servicenodeid.numeric': 631, 'opcua.read.node': ['ns=1;s=the.answer'], 'opcua.read.attribute': [13] },
  }),
  fixture('opcua', 'Write response', 'to-client',
    hex`4d534746400000000a0000000a0000000b000000150000000100a4025a5f94eede0cd601160000000000000000ffffff
        ff0000000100000000003480ffffffff`, {
    source: `${gap} frame 352`,
    expect: { 'opcua.servicenodeid.numeric': 676, 'opcua.ServiceResult': 0 },
  }),
  fixture('opcua', 'CloseSession request', 'to-server',
    hex`4d5347464b0000000a0000000a0000001d0000001d0000000100d90104010070f93e4d380fc4986a4624f2ff6fa68abc
        00dceede0cd6011e00000000000000ffffffff1027000000000001`, {
    source: `${gap} frame 402`,
    expect: { 'opcua.servicenodeid.numeric': 473 },
  }),
  fixture('opcua', 'CloseSession response', 'to-client',
    hex`4d534746340000000a0000000a0000001d0000001d0000000100dc01ea1ae4eede0cd6011e0000000000000000ffffff
        ff000000`, {
    source: `${gap} frame 404`,
    expect: { 'opcua.servicenodeid.numeric': 476, 'opcua.ServiceResult': 0 },
  }),
  fixture('opcua', 'ServiceFault Bad_SessionIdInvalid', 'to-client',
    // MSG F, 52 octets; channel 1, token 1, sequence 5, request 5; type i=397; ResponseHeader:
    // timestamp, handle 5, serviceResult 0x80250000, no diagnostics, null string table, null additional header
    hex`4d534746 34000000 01000000 01000000 05000000 05000000 01008d01 0000000000000000 05000000 00002580 00 ffffffff 000000`, {
    source: 'IEC 62541-4 §7.30 ServiceFault, §7.29 ResponseHeader',
    expect: { 'opcua.servicenodeid.numeric': 397, 'opcua.ServiceResult': 0x80250000 },
  }),
  fixture('opcua', 'CloseSecureChannel request', 'to-server',
    hex`434c4f4639000000090000000900000003000000030000000100c4010000a02cf0edde0cd6010100000000000000ffffffff10270000000000`, {
    source: `${gap} frame 276`,
    expect: { 'opcua.transport.type': 'CLO', 'opcua.servicenodeid.numeric': 452 },
  }),
  fixture('opcua', 'Error Bad_TcpMessageTypeInvalid', 'to-client', hex`45525246 10000000 00000280 ffffffff`, {
    source: `${freeze} frame 43`,
    expect: { 'opcua.transport.type': 'ERR', 'opcua.transport.error': 0x80020000 },
  }),
  fixture('opcua', 'Hello with a message size below the header', 'to-server', hex`48454c46 04000000`, {
    source: 'IEC 62541-6 §7.1.2.2: MessageSize includes the 8-octet header',
    outcome: 'not-mine',
  }),
];
