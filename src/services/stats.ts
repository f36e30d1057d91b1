// The overview: totals and per-city figures for the map, within the actor's scope.
import { appError } from '../errors.ts';
import type { Actor } from '../model/index.ts';
import { can, inScope } from '../access/index.ts';
import type { ServiceContext } from './context.ts';

export interface Overview {
  totals: { assets: number; vulnerableAssets: number; findings: number; events: number; enterprises: number; openWarnings: number };
  cities: { code: string; name: string; assets: number; vulnerableAssets: number; events: number }[];
  protocols: { protocol: string; services: number }[];
  vendors: { vendor: string; assets: number }[];
}

export async function overview(ctx: ServiceContext, actor: Actor): Promise<Overview> {
  if (!can(actor, 'read:stats')) throw appError('FORBIDDEN');
  const db = ctx.store.db;
  const scope = inScope(actor);
  const [assets, vulnerable, findings, events, enterprises, warnings, protocols, vendors] = await Promise.all([
    db.selectFrom('assets').where(scope).select(['cityCode', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('cityCode').execute(),
    db
      .selectFrom('findings')
      .where(scope)
      .where('status', '=', 'open')
      .select(['cityCode', (eb) => eb.fn.count<number>('assetId').distinct().as('n')])
      .groupBy('cityCode')
      .execute(),
    db.selectFrom('findings').where(scope).where('status', '=', 'open').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('events').where(scope).select(['cityCode', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('cityCode').execute(),
    db.selectFrom('enterprises').where(inScope(actor, { enterpriseColumn: 'id' })).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db
      .selectFrom('warnings')
      .where(scope)
      .where('state', 'not in', ['resolved', ...(actor.role === 'enterprise-user' ? ['draft'] : [])])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('services')
      .innerJoin('assets', 'assets.id', 'services.assetId')
      .where(inScope(actor, { table: 'assets' }))
      .select(['services.protocol', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('services.protocol')
      .orderBy('n', 'desc')
      .limit(20)
      .execute(),
    db
      .selectFrom('assets')
      .where(scope)
      .where('vendor', 'is not', null)
      .select(['vendor', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('vendor')
      .orderBy('n', 'desc')
      .limit(15)
      .execute(),
  ]);
  const count = (rows: { cityCode: string | null; n: number }[], code: string) => Number(rows.find((r) => r.cityCode === code)?.n ?? 0);
  const cities = ctx.regions.children(ctx.regions.province.code).map((c) => ({
    code: c.code,
    name: c.name,
    assets: count(assets, c.code),
    vulnerableAssets: count(vulnerable, c.code),
    events: count(events, c.code),
  }));
  const sum = (rows: { n: number }[]) => rows.reduce((a, r) => a + Number(r.n), 0);
  return {
    totals: {
      assets: sum(assets),
      vulnerableAssets: sum(vulnerable),
      findings: Number(findings.n),
      events: sum(events),
      enterprises: Number(enterprises.n),
      openWarnings: Number(warnings.n),
    },
    cities,
    protocols: protocols.map((p) => ({ protocol: p.protocol, services: Number(p.n) })),
    vendors: vendors.map((v) => ({ vendor: v.vendor!, assets: Number(v.n) })),
  };
}
