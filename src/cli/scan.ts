// `otscope scan TARGET...`: active identification of ICS services. Every target outside
// 127.0.0.0/8 needs a scope allow-list; the block-list is always applied; both are decided before
// any socket opens. Observations go to stdout as ndjson (the schema of POST /api/v1/observations)
// and/or to the platform with --submit. Exit code 0 when the scan ran to its end, 1 when it was
// refused or interrupted (resume it with the same --resume file), 2 on bad usage.
import { randomInt } from 'node:crypto';
import { commandOptions, readOptions } from './options.ts';
import type { Observation } from '../model/index.ts';
import { loadRegionPack, type RegionPack } from '../regions/index.ts';
import {
  AddressSet, Checkpoint, Plan, Submitter, checkScope, enterpriseNetworks, isScanError, noTwinMapping, parsePorts, twinMapping, readCidrFile, resolveTargets, scan,
} from '../scanner/index.ts';

const USAGE = `Usage: otscope scan TARGET... [options]

  TARGET               a CIDR (127.16.0.0/24), an address, a region code of the pack (360100),
                       or enterprise:<id> (its registered networks; needs --submit and --token)
  --ports LIST         502,102 (standard ports) or modbus:15020,opcua:48400[/tcp|/udp]; default: every probe
  --rate N             new connections per second over the whole scan (default 1000; 0 = no limit)
  --concurrency N      probes at once (default 256)
  --per-device N       probes at once against one address (default 1)
  --workers N          scanner threads, each probing its own share of the addresses, with the rate
                       and concurrency split between them (default 1: threads take 1-2 s to start
                       and speed up scans with many open services more than mostly closed ones)
  --timeout MS         per connect and per read (default 1500)
  --retries N          extra attempts after a timeout (default 1)
  --intrusive          also run the probe steps whose table entry opts in (IEC 104 interrogation)
  --scope FILE         allow-list of CIDRs; required for any target outside 127.0.0.0/8
  --blocklist FILE     CIDRs never probed (owners' opt-out); '#' starts a comment
  --resume FILE        checkpoint file: a killed scan run again with it covers every pair exactly once
  --seed N             key of the scan order (default: random, or the resume file's)
  --output ndjson|none one observation per line on stdout (default ndjson)
  --no-twin-map        report loopback addresses as probed (default: as the twin's public addresses, with via)
  --submit URL         post observations to URL/api/v1/observations in batches of at most 1000
  --token T            bearer token for --submit`;

interface Args {
  targets: string[];
  ports?: string;
  rate: number;
  concurrency: number;
  perDevice: number;
  workers: number;
  timeout: number;
  retries: number;
  intrusive: boolean;
  scope?: string;
  blocklist?: string;
  resume?: string;
  seed?: number;
  output: 'ndjson' | 'none';
  submit?: string;
  token?: string;
  twinMap: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const r = readOptions(
    argv,
    {
      ports: { type: 'string' }, rate: { type: 'string' }, concurrency: { type: 'string' }, 'per-device': { type: 'string' }, workers: { type: 'string' },
      timeout: { type: 'string' }, retries: { type: 'string' }, seed: { type: 'string' }, intrusive: { type: 'boolean' },
      'no-twin-map': { type: 'boolean' }, scope: { type: 'string' }, blocklist: { type: 'string' }, resume: { type: 'string' },
      submit: { type: 'string' }, token: { type: 'string' }, output: { type: 'string' },
    },
    true,
  );
  if (typeof r === 'string') return r;
  const v = r.values;
  const num = (name: string, min: number, fallback: number): number => {
    const text = v[name as keyof typeof v] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || text.trim() === '') throw new Error(`--${name} needs a number ≥ ${min}, not '${text}'`);
    return n;
  };
  if (v.output !== undefined && v.output !== 'ndjson' && v.output !== 'none') return `--output must be ndjson or none, not '${v.output}'`;
  try {
    const a: Args = {
      targets: r.positionals,
      ports: v.ports,
      rate: num('rate', 0, 1000),
      concurrency: Math.floor(num('concurrency', 1, 256)),
      perDevice: Math.floor(num('per-device', 1, 1)),
      workers: Math.floor(num('workers', 1, 1)),
      timeout: num('timeout', 1, 1500),
      retries: Math.floor(num('retries', 0, 1)),
      seed: v.seed === undefined ? undefined : Math.floor(num('seed', 0, 0)) >>> 0,
      intrusive: v.intrusive ?? false,
      twinMap: !v['no-twin-map'],
      scope: v.scope,
      blocklist: v.blocklist,
      resume: v.resume,
      output: (v.output ?? 'ndjson') as Args['output'],
      submit: v.submit,
      token: v.token,
    };
    if (!a.targets.length) return 'give at least one TARGET';
    if (a.submit && !a.token) return '--submit needs --token';
    return a;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = commandOptions('scan', USAGE, argv, parseArgs, 'INVALID_OPTION: ');
  if (typeof args === 'number') return args;
  try {
    return await scanCommand(args);
  } catch (e) {
    if (isScanError(e)) {
      console.error(`otscope scan: ${e.code}: ${e.message}`);
      return 1;
    }
    console.error(`otscope scan: ${(e as Error).message}`);
    return 1;
  }
}

async function scanCommand(args: Args): Promise<number> {
  const services = parsePorts(args.ports);
  const allow = args.scope ? readCidrFile(args.scope) : null;
  const blocklist = args.blocklist ? readCidrFile(args.blocklist) : null;
  let pack: RegionPack | undefined;
  const targets = await resolveTargets(args.targets, {
    regionPack: () => (pack ??= loadRegionPack()),
    enterpriseNetworks: args.submit && args.token ? (id) => enterpriseNetworks(args.submit!, args.token!, id) : undefined,
  });
  // Refused here, before a plan, a socket or a resume file exists.
  checkScope(targets, allow);

  const key = args.seed ?? (args.resume ? Checkpoint.storedKey(args.resume) : null) ?? randomInt(0, 2 ** 32);
  const plan = new Plan(targets, services, key);
  const checkpoint = args.resume ? Checkpoint.open(args.resume, plan.fingerprint, key, plan.size) : Checkpoint.memory();
  const submitter = args.submit ? new Submitter(args.submit, args.token!) : null;

  let lines: string[] = [];
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const stats = await scan({
    plan,
    rate: args.rate,
    concurrency: args.concurrency,
    perDevice: args.perDevice,
    workers: args.workers,
    timeoutMs: args.timeout,
    retries: args.retries,
    intrusive: args.intrusive,
    blocklist: blocklist ?? new AddressSet([]),
    checkpoint,
    signal: controller.signal,
    publicAddress: args.twinMap ? twinMapping : noTwinMapping,
    onObservation(o: Observation) {
      if (args.output === 'ndjson') lines.push(JSON.stringify(o));
      submitter?.add(o);
    },
    onFlush() {
      if (lines.length) {
        // Synchronous for files and pipes on Linux: the lines are out before the checkpoint says so.
        process.stdout.write(lines.join('\n') + '\n');
        lines = [];
      }
      return submitter ? submitter.flush() : undefined;
    },
  });
  checkpoint.close();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  const rate = stats.elapsedMs > 0 ? Math.round((stats.answered * 1000) / stats.elapsedMs) : 0;
  console.error(
    `otscope scan: ${stats.aborted ? 'interrupted' : 'done'}: ${stats.finished} of ${stats.pairs} pairs this run` +
      `${stats.resumed ? ` (${stats.resumed} before)` : ''}, ${stats.answered} services answered, ${stats.identified} identified, ` +
      `${stats.blocked} block-listed, ${stats.closed} closed or silent, ${(stats.elapsedMs / 1000).toFixed(2)} s (${rate} services/s)` +
      (submitter ? `; submitted ${submitter.stats.accepted} accepted, ${submitter.stats.rejected} rejected, ${submitter.stats.failed} failed` : ''),
  );
  if (submitter && submitter.stats.failed) return 1;
  return stats.aborted ? 1 : 0;
}

