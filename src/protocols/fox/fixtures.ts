// Niagara Fox messages. The request is the one nmap's fox-info.nse sends; the answers follow the
// layout of real station hellos (header line, typed key=value lines, length-prefixed blob and
// object values) with this project's own values.
import { fixture, type ProtocolFixture } from '../fixture.ts';

function text(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

const bog = '<bog version="1.0">\n<p m="b=baja" t="b:Facets" v=""/>\n</bog>\n';

export const stationHello = text(
  'fox a 0 -1 fox hello\n{\n' +
    'fox.version=s:1.0\n' +
    'id=i:2\n' +
    'hostName=s:10.20.30.40\n' +
    'hostAddress=s:10.20.30.40\n' +
    'app.name=s:Station\n' +
    'app.version=s:3.8.41\n' +
    'vm.name=s:J9\n' +
    'vm.version=s:2.4\n' +
    'os.name=s:QNX\n' +
    'os.version=s:6.4.1\n' +
    'station.name=s:Boiler_House_1\n' +
    'lang=s:en\n' +
    'timeZone=s:Asia/Shanghai;28800000;0;null;null\n' +
    'hostId=s:Qnx-NPM6-0000-1A2B-3C4D\n' +
    'vmUuid=s:11e4d864-cd0e-664a-0000-00000000c0de\n' +
    'brandId=s:vykon\n' +
    `sysInfo=o:bog ${bog.length}[${bog}]\n` +
    'authAgentTypeSpecs=s:fox:FoxUsernamePasswordAuthAgent\n' +
    '};;\n',
);

export const fixtures: ProtocolFixture[] = [
  fixture('fox', 'hello request (nmap fox-info)', 'to-server', text('fox a 1 -1 fox hello\n{\nfox.version=s:1.0\nid=i:1\n};;\n'), {
    source: 'nmap scripts/fox-info.nse (the query it sends)',
    expect: { 'fox.command': 'hello', 'fox.number': 1, 'fox.reply_to': -1, 'fox.version': '1.0', 'fox.id': '1' },
  }),
  fixture('fox', 'station hello answer with a sysInfo bog object', 'to-client', stationHello, {
    source: 'layout of a Niagara AX station hello (o:bog <length>[…] value spans lines)',
    expect: { 'fox.app.name': 'Station', 'fox.app.version': '3.8.41', 'fox.station.name': 'Boiler_House_1', 'fox.os.name': 'QNX' },
  }),
  fixture('fox', 'challenge with a binary nonce', 'to-client',
    text('fox a 1 -1 fox challenge\n{\nmethod=s:digest-md5\nnonce=b:12[\u0000\u0001\n;;}\u00ff\u0010abcd]\n};;\n'), {
    source: 'layout of the Fox login challenge (b:<length>[…] blob may hold newlines and ";;")',
    expect: { 'fox.command': 'challenge', 'fox.method': 'digest-md5' },
  }),
  fixture('fox', 'message without a body', 'to-server', text('fox a 3 -1 fox close\n;;\n'), {
    source: 'Fox header-only message',
    expect: { 'fox.command': 'close' },
  }),
  fixture('fox', 'body line without key=type:value', 'to-client', text('fox a 0 -1 fox hello\n{\nnot a fox line\n};;\n'), {
    source: 'malformed body',
    outcome: 'not-mine',
  }),
];
