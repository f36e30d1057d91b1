// BACnet/IP datagrams from real captures (reference/corpus/pcap/bacnet/, tshark frame numbers)
// and a few built from ASHRAE 135 layouts where the captures have none (sections given).
import { hex } from '../../wire/index.ts';
import { fixture, type ProtocolFixture } from '../fixture.ts';

const test = 'reference/corpus/pcap/bacnet/bacnet_test.pcap';
const ip = 'reference/corpus/pcap/bacnet/bacnet-ip.cap';
const stack = 'reference/corpus/pcap/bacnet/bacnet-stack-services.cap';

export const fixtures: ProtocolFixture[] = [
  fixture('bacnet', 'I-Am broadcast (device 111, vendor 42)', 'to-client', hex`810b 0017  01 20 ffff 00 ff  10 00 c4 0200006f 21 32 91 03 21 2a`, {
    source: `${ip} frame 1`,
    expect: {
      'bvlc.function': 11, 'bacapp.type': 1, 'bacapp.unconfirmed_service': 0, 'bacnet.dnet': 65535,
      'bacapp.instance_number': [111], 'bacapp.vendor_identifier': 42,
    },
  }),
  fixture('bacnet', 'Who-Is with a device range', 'to-server', hex`810a 0010  01 20 ffff 00 ff  10 08 09 3d 19 3d`, {
    source: `${stack} frame 10`,
    expect: { 'bacapp.unconfirmed_service': 8, 'bacapp.who_is.low_limit': 61, 'bacapp.who_is.high_limit': 61 },
  }),
  fixture('bacnet', 'ReadProperty request device,4194303 object-identifier', 'to-server', hex`810a 0011  01 04  00 05 01 0c 0c 023fffff 19 4b`, {
    source: `${test} frame 3`,
    expect: { 'bacapp.type': 0, 'bacapp.confirmed_service': 12, 'bacapp.invoke_id': 1, 'bacapp.property_identifier': [75], 'bacapp.objectType': [8] },
  }),
  fixture('bacnet', 'ReadProperty ack object-identifier', 'to-client', hex`810a 0017  01 00  30 01 0c 0c 023fffff 19 4b 3e c4 020001f4 3f`, {
    source: `${test} frame 4`,
    expect: { 'bacapp.type': 3, 'bacapp.confirmed_service': 12, 'bacapp.property_identifier': [75] },
  }),
  fixture('bacnet', 'ReadProperty ack vendor-name in UCS-2', 'to-client', hex`810a 001b  01 00  30 01 0c 0c 023fffff 19 79 3e 75 07 04 004a00430049 3f`, {
    source: `${test} frame 8`,
    expect: { 'bacapp.property_identifier': [121] },
  }),
  fixture('bacnet', 'ReadProperty ack vendor-name, routed (SNET 13)', 'to-client',
    hex`810a 002b  01 20 000d 01 3d ff  30 cf 0c 0c 0200006f 19 79 3e 75 12 00 4c6974686f6e6961204c69676874696e67 3f`, {
    source: `${ip} frame 16`,
    expect: { 'bacapp.invoke_id': 207, 'bacnet.hopc': 255 },
  }),
  fixture('bacnet', 'Error property/unknown-property', 'to-client', hex`810a 0012  01 20 000d 01 3d ff  50 da 0c 91 02 91 20`, {
    source: `${ip} frame 38`,
    expect: { 'bacapp.type': 5, 'bacapp.confirmed_service': 12, 'bacapp.error_class': 2, 'bacapp.error_code': 32 },
  }),
  fixture('bacnet', 'ReadPropertyMultiple request analog-input,0 all', 'to-server', hex`810a 0017  01 0c 000d 01 3d  02 03 3b 0e 0c 00000000 1e 09 08 1f`, {
    source: `${stack} frame 112`,
    expect: { 'bacapp.confirmed_service': 14, 'bacnet.snet': 13, 'bacapp.property_identifier': [8] },
  }),
  fixture('bacnet', 'ReinitializeDevice coldstart with password', 'to-server',
    hex`810a 001d  01 24 000d 01 3d ff  00 03 01 14 09 00 1d 0a 00 77697265736861726b`, {
    source: `${stack} frame 34`,
    expect: { 'bacapp.confirmed_service': 20, 'bacapp.reinitialize_state': 0, 'bacapp.password_present': true },
  }),
  fixture('bacnet', 'DeviceCommunicationControl disable, indefinitely, with password', 'to-server',
    hex`810a 001c  01 0c 000d 01 3d  02 03 31 11 19 01 2d 0a 00 77697265736861726b`, {
    source: `${stack} frame 76`,
    expect: { 'bacapp.confirmed_service': 17, 'bacapp.enable_disable': 1, 'bacapp.password_present': true },
  }),
  fixture('bacnet', 'WriteProperty analog-output,0 present-value NULL (relinquish)', 'to-server',
    hex`810a 0019  01 24 000d 01 3d ff  00 03 01 0f 0c 00400000 19 55 3e 00 3f`, {
    source: `${stack} frame 60`,
    expect: { 'bacapp.confirmed_service': 15, 'bacapp.property_identifier': [85], 'bacapp.objectType': [1] },
  }),
  fixture('bacnet', 'Reject (invoke 58, reason 9 unrecognized-service)', 'to-client', hex`810a 000e  01 20 000d 01 3d ff  60 3a 09`, {
    source: `${stack} frame 111`,
    expect: { 'bacapp.type': 6, 'bacapp.reject_reason': 9 },
  }),
  fixture('bacnet', 'Read-Broadcast-Distribution-Table', 'to-server', hex`8102 0004`, {
    source: `${test} frame 21`,
    expect: { 'bvlc.function': 2 },
  }),
  fixture('bacnet', 'BVLC-Result NAK of Read-BDT', 'to-client', hex`8100 0006 0020`, {
    source: `${test} frame 22`,
    expect: { 'bvlc.function': 0 },
  }),
  fixture('bacnet', 'Register-Foreign-Device TTL 16 s', 'to-server', hex`8105 0006 0010`, {
    source: `${test} frame 25`,
    expect: { 'bvlc.function': 5 },
  }),
  fixture('bacnet', 'Forwarded-NPDU of a Who-Is from 192.168.0.10:47808', 'to-client', hex`8104 0012 c0a8000a bac0  01 20 ffff 00 ff 10 08`, {
    source: 'ASHRAE 135 Annex J.2.9 (Forwarded-NPDU: B/IP address of the original source, then the NPDU)',
    expect: { 'bvlc.function': 4, 'bacapp.unconfirmed_service': 8 },
  }),
  fixture('bacnet', 'Who-Is-Router-To-Network', 'to-server', hex`810b 0007 01 80 00`, {
    source: 'ASHRAE 135 §6.4.1 (network layer message type 0x00)',
    expect: { 'bacnet.mesgtyp': 0 },
  }),
  fixture('bacnet', 'I-Am-Router-To-Network for network 13', 'to-client', hex`810b 0009 01 80 01 000d`, {
    source: 'ASHRAE 135 §6.4.2',
    expect: { 'bacnet.mesgtyp': 1 },
  }),
  fixture('bacnet', 'SegmentACK', 'to-server', hex`810a 000a 01 00 40 05 02 03`, {
    source: 'ASHRAE 135 §20.1.6 (invoke 5, sequence 2, window 3)',
    expect: { 'bacapp.type': 4, 'bacapp.invoke_id': 5 },
  }),
  fixture('bacnet', 'Abort from server, segmentation-not-supported', 'to-client', hex`810a 0009 01 00 71 05 04`, {
    source: 'ASHRAE 135 §20.1.9 (SRV=1, reason 4)',
    expect: { 'bacapp.type': 7, 'bacapp.abort_reason': 4 },
  }),
  fixture('bacnet', 'BVLC length below its own header', 'to-server', hex`810a 0002`, {
    source: 'ASHRAE 135 Annex J.2: the BVLC length includes the 4-octet header',
    outcome: 'not-mine',
  }),
];
