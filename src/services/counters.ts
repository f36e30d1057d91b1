// Running totals behind the overview (see StatCounterTable). Writers collect deltas while they
// change rows and apply them in the same transaction; `recount` rebuilds every total from the
// rows themselves (used to verify the deltas in tests, and to repair).
import { sql, type Transaction } from 'kysely';
import { bulkWrite, type Database, type StatCounterTable, type Store } from '../storage/index.ts';
import type { Placement } from './attribution.ts';

/**
 * assets: assets; vendor (key vendor): assets by identity vendor; protocol (key protocol): assets
 * exposing at least one service of that protocol; vulnerable: assets with an open finding;
 * findings: open findings; events: events.
 */
export type Metric = 'assets' | 'vendor' | 'protocol' | 'vulnerable' | 'findings' | 'events';

/** Where a counted thing sits; nullable like the rows it describes. */
export type CountedPlace = Pick<Placement, 'cityCode' | 'countyCode' | 'enterpriseId'> & { provinceCode: string | null };

export class CounterDeltas {
  private readonly rows = new Map<string, StatCounterTable>();

  add(metric: Metric, key: string, place: CountedPlace, n: number): void {
    if (!n) return;
    // Ingest calls this a few times per observation: build the key once, a row only when new.
    const city = place.cityCode ?? '';
    const county = place.countyCode ?? '';
    const prefix = `${metric}\u0000${key}\u0000${city}\u0000${county}\u0000`;
    this.bump(prefix + '*', metric, key, place.provinceCode ?? '', city, county, '*', n);
    if (place.enterpriseId) this.bump(prefix + place.enterpriseId, metric, key, place.provinceCode ?? '', city, county, place.enterpriseId, n);
  }

  private bump(k: string, metric: Metric, key: string, provinceCode: string, cityCode: string, countyCode: string, enterpriseId: string, n: number): void {
    const prev = this.rows.get(k);
    if (prev) prev.n += n;
    else this.rows.set(k, { metric, key, provinceCode, cityCode, countyCode, enterpriseId, n });
  }

  get size(): number {
    return this.rows.size;
  }

  async apply(store: Store, trx: Transaction<Database>): Promise<void> {
    const rows = [...this.rows.values()].filter((r) => r.n !== 0);
    await bulkWrite(store, trx, rows, (chunk) =>
      trx
        .insertInto('statCounters')
        .values(chunk)
        .onConflict((oc) => oc.columns(['metric', 'key', 'cityCode', 'countyCode', 'enterpriseId']).doUpdateSet({ n: sql`stat_counters.n + excluded.n` })),
    );
    this.rows.clear();
  }
}

/** Rebuilds every counter from the rows. */
export async function recount(store: Store): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    await store.lockWriters(trx);
    const d = new CounterDeltas();
    const place = ['provinceCode', 'cityCode', 'countyCode', 'enterpriseId'] as const;
    const assets = await trx.selectFrom('assets').select([...place, 'vendor', (eb) => eb.fn.countAll<number>().as('n')]).groupBy([...place, 'vendor']).execute();
    for (const a of assets) {
      d.add('assets', '', a, Number(a.n));
      if (a.vendor !== null) d.add('vendor', a.vendor, a, Number(a.n));
    }
    const protocols = await trx
      .selectFrom('services')
      .innerJoin('assets', 'assets.id', 'services.assetId')
      .select(['assets.provinceCode', 'assets.cityCode', 'assets.countyCode', 'assets.enterpriseId', 'services.protocol', (eb) => eb.fn.count<number>('services.assetId').distinct().as('n')])
      .groupBy(['assets.provinceCode', 'assets.cityCode', 'assets.countyCode', 'assets.enterpriseId', 'services.protocol'])
      .execute();
    for (const s of protocols) d.add('protocol', s.protocol, s, Number(s.n));
    const findings = await trx
      .selectFrom('findings')
      .where('status', '=', 'open')
      .select([...place, (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('assetId').distinct().as('assets')])
      .groupBy([...place])
      .execute();
    for (const f of findings) {
      d.add('findings', '', f, Number(f.n));
      d.add('vulnerable', '', f, Number(f.assets));
    }
    const events = await trx.selectFrom('events').select([...place, (eb) => eb.fn.countAll<number>().as('n')]).groupBy([...place]).execute();
    for (const e of events) d.add('events', '', e, Number(e.n));
    await trx.deleteFrom('statCounters').execute();
    await d.apply(store, trx);
  });
}
