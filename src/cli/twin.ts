// `otscope twin --devices N --seed S [--cidr 127.16.0.0/12] [--truth FILE]`: run the digital
// twin of the province on loopback until interrupted. The truth file is written once every
// socket listens; services that could not start are named on stderr.
import { writeFile } from 'node:fs/promises';
import { DEFAULT_TWIN_CIDR, startTwin, TWIN_DEFAULTS, type Twin } from '../twin/index.ts';
import { commandOptions, positiveInt, readOptions } from './options.ts';

const USAGE = `Usage: otscope twin --devices N --seed S [--cidr ${DEFAULT_TWIN_CIDR}] [--truth FILE]
                    [--bind shared|per-address] [--max-connections N] [--idle-timeout MS]

  --devices N          simulated devices, each at its own 127.x.y.z address of the CIDR
  --seed S             fixes personas, firmware, serials and names: same seed, same province
  --cidr C             where the devices live; must lie inside 127.0.0.0/8
  --truth FILE         write the ground truth (JSON array, one object per device) once listening
  --bind MODE          shared: one 0.0.0.0 socket per TCP port (default); per-address: one
                       socket per device, so other software keeps the port on other addresses
  --max-connections N  open TCP connections across the twin (default ${TWIN_DEFAULTS.maxConnections})
  --idle-timeout MS    close a TCP connection idle this long (default ${TWIN_DEFAULTS.idleTimeoutMs})

Each device stands for a public address of the region pack (twinPublicAddress); scans of the
twin report that address, so attribution and maps behave as in production.`;

interface Args {
  devices: number;
  seed: string;
  cidr: string;
  truth?: string;
  maxConnections?: number;
  idleTimeoutMs?: number;
  bind?: 'shared' | 'per-address';
}

function parseArgs(argv: string[]): Args | string {
  const r = readOptions(argv, {
    devices: { type: 'string' },
    seed: { type: 'string' },
    cidr: { type: 'string', default: DEFAULT_TWIN_CIDR },
    truth: { type: 'string' },
    bind: { type: 'string' },
    'max-connections': { type: 'string' },
    'idle-timeout': { type: 'string' },
  });
  if (typeof r === 'string') return r;
  const v = r.values;
  if (v.bind !== undefined && v.bind !== 'shared' && v.bind !== 'per-address') return `--bind takes shared or per-address, not ${v.bind}`;
  try {
    const devices = positiveInt('devices', v.devices);
    if (devices === undefined) return '--devices is required';
    if (v.seed === undefined) return '--seed is required';
    return {
      devices,
      seed: v.seed,
      cidr: v.cidr!,
      truth: v.truth,
      bind: v.bind as Args['bind'],
      maxConnections: positiveInt('max-connections', v['max-connections']),
      idleTimeoutMs: positiveInt('idle-timeout', v['idle-timeout']),
    };
  } catch (e) {
    return (e as Error).message;
  }
}

function describe(twin: Twin): string[] {
  return twin.services.map((s) => {
    const where = s.mode === 'shared' ? 'one socket for all' : s.mode === 'per-address' ? 'one socket per device' : 'NOT STARTED';
    const failed = s.failures.length ? `, ${s.failures.length} could not bind (${s.failures[0].error})` : '';
    return `  ${s.protocol.padEnd(7)} ${s.transport}/${String(s.port).padEnd(5)} ${String(s.devices).padStart(6)} devices, ${where}${failed}${s.error ? ` [${s.error}]` : ''}`;
  });
}

export async function run(argv: string[]): Promise<number> {
  const args = commandOptions('twin', USAGE, argv, parseArgs);
  if (typeof args === 'number') return args;
  let twin: Twin;
  try {
    twin = await startTwin({ devices: args.devices, seed: args.seed, cidr: args.cidr, maxConnections: args.maxConnections, idleTimeoutMs: args.idleTimeoutMs, bind: args.bind });
  } catch (e) {
    console.error(`otscope twin: ${(e as Error).message}`);
    return 1;
  }
  if (args.truth) await writeFile(args.truth, JSON.stringify(twin.truth, null, 1) + '\n');
  const first = twin.devices[0];
  const last = twin.devices[twin.devices.length - 1];
  console.error(`otscope twin: ${twin.devices.length} devices on ${first.address} … ${last.address} (seed ${args.seed})`);
  for (const line of describe(twin)) console.error(line);
  const broken = twin.services.filter((s) => s.failures.length);
  if (broken.length) console.error(`otscope twin: some services could not start: ${broken.map((s) => `${s.protocol} ${s.transport}/${s.port}`).join(', ')}`);
  if (args.truth) console.error(`otscope twin: ground truth written to ${args.truth}`);
  console.error('otscope twin: listening; Ctrl-C stops');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await twin.close();
  return 0;
}
