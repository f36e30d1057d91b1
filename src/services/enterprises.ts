// Enterprises, their networks and domains. An enterprise lives in a city or county of the pack;
// its networks attribute assets to it (and to its county).
import { appError } from '../errors.ts';
import { newId, type Actor } from '../model/index.ts';
import { validateCreditCode } from '../model/credit-code.ts';
import { validateIndustryCode } from '../model/industry.ts';
import { parseCidr } from '../net/index.ts';
import { can, inScope, objectInScope } from '../access/index.ts';
import type { EnterpriseTable } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import { audit } from './audit.ts';
import { page, type Page, type PageQuery } from './paging.ts';
import { containsText } from './text-search.ts';
import { CounterDeltas } from './counters.ts';
import { moveAssets, samePlace } from './placement.ts';

export interface Contact {
  name: string;
  phone?: string;
  email?: string;
  role?: string;
}

export interface EnterpriseInput {
  name: string;
  creditCode: string;
  industryCode: string;
  regionCode: string;
  classification?: string;
  grade?: string;
  contacts?: Contact[];
}

export interface Enterprise {
  id: string;
  name: string;
  creditCode: string;
  industryCode: string;
  regionCode: string;
  cityCode: string | null;
  countyCode: string | null;
  classification: string | null;
  grade: string | null;
  contacts: Contact[];
  createdAt: string;
}

function toEnterprise(r: EnterpriseTable): Enterprise {
  return {
    id: r.id,
    name: r.name,
    creditCode: r.creditCode,
    industryCode: r.industryCode,
    regionCode: r.regionCode,
    cityCode: r.cityCode,
    countyCode: r.countyCode,
    classification: r.classification,
    grade: r.grade,
    contacts: JSON.parse(r.contacts) as Contact[],
    createdAt: r.createdAt,
  };
}

export async function createEnterprise(ctx: ServiceContext, actor: Actor, input: EnterpriseInput): Promise<Enterprise> {
  if (!can(actor, 'write:enterprises')) throw appError('FORBIDDEN');
  const credit = validateCreditCode(input.creditCode);
  if (!credit.ok) throw appError('INVALID_CREDIT_CODE', `invalid unified social credit code: ${credit.reason}`);
  const industry = validateIndustryCode(input.industryCode);
  if (!industry.ok) throw appError('INVALID_INDUSTRY_CODE', `invalid GB/T 4754-2017 code: ${industry.reason}`);
  const region = ctx.regions.get(input.regionCode);
  if (!region || region.level === 'province') throw appError('INVALID_REGION', `'${input.regionCode}' is not a city or county of ${ctx.regions.province.name}`);
  const place = { provinceCode: region.provinceCode, cityCode: region.cityCode, countyCode: region.countyCode };
  // Creating outside one's own region is refused the same way as any other out-of-scope write.
  if (!objectInScope(actor, { ...place, enterpriseId: null })) throw appError('FORBIDDEN', 'the region is outside your scope');
  const now = ctx.now().toISOString();
  const row: EnterpriseTable = {
    id: newId(),
    name: input.name,
    creditCode: credit.code,
    industryCode: input.industryCode,
    regionCode: region.code,
    ...place,
    classification: input.classification ?? null,
    grade: input.grade ?? null,
    contacts: JSON.stringify(input.contacts ?? []),
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    const dup = await trx.selectFrom('enterprises').select('id').where('creditCode', '=', row.creditCode).executeTakeFirst();
    if (dup) throw appError('CONFLICT', `an enterprise with credit code ${row.creditCode} exists`);
    await trx.insertInto('enterprises').values(row).execute();
    await audit(trx, actor, 'enterprise.create', 'enterprise', row.id, { name: row.name, creditCode: row.creditCode, regionCode: row.regionCode });
  });
  return toEnterprise(row);
}

export async function listEnterprises(ctx: ServiceContext, actor: Actor, q: PageQuery & { region?: string; q?: string }): Promise<Page<Enterprise>> {
  if (!can(actor, 'read:enterprises')) throw appError('FORBIDDEN');
  let query = ctx.store.db.selectFrom('enterprises').where(inScope(actor, { enterpriseColumn: 'id' }));
  if (q.region) {
    const r = ctx.regions.get(q.region);
    if (!r) throw appError('INVALID_REGION', `'${q.region}' is not a region code`);
    const column = r.level === 'city' ? 'cityCode' : r.level === 'county' ? 'countyCode' : 'provinceCode';
    query = query.where(column, '=', r.code);
  }
  if (q.q) {
    const text = q.q;
    query = query.where((eb) => eb.or([containsText('name', text), eb('creditCode', '=', text.toUpperCase())]));
  }
  const { limit, offset } = page(q);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toEnterprise), total: Number(count.n) };
}

/** An enterprise the actor may see; missing and out-of-scope both answer NOT_FOUND. */
export async function getEnterprise(ctx: ServiceContext, actor: Actor, id: string): Promise<Enterprise> {
  if (!can(actor, 'read:enterprises')) throw appError('FORBIDDEN');
  const row = await ctx.store.db
    .selectFrom('enterprises')
    .selectAll()
    .where('id', '=', id)
    .where(inScope(actor, { enterpriseColumn: 'id' }))
    .executeTakeFirst();
  if (!row) throw appError('NOT_FOUND');
  return toEnterprise(row);
}

export interface EnterpriseNetwork {
  id: string;
  enterpriseId: string;
  cidr: string;
  family: number;
  prefix: number;
  createdAt: string;
}

// Broader blocks than these are carrier ranges, not an enterprise's network.
const MIN_PREFIX = { 4: 16, 6: 32 } as const;

export async function addNetwork(ctx: ServiceContext, actor: Actor, enterpriseId: string, cidrText: string): Promise<EnterpriseNetwork> {
  if (!can(actor, 'write:enterprises')) throw appError('FORBIDDEN');
  const enterprise = await getEnterprise(ctx, actor, enterpriseId);
  const cidr = parseCidr(cidrText);
  if (!cidr) throw appError('INVALID_CIDR', `'${cidrText}' is not an IPv4 or IPv6 CIDR`);
  if (cidr.prefix < MIN_PREFIX[cidr.family]) throw appError('INVALID_CIDR', `${cidr.normalized} is broader than /${MIN_PREFIX[cidr.family]}: register the enterprise's own blocks`);
  const now = ctx.now().toISOString();
  const row = { id: newId(), enterpriseId, cidr: cidr.normalized, family: cidr.family, prefix: cidr.prefix, startKey: cidr.startKey, endKey: cidr.endKey, createdAt: now };
  const entry = { cidr: row.cidr, enterpriseId, provinceCode: ctx.regions.province.code, cityCode: enterprise.cityCode, countyCode: enterprise.countyCode };
  await ctx.store.db.transaction().execute(async (trx) => {
    await ctx.store.lockWriters(trx);
    const dup = await trx.selectFrom('enterpriseNetworks').select('id').where('enterpriseId', '=', enterpriseId).where('cidr', '=', row.cidr).executeTakeFirst();
    if (dup) throw appError('CONFLICT', `${row.cidr} is already registered for this enterprise`);
    // A registration may not reach past the actor's scope: not into another region's enterprise's
    // block, and not over assets the actor cannot see (they would move into its scope).
    const overlapping = await trx
      .selectFrom('enterpriseNetworks')
      .innerJoin('enterprises', 'enterprises.id', 'enterpriseNetworks.enterpriseId')
      .select(['enterprises.id as enterpriseId', 'enterprises.provinceCode', 'enterprises.cityCode', 'enterprises.countyCode'])
      .where('enterpriseNetworks.startKey', '<=', row.endKey)
      .where('enterpriseNetworks.endKey', '>=', row.startKey)
      .where('enterpriseNetworks.enterpriseId', '!=', enterpriseId)
      .execute();
    if (overlapping.some((o) => !objectInScope(actor, o))) throw appError('FORBIDDEN', `${row.cidr} overlaps a network registered to an enterprise outside your scope`);
    const inside = await trx.selectFrom('assets').selectAll().where('ipKey', '>=', row.startKey).where('ipKey', '<=', row.endKey).execute();
    const moves = [];
    for (const asset of inside) {
      const to = ctx.attribution.placeWith(entry, asset.ip);
      if (!to || samePlace(asset, to)) continue;
      if (!objectInScope(actor, asset)) throw appError('FORBIDDEN', `${row.cidr} contains assets outside your scope; a province analyst can register it`);
      moves.push({ asset, to });
    }
    await trx.insertInto('enterpriseNetworks').values(row).execute();
    const counters = new CounterDeltas();
    await moveAssets(ctx, trx, moves, counters);
    await counters.apply(ctx.store, trx);
    await audit(trx, actor, 'enterprise.network.add', 'enterprise', enterpriseId, { cidr: row.cidr, movedAssets: moves.length });
  });
  ctx.attribution.add(entry);
  return { id: row.id, enterpriseId, cidr: row.cidr, family: row.family, prefix: row.prefix, createdAt: now };
}

export async function listNetworks(ctx: ServiceContext, actor: Actor, enterpriseId: string): Promise<EnterpriseNetwork[]> {
  await getEnterprise(ctx, actor, enterpriseId);
  return ctx.store.db
    .selectFrom('enterpriseNetworks')
    .select(['id', 'enterpriseId', 'cidr', 'family', 'prefix', 'createdAt'])
    .where('enterpriseId', '=', enterpriseId)
    .orderBy('startKey')
    .execute();
}

// RFC 1035 §2.3.1 labels (letters, digits, inner hyphens), at least two labels, IDNs as punycode.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export interface EnterpriseDomain {
  id: string;
  enterpriseId: string;
  domain: string;
  createdAt: string;
}

export async function addDomain(ctx: ServiceContext, actor: Actor, enterpriseId: string, domainText: string): Promise<EnterpriseDomain> {
  if (!can(actor, 'write:enterprises')) throw appError('FORBIDDEN');
  await getEnterprise(ctx, actor, enterpriseId);
  const domain = domainText.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(domain)) throw appError('VALIDATION_FAILED', `'${domainText}' is not a domain name`);
  const row = { id: newId(), enterpriseId, domain, createdAt: ctx.now().toISOString() };
  await ctx.store.db.transaction().execute(async (trx) => {
    const dup = await trx.selectFrom('enterpriseDomains').select('id').where('enterpriseId', '=', enterpriseId).where('domain', '=', domain).executeTakeFirst();
    if (dup) throw appError('CONFLICT', `${domain} is already registered for this enterprise`);
    await trx.insertInto('enterpriseDomains').values(row).execute();
    await audit(trx, actor, 'enterprise.domain.add', 'enterprise', enterpriseId, { domain });
  });
  return row;
}

export async function listDomains(ctx: ServiceContext, actor: Actor, enterpriseId: string): Promise<EnterpriseDomain[]> {
  await getEnterprise(ctx, actor, enterpriseId);
  return ctx.store.db.selectFrom('enterpriseDomains').selectAll().where('enterpriseId', '=', enterpriseId).orderBy('domain').execute();
}

/** Every registered network, for the attribution table at start. */
export async function allNetworks(ctx: ServiceContext) {
  return ctx.store.db
    .selectFrom('enterpriseNetworks')
    .innerJoin('enterprises', 'enterprises.id', 'enterpriseNetworks.enterpriseId')
    .select(['enterpriseNetworks.cidr', 'enterpriseNetworks.enterpriseId', 'enterprises.provinceCode', 'enterprises.cityCode', 'enterprises.countyCode'])
    .execute();
}
