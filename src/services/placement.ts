// Moving assets between places (a newly registered enterprise network claims them, or the
// attribution changed since they were last seen): the asset, its findings, its warnings' scope
// and every counter that counted it move together.
import type { Transaction } from 'kysely';
import type { AssetTable, Database } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import type { Placement } from './attribution.ts';
import type { CounterDeltas } from './counters.ts';
import { attachToDraftWarning } from './matching.ts';
import { maxSeverity } from './severity.ts';
import type { Severity } from '../model/index.ts';

/**
 * Drafts are the regulator's work in progress: an asset's open findings leave the old owner's
 * draft warning (which is dropped once empty) for the new owner's. Issued warnings keep their
 * findings: what was sent stays as it was sent.
 */
async function moveDraftFindings(ctx: ServiceContext, trx: Transaction<Database>, assetId: string, to: Placement): Promise<void> {
  const findings = await trx.selectFrom('findings').select(['id', 'severity']).where('assetId', '=', assetId).where('status', '=', 'open').execute();
  const ids = findings.map((f) => f.id);
  const drafts = await trx
    .selectFrom('warningFindings')
    .innerJoin('warnings', 'warnings.id', 'warningFindings.warningId')
    .select('warnings.id')
    .distinct()
    .where('warningFindings.findingId', 'in', ids)
    .where('warnings.state', '=', 'draft')
    .execute();
  if (drafts.length) {
    const draftIds = drafts.map((d) => d.id);
    await trx.deleteFrom('warningFindings').where('findingId', 'in', ids).where('warningId', 'in', draftIds).execute();
    const empty = await trx
      .selectFrom('warnings')
      .select('id')
      .where('id', 'in', draftIds)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('warningFindings').select('findingId').whereRef('warningFindings.warningId', '=', 'warnings.id'))))
      .execute();
    if (empty.length) await trx.deleteFrom('warnings').where('id', 'in', empty.map((w) => w.id)).execute();
  }
  if (to.enterpriseId) await attachToDraftWarning(ctx, trx, to.enterpriseId, to, ids, maxSeverity(findings.map((f) => f.severity as Severity)), ctx.now().toISOString());
}

export function samePlace(a: Placement | AssetTable, b: Placement): boolean {
  return a.provinceCode === b.provinceCode && a.cityCode === b.cityCode && a.countyCode === b.countyCode && a.enterpriseId === b.enterpriseId;
}

export async function moveAssets(ctx: ServiceContext, trx: Transaction<Database>, moves: { asset: AssetTable; to: Placement }[], counters: CounterDeltas): Promise<void> {
  for (const { asset, to } of moves) {
    const from = asset;
    counters.add('assets', '', from, -1);
    counters.add('assets', '', to, 1);
    if (asset.vendor !== null) {
      counters.add('vendor', asset.vendor, from, -1);
      counters.add('vendor', asset.vendor, to, 1);
    }
    const protocols = await trx.selectFrom('services').select('protocol').distinct().where('assetId', '=', asset.id).execute();
    for (const s of protocols) {
      counters.add('protocol', s.protocol, from, -1);
      counters.add('protocol', s.protocol, to, 1);
    }
    const open = await trx.selectFrom('findings').select((eb) => eb.fn.countAll<number>().as('n')).where('assetId', '=', asset.id).where('status', '=', 'open').executeTakeFirstOrThrow();
    const n = Number(open.n);
    counters.add('findings', '', from, -n);
    counters.add('findings', '', to, n);
    counters.add('vulnerable', '', from, -Number(n > 0));
    counters.add('vulnerable', '', to, Number(n > 0));
    const events = await trx.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('assetId', '=', asset.id).executeTakeFirstOrThrow();
    counters.add('events', '', from, -Number(events.n));
    counters.add('events', '', to, Number(events.n));
    if (n && from.enterpriseId !== to.enterpriseId) await moveDraftFindings(ctx, trx, asset.id, to);
    const place = { provinceCode: to.provinceCode, cityCode: to.cityCode, countyCode: to.countyCode, enterpriseId: to.enterpriseId };
    await trx.updateTable('assets').set(place).where('id', '=', asset.id).execute();
    await trx.updateTable('findings').set(place).where('assetId', '=', asset.id).execute();
    await trx.updateTable('events').set(place).where('assetId', '=', asset.id).execute();
  }
}
