// Exposure change detection: a service seen for the first time is a new exposure (raised by ingest,
// observations.ts); a service that N finished platform scans in a row covered without seeing it is
// gone (settled here when a scan finishes); identity changes are raised by ingest. Per-region
// exposure statistics read the running counters (counters.ts) and these events.
import { appError } from '../errors.ts';
import type { Actor } from '../model/index.ts';
import { can, objectInScope } from '../access/index.ts';
import { ipKey, intToIpv4 } from '../net/index.ts';
import type { ServiceContext } from './context.ts';
import type { Placement } from './attribution.ts';
import { CounterDeltas } from './counters.ts';
import { recordEvents, type NewEvent } from './events.ts';

export const EXPOSURE_NEW = 'exposure-new';
export const EXPOSURE_GONE = 'exposure-gone';
export const IDENTITY_CHANGED = 'identity-changed';
export const EXPOSURE_KINDS = [EXPOSURE_NEW, EXPOSURE_GONE, IDENTITY_CHANGED] as const;

/** Consecutive covering scans without an answer after which a service counts as gone. */
export const GONE_AFTER_MISSES = 3;

export interface SeenService {
  ip: string;
  port: number;
  transport: string;
  protocol: string;
  source: string;
  observedAt: string;
  place: Placement;
}

/** The event for a service no earlier evidence showed. */
export function exposureNewEvent(s: SeenService, assetId: string, detail: Record<string, unknown> = {}): NewEvent {
  return {
    kind: EXPOSURE_NEW,
    severity: 'low',
    assetId,
    ip: s.ip,
    place: s.place,
    source: s.source,
    summary: `${s.ip}:${s.port}/${s.transport} ${s.protocol} exposed`,
    detail: { port: s.port, transport: s.transport, protocol: s.protocol, ...detail },
    occurredAt: s.observedAt,
  };
}

/** What a finished scan covered: its address ranges (as probed) and its (port, transport) pairs. */
export interface Coverage {
  scanId: string;
  ranges: readonly { start: number; end: number }[];
  services: readonly { port: number; transport: string }[];
  /** Services last seen before this did not answer the scan. */
  startedAt: string;
  /** The address a probed one stands for (the twin's public mapping); null = itself. */
  publicAddress: (probed: string) => string | null;
  goneAfter: number;
  source: string;
}

const LOOPBACK_FIRST = 0x7f000000;
const LOOPBACK_LAST = 0x7fffffff;
/** Loopback ranges are mapped address by address; a twin is never larger than this. */
const MAX_MAPPED = 1 << 20;

/**
 * Counts a miss for every stored service the scan covered but did not see, clears the misses of
 * those it saw, and records an exposure-gone event when a service reaches `goneAfter` misses (once;
 * seen again later, it is a new exposure again). Returns the number of services gone now.
 */
export async function settleMisses(ctx: ServiceContext, c: Coverage): Promise<number> {
  const db = ctx.store.db;
  const ports = new Set(c.services.map((s) => `${s.port}/${s.transport}`));
  const mapped: string[] = [];
  const keyed: { startKey: string; endKey: string }[] = [];
  for (const r of c.ranges) {
    if (r.start >= LOOPBACK_FIRST && r.end <= LOOPBACK_LAST && r.end - r.start < MAX_MAPPED) {
      for (let n = r.start; n <= r.end; n++) {
        const probed = intToIpv4(n);
        mapped.push(c.publicAddress(probed) ?? probed);
      }
    } else keyed.push({ startKey: ipKey(intToIpv4(r.start))!, endKey: ipKey(intToIpv4(r.end))! });
  }
  const now = ctx.now().toISOString();
  return db.transaction().execute(async (trx) => {
    await ctx.store.lockWriters(trx);
    const columns = ['services.id', 'services.assetId', 'services.port', 'services.transport', 'services.protocol', 'services.lastSeen', 'assets.ip', 'assets.provinceCode', 'assets.cityCode', 'assets.countyCode', 'assets.enterpriseId'] as const;
    const base = () => trx.selectFrom('services').innerJoin('assets', 'assets.id', 'services.assetId').select(columns);
    const covered: Awaited<ReturnType<ReturnType<typeof base>['execute']>> = [];
    const chunk = 500;
    for (let i = 0; i < mapped.length; i += chunk) covered.push(...(await base().where('assets.ip', 'in', mapped.slice(i, i + chunk)).execute()));
    for (const k of keyed) covered.push(...(await base().where('assets.ipKey', '>=', k.startKey).where('assets.ipKey', '<=', k.endKey).execute()));
    const relevant = covered.filter((s) => ports.has(`${s.port}/${s.transport}`));
    if (!relevant.length) return 0;
    const misses = new Map<string, { misses: number; goneAt: string | null }>();
    for (let i = 0; i < relevant.length; i += chunk) {
      const ids = relevant.slice(i, i + chunk).map((s) => s.id);
      for (const m of await trx.selectFrom('serviceMisses').select(['serviceId', 'misses', 'goneAt']).where('serviceId', 'in', ids).execute()) misses.set(m.serviceId, m);
    }
    const events: NewEvent[] = [];
    const cleared: string[] = [];
    const rows: { serviceId: string; assetId: string; misses: number; goneAt: string | null; lastScanId: string }[] = [];
    for (const s of relevant) {
      const place: Placement = { provinceCode: s.provinceCode ?? '', cityCode: s.cityCode, countyCode: s.countyCode, enterpriseId: s.enterpriseId };
      const prev = misses.get(s.id);
      if (s.lastSeen >= c.startedAt) {
        if (!prev) continue;
        cleared.push(s.id);
        if (prev.goneAt) events.push(exposureNewEvent({ ...s, source: c.source, observedAt: s.lastSeen, place }, s.assetId, { returned: true, goneAt: prev.goneAt }));
        continue;
      }
      const n = (prev?.misses ?? 0) + 1;
      let goneAt = prev?.goneAt ?? null;
      if (n >= c.goneAfter && !goneAt) {
        goneAt = now;
        events.push({
          kind: EXPOSURE_GONE,
          severity: 'none',
          assetId: s.assetId,
          ip: s.ip,
          place,
          source: c.source,
          summary: `${s.ip}:${s.port}/${s.transport} ${s.protocol} not seen in ${n} scans`,
          detail: { port: s.port, transport: s.transport, protocol: s.protocol, misses: n, lastSeen: s.lastSeen, scanId: c.scanId },
          occurredAt: now,
        });
      }
      rows.push({ serviceId: s.id, assetId: s.assetId, misses: n, goneAt, lastScanId: c.scanId });
    }
    for (let i = 0; i < cleared.length; i += chunk) await trx.deleteFrom('serviceMisses').where('serviceId', 'in', cleared.slice(i, i + chunk)).execute();
    for (let i = 0; i < rows.length; i += chunk) {
      await trx
        .insertInto('serviceMisses')
        .values(rows.slice(i, i + chunk))
        .onConflict((oc) => oc.column('serviceId').doUpdateSet((eb) => ({ misses: eb.ref('excluded.misses'), goneAt: eb.ref('excluded.goneAt'), lastScanId: eb.ref('excluded.lastScanId') })))
        .execute();
    }
    const counters = new CounterDeltas();
    await recordEvents(ctx, trx, events, counters, now);
    await counters.apply(ctx.store, trx);
    return events.filter((e) => e.kind === EXPOSURE_GONE).length;
  });
}

export interface RegionExposure {
  code: string;
  name: string;
  level: string;
  assets: number;
  vulnerableAssets: number;
  protocols: Record<string, number>;
  /** Exposure events of the last 7 days. */
  newExposures: number;
  goneExposures: number;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Exposure of a region and of each child region (the cities of the province, the counties of a
 * city): assets, vulnerable assets and assets per protocol from the running counters, new and gone
 * services of the last 7 days from the events. A region outside the actor's scope looks missing.
 */
export async function regionExposure(ctx: ServiceContext, actor: Actor, code: string): Promise<RegionExposure & { children: RegionExposure[] }> {
  if (!can(actor, 'read:stats') || actor.role === 'enterprise-user') throw appError(actor.role === 'enterprise-user' ? 'NOT_FOUND' : 'FORBIDDEN');
  const region = ctx.regions.get(code);
  if (!region) throw appError('NOT_FOUND');
  const place = { provinceCode: region.provinceCode, cityCode: region.cityCode, countyCode: region.countyCode, enterpriseId: null };
  if (!objectInScope(actor, place)) throw appError('NOT_FOUND');
  const column = region.level === 'province' ? 'provinceCode' : region.level === 'city' ? 'cityCode' : 'countyCode';
  const childColumn = region.level === 'province' ? 'cityCode' : 'countyCode';
  const db = ctx.store.db;
  const since = new Date(ctx.now().getTime() - WEEK_MS).toISOString();
  const [counters, events] = await Promise.all([
    db
      .selectFrom('statCounters')
      .where(column, '=', code)
      .where('enterpriseId', '=', '*')
      .where('metric', 'in', ['assets', 'vulnerable', 'protocol'])
      .select(['metric', 'key', childColumn, (eb) => eb.fn.sum<number>('n').as('n')])
      .groupBy(['metric', 'key', childColumn])
      .execute(),
    db
      .selectFrom('events')
      .where(column, '=', code)
      .where('kind', 'in', [EXPOSURE_NEW, EXPOSURE_GONE])
      .where('occurredAt', '>=', since)
      .select(['kind', childColumn, (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['kind', childColumn])
      .execute(),
  ]);
  const figures = (r: { code: string; name: string; level: string }, child: string | null): RegionExposure => {
    const mine = <T extends Record<string, unknown>>(rows: T[]) => (child === null ? rows : rows.filter((x) => (x[childColumn] || null) === child));
    const sum = (metric: string) => mine(counters).filter((c) => c.metric === metric).reduce((a, c) => a + Number(c.n), 0);
    const protocols: Record<string, number> = {};
    for (const c of mine(counters)) if (c.metric === 'protocol') protocols[c.key] = (protocols[c.key] ?? 0) + Number(c.n);
    for (const [k, n] of Object.entries(protocols)) if (n <= 0) delete protocols[k];
    const ev = (kind: string) => mine(events).filter((e) => e.kind === kind).reduce((a, e) => a + Number(e.n), 0);
    return { code: r.code, name: r.name, level: r.level, assets: sum('assets'), vulnerableAssets: sum('vulnerable'), protocols, newExposures: ev(EXPOSURE_NEW), goneExposures: ev(EXPOSURE_GONE) };
  };
  const children = region.level === 'county' ? [] : ctx.regions.children(code).map((c) => figures(c, c.code));
  return { ...figures(region, null), children };
}
