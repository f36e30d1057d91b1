// The overview: totals and per-city figures for the map, within the actor's scope. Asset, protocol,
// finding and event figures come from the running counters (counters.ts), so the cost does not
// grow with the number of assets.
import { appError } from '../errors.ts';
import type { Actor } from '../model/index.ts';
import { can, inScope, scopeKind } from '../access/index.ts';
import type { ServiceContext } from './context.ts';

export interface Overview {
  totals: { assets: number; vulnerableAssets: number; findings: number; events: number; enterprises: number; openWarnings: number };
  cities: { code: string; name: string; assets: number; vulnerableAssets: number; events: number }[];
  /** Assets exposing each protocol. */
  protocols: { protocol: string; assets: number }[];
  vendors: { vendor: string; assets: number }[];
}

export async function overview(ctx: ServiceContext, actor: Actor): Promise<Overview> {
  if (!can(actor, 'read:stats')) throw appError('FORBIDDEN');
  const db = ctx.store.db;
  const scope = inScope(actor);
  // Region actors read the region rows ('*'); an enterprise user reads its enterprise's rows.
  const rowsOf = scopeKind(actor.role) === 'enterprise' ? actor.enterpriseId ?? '' : '*';
  const [counters, enterprises, warnings] = await Promise.all([
    db
      .selectFrom('statCounters')
      .where(scope)
      .where('enterpriseId', '=', rowsOf)
      .select(['metric', 'key', 'cityCode', (eb) => eb.fn.sum<number>('n').as('n')])
      .groupBy(['metric', 'key', 'cityCode'])
      .execute(),
    db.selectFrom('enterprises').where(inScope(actor, { enterpriseColumn: 'id' })).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db
      .selectFrom('warnings')
      .where(scope)
      .where('state', 'not in', ['resolved', ...(actor.role === 'enterprise-user' ? ['draft'] : [])])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const total = (metric: string) => counters.filter((c) => c.metric === metric).reduce((a, c) => a + Number(c.n), 0);
  const perCity = (metric: string, city: string) => counters.filter((c) => c.metric === metric && c.cityCode === city).reduce((a, c) => a + Number(c.n), 0);
  const byKey = (metric: string) => {
    const m = new Map<string, number>();
    for (const c of counters) if (c.metric === metric) m.set(c.key, (m.get(c.key) ?? 0) + Number(c.n));
    return [...m.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  return {
    totals: {
      assets: total('assets'),
      vulnerableAssets: total('vulnerable'),
      findings: total('findings'),
      events: total('events'),
      enterprises: Number(enterprises.n),
      openWarnings: Number(warnings.n),
    },
    cities: ctx.regions.children(ctx.regions.province.code).map((c) => ({
      code: c.code,
      name: c.name,
      assets: perCity('assets', c.code),
      vulnerableAssets: perCity('vulnerable', c.code),
      events: perCity('events', c.code),
    })),
    protocols: byKey('protocol').slice(0, 20).map(([protocol, assets]) => ({ protocol, assets })),
    vendors: byKey('vendor').slice(0, 15).map(([vendor, assets]) => ({ vendor, assets })),
  };
}
