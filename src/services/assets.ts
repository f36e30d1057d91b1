// The asset inventory as an actor may see it: filters, paging, services and identity per asset.
import { appError } from '../errors.ts';
import type { Actor, DeviceIdentity } from '../model/index.ts';
import { can, inScope, scopeKind } from '../access/index.ts';
import type { ServiceContext } from './context.ts';
import { decodeCursor, encodeCursor, filterDigest, page, type CursorPage, type CursorQuery } from './paging.ts';
import { containsText } from './text-search.ts';

export interface AssetQuery extends CursorQuery {
  region?: string;
  enterprise?: string;
  protocol?: string;
  vendor?: string;
  q?: string;
}

export interface AssetView {
  id: string;
  ip: string;
  regionCode: string | null;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  enterpriseName: string | null;
  honeypot: boolean;
  firstSeen: string;
  lastSeen: string;
  findingCount: number;
  services: { port: number; transport: string; protocol: string; firstSeen: string; lastSeen: string }[];
  identity: DeviceIdentity;
}

/**
 * The total of a page from the running counters when one counter answers the filter exactly
 * (region, enterprise, and one of vendor or protocol), so a page over a million assets does not
 * count them. Other filters (free text, vendor with protocol) count the rows.
 */
async function countFromCounters(ctx: ServiceContext, actor: Actor, q: AssetQuery): Promise<{ n: number }> {
  const [metric, key] = q.vendor ? ['vendor', q.vendor] : q.protocol ? ['protocol', q.protocol] : ['assets', ''];
  const rowsOf = q.enterprise ?? (scopeKind(actor.role) === 'enterprise' ? (actor.enterpriseId ?? '') : '*');
  let query = ctx.store.db.selectFrom('statCounters').where(inScope(actor)).where('metric', '=', metric).where('key', '=', key).where('enterpriseId', '=', rowsOf);
  const region = q.region ? ctx.regions.get(q.region) : null;
  if (region?.level === 'city') query = query.where('cityCode', '=', region.code);
  if (region?.level === 'county') query = query.where('countyCode', '=', region.code);
  if (region?.level === 'province') query = query.where('provinceCode', '=', region.code);
  const row = await query.select((eb) => eb.fn.sum<number>('n').as('n')).executeTakeFirst();
  return { n: Number(row?.n ?? 0) };
}

/**
 * A numbered page with a protocol filter steps over every earlier match, and each asset it steps
 * over costs a seek in services. PostgreSQL prices that walk in address order as random heap reads
 * and, past the first pages, reads assets and services whole, joins them and sorts the region
 * instead: at 1,000,000 assets ~240 ms whatever the page, where the walk costs ~2.5 µs an asset
 * (BENCHMARKS.md). So the walk is made explicit while it steps over at most a tenth of the assets
 * the actor sees; a longer one is left to the planner.
 */
const WALK_SHARE = 10;

/**
 * Whether the walk to the end of a numbered page (`through` matches) is short: the counters say
 * how many assets pass the filter without its protocol and how many of those have it, so the walk
 * steps over about through × all / matching assets (all of them when the page lies past the end).
 */
async function walkIsShort(ctx: ServiceContext, actor: Actor, q: AssetQuery, matching: Promise<{ n: number }>, through: number): Promise<boolean> {
  const [m, all, visible] = await Promise.all([matching, countFromCounters(ctx, actor, { ...q, protocol: undefined }), countFromCounters(ctx, actor, {})]);
  const walked = m.n > through ? (through * all.n) / m.n : all.n;
  return walked * WALK_SHARE <= visible.n;
}

/**
 * Assets are listed by address, then id: a total order (two spellings of one address, 1.2.3.4 and
 * ::ffff:1.2.3.4, share an ip_key) that re-observation does not change, so walking the pages with
 * cursors neither skips nor repeats an asset while scans update last_seen. Every filter column
 * leads an index ending in (ip_key, id) (migration 008), so a page is an index seek plus a short
 * range scan at any depth.
 */
const isAssetKey = (key: string[]) => key.length === 2 && /^[0-9a-f]{32}$/.test(key[0]) && /^[\x21-\x7e]{1,64}$/.test(key[1]);

/**
 * A page of the assets the actor may see. `cursor` (from a previous page's nextCursor or
 * prevCursor) continues a walk; `page` still addresses a page by number (an OFFSET, as slow as it
 * is deep; see WALK_SHARE) and its answer carries cursors too, so a walk may start at any numbered page.
 */
export async function listAssets(ctx: ServiceContext, actor: Actor, q: AssetQuery): Promise<CursorPage<AssetView>> {
  if (!can(actor, 'read:assets')) throw appError('FORBIDDEN');
  if (q.cursor !== undefined && q.page !== undefined) throw appError('VALIDATION_FAILED', 'page and cursor exclude each other: a cursor carries its own position');
  const digest = filterDigest({ region: q.region, enterprise: q.enterprise, protocol: q.protocol, vendor: q.vendor, q: q.q });
  const cursor = q.cursor === undefined ? null : decodeCursor(q.cursor, digest, isAssetKey);
  const db = ctx.store.db;
  let query = db.selectFrom('assets').where(inScope(actor, { table: 'assets' }));
  if (q.region) {
    const r = ctx.regions.get(q.region);
    if (!r) throw appError('INVALID_REGION', `'${q.region}' is not a region code`);
    if (r.level === 'city') query = query.where('assets.cityCode', '=', r.code);
    else if (r.level === 'county') query = query.where('assets.countyCode', '=', r.code);
    else query = query.where('assets.provinceCode', '=', r.code);
  }
  if (q.enterprise) query = query.where('assets.enterpriseId', '=', q.enterprise);
  if (q.vendor) query = query.where('assets.vendor', '=', q.vendor);
  if (q.q) {
    const text = q.q;
    query = query.where((eb) =>
      eb.or([eb('assets.ip', '=', text), ...['assets.vendor', 'assets.product', 'assets.model', 'assets.firmware'].map((c) => containsText(c, text))]),
    );
  }
  const { limit, offset } = page(q);
  const counted = q.q || (q.vendor && q.protocol) ? null : countFromCounters(ctx, actor, q);
  const numbered = !cursor && offset > 0;
  if (q.protocol) {
    const protocol = q.protocol;
    const each = numbered && counted !== null && (await walkIsShort(ctx, actor, q, counted, offset + limit + 1));
    query = query.where((eb) => {
      const probe = eb.selectFrom('services').select('services.assetId').whereRef('services.assetId', '=', 'assets.id').where('services.protocol', '=', protocol);
      // With OFFSET 0 PostgreSQL plans the subquery as written, a seek per asset, instead of
      // turning EXISTS into a join (SQLite, which runs EXISTS per asset anyway, needs a LIMIT with it).
      return eb.exists(each ? probe.limit(1).offset(0) : probe);
    });
  }
  const backwards = cursor?.direction === 'before';
  let rowsQuery = query;
  if (cursor) {
    // (ip_key, id) > (k, i) spelled so that both planners seek on ip_key: ip_key >= k AND (ip_key > k OR id > i).
    const [ipKey, id] = cursor.key;
    rowsQuery = backwards
      ? rowsQuery.where('assets.ipKey', '<=', ipKey).where((eb) => eb.or([eb('assets.ipKey', '<', ipKey), eb('assets.id', '<', id)]))
      : rowsQuery.where('assets.ipKey', '>=', ipKey).where((eb) => eb.or([eb('assets.ipKey', '>', ipKey), eb('assets.id', '>', id)]));
  }
  const direction = backwards ? 'desc' : 'asc';
  // One row past the page says whether another page follows (or, read backwards, precedes).
  // A numbered page steps over `offset` matches reading their ids only, then reads its own rows
  // whole: the enterprise join and the wide rows cost per row of the page, not per row stepped over.
  const [fetched, count] = await Promise.all([
    numbered
      ? db
          .selectFrom(rowsQuery.select('assets.id').orderBy('assets.ipKey').orderBy('assets.id').limit(limit + 1).offset(offset).as('page'))
          .innerJoin('assets', 'assets.id', 'page.id')
          .leftJoin('enterprises', 'enterprises.id', 'assets.enterpriseId')
          .selectAll('assets')
          .select('enterprises.name as enterpriseName')
          .orderBy('assets.ipKey')
          .orderBy('assets.id')
          .execute()
      : rowsQuery
          .leftJoin('enterprises', 'enterprises.id', 'assets.enterpriseId')
          .selectAll('assets')
          .select('enterprises.name as enterpriseName')
          .orderBy('assets.ipKey', direction)
          .orderBy('assets.id', direction)
          .limit(limit + 1)
          .execute(),
    counted ?? query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  if (backwards) rows.reverse();
  const at = (direction: 'after' | 'before', r: { ipKey: string; id: string } | undefined) => (r ? encodeCursor({ direction, key: [r.ipKey, r.id] }, digest) : null);
  const nextCursor = backwards || more ? at('after', rows.at(-1)) : null;
  const prevCursor = backwards ? (more ? at('before', rows[0]) : null) : cursor || offset > 0 ? at('before', rows[0]) : null;
  const ids = rows.map((r) => r.id);
  const [services, identities, findings] = ids.length
    ? await Promise.all([
        db.selectFrom('services').select(['assetId', 'port', 'transport', 'protocol', 'firstSeen', 'lastSeen']).where('assetId', 'in', ids).orderBy('port').execute(),
        // Through the services' endpoint key (asset first), then the identity's own key: no index of identities by asset.
        db
          .selectFrom('services')
          .innerJoin('identities', 'identities.serviceId', 'services.id')
          .selectAll('identities')
          .where('services.assetId', 'in', ids)
          .orderBy('identities.observedAt', 'desc')
          .execute(),
        db.selectFrom('findings').select('assetId').select((eb) => eb.fn.countAll<number>().as('n')).where('assetId', 'in', ids).where('status', '=', 'open').groupBy('assetId').execute(),
      ])
    : [[], [], []];
  const items = rows.map((r): AssetView => {
    // The asset's identity merges its services' identities, newest first.
    const identity: DeviceIdentity = {};
    for (const id of identities.filter((i) => i.assetId === r.id)) {
      for (const f of ['vendor', 'product', 'model', 'orderNumber', 'firmware', 'hardware', 'serial', 'moduleName', 'plantId'] as const) {
        if (identity[f] === undefined && id[f] !== null) identity[f] = id[f]!;
      }
    }
    return {
      id: r.id,
      ip: r.ip,
      regionCode: r.countyCode ?? r.cityCode ?? r.provinceCode,
      provinceCode: r.provinceCode,
      cityCode: r.cityCode,
      countyCode: r.countyCode,
      enterpriseId: r.enterpriseId,
      enterpriseName: r.enterpriseName,
      honeypot: !!r.honeypot,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      findingCount: Number(findings.find((f) => f.assetId === r.id)?.n ?? 0),
      services: services.filter((s) => s.assetId === r.id).map(({ assetId: _a, ...s }) => s),
      identity,
    };
  });
  return { items, total: Number(count.n), nextCursor, prevCursor };
}
