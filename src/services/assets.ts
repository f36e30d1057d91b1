// The asset inventory as an actor may see it: filters, paging, services and identity per asset.
import { appError } from '../errors.ts';
import type { Actor, DeviceIdentity } from '../model/index.ts';
import { can, inScope, scopeKind } from '../access/index.ts';
import type { ServiceContext } from './context.ts';
import { page, type Page, type PageQuery } from './paging.ts';
import { containsText } from './text-search.ts';

export interface AssetQuery extends PageQuery {
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

export async function listAssets(ctx: ServiceContext, actor: Actor, q: AssetQuery): Promise<Page<AssetView>> {
  if (!can(actor, 'read:assets')) throw appError('FORBIDDEN');
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
  if (q.protocol) {
    const protocol = q.protocol;
    query = query.where((eb) => eb.exists(eb.selectFrom('services').select('services.id').whereRef('services.assetId', '=', 'assets.id').where('services.protocol', '=', protocol)));
  }
  if (q.q) {
    const text = q.q;
    query = query.where((eb) =>
      eb.or([eb('assets.ip', '=', text), ...['assets.vendor', 'assets.product', 'assets.model', 'assets.firmware'].map((c) => containsText(c, text))]),
    );
  }
  const { limit, offset } = page(q);
  const counted = q.q || (q.vendor && q.protocol) ? null : countFromCounters(ctx, actor, q);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('enterprises', 'enterprises.id', 'assets.enterpriseId')
      .selectAll('assets')
      .select('enterprises.name as enterpriseName')
      .orderBy('assets.ipKey')
      .limit(limit)
      .offset(offset)
      .execute(),
    counted ?? query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const ids = rows.map((r) => r.id);
  const [services, identities, findings] = ids.length
    ? await Promise.all([
        db.selectFrom('services').select(['assetId', 'port', 'transport', 'protocol', 'firstSeen', 'lastSeen']).where('assetId', 'in', ids).orderBy('port').execute(),
        db.selectFrom('identities').selectAll().where('assetId', 'in', ids).orderBy('observedAt', 'desc').execute(),
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
  return { items, total: Number(count.n) };
}
