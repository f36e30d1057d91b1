// The first-start demo: with no scan scope configured, `otscope serve` runs a digital twin of
// about 2,000 devices on loopback and scans it, so a newcomer's dashboard fills with a believable
// province within a minute. A handful of demo enterprises (marked 【演示】) own some of the twin's
// public addresses, so attribution, findings and draft warnings show too. OTSCOPE_DEMO=false
// turns it off; a configured scan scope does too.
import { makeCreditCode, type Actor, type Observation } from '../model/index.ts';
import { cidrOf, parseIp } from '../net/index.ts';
import { startTwin, DEFAULT_TWIN_CIDR, type Twin } from '../twin/index.ts';
import { Plan, parsePorts, resolveTargets, scan, twinMapping } from '../scanner/index.ts';
import { addNetwork, createEnterprise, ingestObservations, type ServiceContext } from '../services/index.ts';

export const DEMO_DEVICES = 2000;
export const DEMO_SEED = 'otscope-demo';

export interface Demo {
  twin: Twin;
  /** Resolves when the first scan has been ingested. */
  ready: Promise<{ services: number; accepted: number }>;
  close(): Promise<void>;
}

// Industries rich in control systems (GB/T 4754-2017 classes) for the demo enterprises.
const DEMO_ENTERPRISES = [
  { name: '【演示】赣江石化有限公司', industryCode: 'C2511' },
  { name: '【演示】洪都精密制造有限公司', industryCode: 'C3421' },
  { name: '【演示】鄱阳湖水务集团', industryCode: 'D4610' },
  { name: '【演示】井冈山电力有限公司', industryCode: 'D4411' },
  { name: '【演示】景德镇陶瓷智能工厂', industryCode: 'C3071' },
  { name: '【演示】赣州稀土冶炼有限公司', industryCode: 'C3232' },
  { name: '【演示】九江港口机械有限公司', industryCode: 'C3431' },
  { name: '【演示】上饶光伏科技有限公司', industryCode: 'C3825' },
];

/** The system actor the demo acts as: a province administrator's authority, named for the audit log. */
function demoActor(ctx: ServiceContext): Actor {
  return { userId: 'demo', username: 'demo', role: 'province-admin', regionCode: ctx.regions.province.code, enterpriseId: null };
}

/** Demo enterprises, each owning the /24 around one twin device in its own city's county. */
async function seedEnterprises(ctx: ServiceContext, twin: Twin, actor: Actor): Promise<void> {
  const existing = await ctx.store.db.selectFrom('enterprises').select('id').limit(1).execute();
  if (existing.length) return;
  const taken = new Set<string>();
  let i = 0;
  for (const d of twin.devices) {
    if (i >= DEMO_ENTERPRISES.length) break;
    const place = ctx.attribution.place(d.publicIp);
    const ip = parseIp(d.publicIp);
    if (!place?.cityCode || !ip) continue;
    const block = cidrOf(ip, 24).normalized;
    if (taken.has(block) || taken.has(place.cityCode)) continue;
    const county = ctx.regions.children(place.cityCode)[0];
    if (!county) continue;
    taken.add(block).add(place.cityCode);
    const spec = DEMO_ENTERPRISES[i++];
    const e = await createEnterprise(ctx, actor, {
      ...spec,
      creditCode: makeCreditCode(`91${county.code}MA${String(i).padStart(6, "0")}`),
      regionCode: county.code,
      classification: '重点企业',
      grade: '二级',
      contacts: [{ name: '安全负责人', phone: '0791-00000000' }],
    });
    await addNetwork(ctx, actor, e.id, block);
  }
}

export interface DemoOptions {
  devices?: number;
  cidr?: string;
  /** The twin's socket mode (tests beside other software use per-address). */
  bind?: 'shared' | 'per-address';
  log?: (line: string) => void;
}

export async function startDemo(ctx: ServiceContext, opts: DemoOptions = {}): Promise<Demo> {
  const log = opts.log ?? (() => {});
  const twin = await startTwin({ devices: opts.devices ?? DEMO_DEVICES, seed: DEMO_SEED, cidr: opts.cidr ?? DEFAULT_TWIN_CIDR, bind: opts.bind });
  const failed = twin.services.filter((s) => s.failures.length);
  if (failed.length) log(`demo twin: could not serve ${failed.map((s) => `${s.protocol}/${s.transport}:${s.port} on ${s.failures.length} devices`).join(', ')}`);
  const actor = demoActor(ctx);
  const abort = new AbortController();
  const ready = (async () => {
    await seedEnterprises(ctx, twin, actor);
    const targets = await resolveTargets(twin.devices.map((d) => d.address));
    const plan = new Plan(targets, parsePorts(), 1);
    const pending: Observation[] = [];
    let accepted = 0;
    const flush = async () => {
      const batch = pending.splice(0, pending.length);
      if (batch.length) accepted += (await ingestObservations(ctx, { ...actor, role: 'sensor' }, batch)).accepted;
    };
    const stats = await scan({
      plan,
      rate: 0,
      concurrency: 512,
      source: 'demo-scanner',
      publicAddress: twinMapping,
      signal: abort.signal,
      onObservation: (o) => void pending.push(o),
      onFlush: flush,
    });
    await flush();
    log(`demo: scanned ${twin.devices.length} twin devices, identified ${stats.identified} services, ${accepted} observations ingested`);
    return { services: stats.identified, accepted };
  })();
  ready.catch((e) => log(`demo scan failed: ${(e as Error).message}`));
  return {
    twin,
    ready,
    close: async () => {
      abort.abort();
      await ready.catch(() => {});
      await twin.close();
    },
  };
}
