// `otscope honeypot --persona ID|random [--bind ADDR] [--ports proto=port,...] [--submit URL
// --token T] [--log FILE]`: run one honeypot sensor until interrupted. `--list-personas [--json]`
// prints the personas a sensor may wear.
import { BEHAVIOURS, protocolsOf, deploy, type ProtocolName } from '../personas/index.ts';
import { eventSink, HONEYPOT_DEFAULTS, honeypotPersonas, startHoneypot, type Honeypot } from '../honeypot/index.ts';
import { commandOptions, positiveInt, readOptions } from './options.ts';

const USAGE = `Usage: otscope honeypot --persona ID|random [--bind ADDR] [--ports proto=port,...]
                        [--submit URL --token T] [--log FILE] [--seed S] [--sensor-id ID]
                        [--max-connections N] [--idle-timeout MS]
       otscope honeypot --list-personas [--json]

  --persona ID|random  the device to wear (random: any catalogue persona); each start draws a
                       fresh identity (serial, MAC, station and plant names, uptime) unless --seed
  --bind ADDR          listen on this address only (default ${HONEYPOT_DEFAULTS.bind})
  --ports LIST         move services off their standard ports, e.g. modbus=5020,s7comm=1102
  --submit URL         send events to the platform (POST URL/api/v1/honeypot/events), with
  --token T            a sensor token
  --log FILE           append every event to FILE, one JSON object per line
  --max-connections N  open connections in total (default ${HONEYPOT_DEFAULTS.maxConnections})
  --idle-timeout MS    close a connection idle this long (default ${HONEYPOT_DEFAULTS.idleTimeoutMs})`;

interface Args {
  persona?: string;
  bind?: string;
  ports: Partial<Record<ProtocolName, number>>;
  submit?: string;
  token?: string;
  log?: string;
  seed?: string;
  sensorId?: string;
  maxConnections?: number;
  idleTimeoutMs?: number;
  list: boolean;
  json: boolean;
}

function parsePorts(text: string): Partial<Record<ProtocolName, number>> {
  const out: Partial<Record<ProtocolName, number>> = {};
  for (const part of text.split(',')) {
    const [name, port] = part.split('=');
    if (!(name in BEHAVIOURS)) throw new Error(`--ports: unknown protocol '${name}' (one of ${Object.keys(BEHAVIOURS).join(', ')})`);
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--ports: ${name} needs a port 1..65535, got '${port}'`);
    out[name as ProtocolName] = n;
  }
  return out;
}

export function parseArgs(argv: string[]): Args | string {
  const r = readOptions(argv, {
    persona: { type: 'string' },
    bind: { type: 'string' },
    ports: { type: 'string' },
    submit: { type: 'string' },
    token: { type: 'string' },
    log: { type: 'string' },
    seed: { type: 'string' },
    'sensor-id': { type: 'string' },
    'max-connections': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'list-personas': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (typeof r === 'string') return r;
  const v = r.values;
  let out: Args;
  try {
    out = {
      persona: v.persona,
      bind: v.bind,
      ports: v.ports === undefined ? {} : parsePorts(v.ports),
      submit: v.submit,
      token: v.token,
      log: v.log,
      seed: v.seed,
      sensorId: v['sensor-id'],
      maxConnections: positiveInt('max-connections', v['max-connections']),
      idleTimeoutMs: positiveInt('idle-timeout', v['idle-timeout']),
      list: v['list-personas']!,
      json: v.json!,
    };
  } catch (e) {
    return (e as Error).message;
  }
  if (out.list) return out;
  if (!out.persona) return '--persona is required';
  if (out.submit) {
    try {
      new URL(out.submit);
    } catch {
      return `--submit needs a URL, got ${out.submit}`;
    }
    if (!out.token) return '--submit needs --token';
  }
  return out;
}

function listPersonas(json: boolean): void {
  const rows = honeypotPersonas().map((p) => ({ id: p.id, vendor: p.vendor, product: p.product, protocols: protocolsOf(deploy(p, 0, 0)) }));
  if (json) console.log(JSON.stringify(rows, null, 1));
  else for (const r of rows) console.log(`${r.id.padEnd(44)} ${r.vendor} ${r.product} (${r.protocols.join(', ')})`);
}

export async function run(argv: string[]): Promise<number> {
  const args = commandOptions('honeypot', USAGE, argv, parseArgs);
  if (typeof args === 'number') return args;
  if (args.list) {
    listPersonas(args.json);
    return 0;
  }
  const sink = eventSink({ log: args.log, submit: args.submit ? { url: args.submit, token: args.token! } : undefined });
  let honeypot: Honeypot;
  try {
    honeypot = await startHoneypot({
      persona: args.persona!, bind: args.bind, ports: args.ports, seed: args.seed, sensorId: args.sensorId,
      maxConnections: args.maxConnections, idleTimeoutMs: args.idleTimeoutMs, onEvent: (e) => sink.write(e),
    });
  } catch (e) {
    console.error(`otscope honeypot: ${(e as Error).message}`);
    await sink.close();
    return 1;
  }
  const d = honeypot.device;
  console.error(`otscope honeypot: sensor ${honeypot.sensorId} wears ${d.persona.id} (${d.persona.vendor} ${d.persona.product}), serial ${d.vars.serial}`);
  for (const s of honeypot.services) console.error(`  ${s.protocol.padEnd(7)} ${s.transport}/${s.address}:${s.port}${s.error ? `  NOT STARTED (${s.error})` : ''}`);
  const failed = honeypot.services.filter((s) => s.error);
  if (failed.length === honeypot.services.length) {
    console.error('otscope honeypot: no service could start');
    await honeypot.close();
    await sink.close();
    return 1;
  }
  console.error('otscope honeypot: listening; Ctrl-C stops');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await honeypot.close();
  await sink.close();
  const s = sink.stats();
  console.error(`otscope honeypot: ${s.logged} events logged, ${s.submitted} submitted, ${s.dropped} dropped`);
  return 0;
}
