// Risk scores (风险评分) for an asset, an enterprise and a region, each 0–100 and each returned with
// the factors that made it: weight, the factor's value in [0, 1] and the points it gave, so the
// dashboard can explain every number. The weights are data (ASSET_WEIGHTS …), not buried in code.
//
// Asset: the worst open finding (CVSS v3 base score / 10, times the identity confidence of that
// finding), how many findings are open, whether an advisory marks one of the finding's CVEs as
// known exploited (CISA KEV notes in CSAF, KEV/SSVC in CVE 5 ADP), and exposure: a public address,
// the number of ICS services answering, and a protocol that carries no authentication. A honeypot
// is a trap, not a device at risk: its score is 0.
import { appError } from '../errors.ts';
import type { Actor, Confidence, Severity } from '../model/index.ts';
import { can, inScope, scopeKind } from '../access/index.ts';
import { sql } from 'kysely';
import { chunkSize } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import { OPEN_STATES } from './warnings.ts';

export type RiskLevel = 'critical' | 'high' | 'medium' | 'low' | 'none';

export interface RiskFactor {
  key: string;
  /** Points the factor gives at value 1; 0 for a multiplier (confidence) or an override (honeypot). */
  weight: number;
  /** In [0, 1]. */
  value: number;
  points: number;
  detail: string;
}

export interface RiskScore {
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
}

export const ASSET_WEIGHTS = { cvss: 45, knownExploited: 20, findings: 10, publicAddress: 10, unauthenticated: 10, icsServices: 5 } as const;
export const ENTERPRISE_WEIGHTS = { maxAsset: 60, topAssets: 25, overdue: 15 } as const;
export const REGION_WEIGHTS = { topAssets: 50, highShare: 30, overdue: 20 } as const;
export const CONFIDENCE_WEIGHT: Record<Confidence, number> = { confirmed: 1, likely: 0.8, possible: 0.5 };
/** A finding without a score (CNVD publishes only a level) counts as the middle of its FIRST CVSS v3.1 §5 band. */
const SEVERITY_SCORE: Record<Severity, number> = { critical: 9.5, high: 8, medium: 5.5, low: 2.5, none: 0 };

/**
 * Protocols that carry no authentication in their base specification, so anyone who reaches the
 * port may read and, mostly, write: Modbus Application Protocol v1.1b3 (no session at all), S7comm
 * (ISO-on-TCP jobs carry no credential), EtherNet/IP CIP without CIP Security (ODVA Vol. 8),
 * FINS, IEC 60870-5-104 without IEC 62351-5, DNP3 without Secure Authentication (IEEE 1815 §7,
 * rarely enabled and not visible to a probe), BACnet/IP (ASHRAE 135, before BACnet/SC). OPC UA,
 * MQTT, S7comm-plus and Fox can require credentials, so they do not count here.
 */
export const UNAUTHENTICATED_PROTOCOLS: ReadonlySet<string> = new Set(['modbus', 's7comm', 'enip', 'fins', 'iec104', 'dnp3', 'bacnet']);

export interface AssetRiskInput {
  ip: string;
  honeypot: boolean;
  services: { protocol: string; port: number }[];
  findings: { advisoryId: string; cvss: number | null; severity: Severity; confidence: Confidence; knownExploited: boolean }[];
}

export function levelOf(score: number): RiskLevel {
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 40) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const factor = (key: string, weight: number, value: number, detail: string): RiskFactor => ({ key, weight, value: round1(value * 100) / 100, points: round1(weight * value), detail });

function total(factors: RiskFactor[]): number {
  return Math.min(100, Math.max(0, Math.round(factors.reduce((s, f) => s + f.points, 0))));
}

/**
 * What an asset's score is computed from: enough to aggregate in SQL for a million assets (the
 * highest effective CVSS per confidence, counts, protocols), with the advisories named when known.
 */
export interface AssetRiskSummary {
  ip: string;
  honeypot: boolean;
  serviceCount: number;
  /** Exposed protocols without authentication (UNAUTHENTICATED_PROTOCOLS), without repeats. */
  unauthenticated: string[];
  findingCount: number;
  /** Highest CVSS of the open findings of each confidence (a level's mid-band score when unscored). */
  best: Record<Confidence, number | null>;
  /** The strongest confidence among open findings with a known-exploited CVE. */
  kevConfidence: Confidence | null;
  worstAdvisory?: string;
  worstUnscored?: Severity;
  kevAdvisory?: string;
}

const CONFIDENCES: Confidence[] = ['confirmed', 'likely', 'possible'];

export function summarise(a: AssetRiskInput): AssetRiskSummary {
  const best: Record<Confidence, number | null> = { confirmed: null, likely: null, possible: null };
  let worst: { value: number; f: AssetRiskInput['findings'][number] } | null = null;
  let kev: AssetRiskInput['findings'][number] | null = null;
  for (const f of a.findings) {
    const cvss = f.cvss ?? SEVERITY_SCORE[f.severity];
    if (best[f.confidence] === null || cvss > best[f.confidence]!) best[f.confidence] = cvss;
    const value = (cvss / 10) * CONFIDENCE_WEIGHT[f.confidence];
    if (worst === null || value > worst.value) worst = { value, f };
    if (f.knownExploited && (kev === null || CONFIDENCE_WEIGHT[f.confidence] > CONFIDENCE_WEIGHT[kev.confidence])) kev = f;
  }
  return {
    ip: a.ip,
    honeypot: a.honeypot,
    serviceCount: a.services.length,
    unauthenticated: [...new Set(a.services.map((s) => s.protocol).filter((p) => UNAUTHENTICATED_PROTOCOLS.has(p)))],
    findingCount: a.findings.length,
    best,
    kevConfidence: kev?.confidence ?? null,
    worstAdvisory: worst?.f.advisoryId,
    worstUnscored: worst && worst.f.cvss === null ? worst.f.severity : undefined,
    kevAdvisory: kev?.advisoryId,
  };
}

export function scoreAsset(a: AssetRiskInput): RiskScore {
  return scoreSummary(summarise(a));
}

/** The factor values of an asset in [0, 1], in one place for the explained score and the bare number. */
function assetValues(a: AssetRiskSummary) {
  let worst: { confidence: Confidence; cvss: number; value: number } | null = null;
  for (const c of CONFIDENCES) {
    const cvss = a.best[c];
    if (cvss === null) continue;
    const value = (cvss / 10) * CONFIDENCE_WEIGHT[c];
    if (worst === null || value > worst.value) worst = { confidence: c, cvss, value };
  }
  const publicAddress = isPublicAddress(a.ip);
  return {
    worst,
    publicAddress,
    cvss: worst?.value ?? 0,
    knownExploited: a.kevConfidence ? CONFIDENCE_WEIGHT[a.kevConfidence] : 0,
    findings: Math.min(1, a.findingCount / 5),
    publicAddressValue: publicAddress ? 1 : 0,
    unauthenticated: a.unauthenticated.length ? 1 : 0,
    icsServices: Math.min(1, a.serviceCount / 3),
  };
}

/** The score alone (no factor texts), for ranking many assets: equal to scoreSummary(a).score. */
export function assetScore(a: AssetRiskSummary): number {
  if (a.honeypot) return 0;
  const v = assetValues(a);
  const sum =
    round1(ASSET_WEIGHTS.cvss * v.cvss) +
    round1(ASSET_WEIGHTS.knownExploited * v.knownExploited) +
    round1(ASSET_WEIGHTS.findings * v.findings) +
    round1(ASSET_WEIGHTS.publicAddress * v.publicAddressValue) +
    round1(ASSET_WEIGHTS.unauthenticated * v.unauthenticated) +
    round1(ASSET_WEIGHTS.icsServices * v.icsServices);
  return Math.min(100, Math.max(0, Math.round(sum)));
}

export function scoreSummary(a: AssetRiskSummary): RiskScore {
  if (a.honeypot) {
    return { score: 0, level: 'none', factors: [factor('honeypot', 0, 1, 'the address is a honeypot (a trap, not a device at risk): score 0')] };
  }
  const v = assetValues(a);
  const worst = v.worst;
  const what = a.worstAdvisory ? ` ${a.worstAdvisory}` : '';
  const cvssText = worst ? (a.worstUnscored ? `~${worst.cvss} (${a.worstUnscored}, no score)` : String(worst.cvss)) : '';
  const factors: RiskFactor[] = [
    factor('cvss', ASSET_WEIGHTS.cvss, v.cvss, worst ? `worst open finding${what}: CVSS ${cvssText} × ${worst.confidence} ${CONFIDENCE_WEIGHT[worst.confidence]}` : 'no open finding'),
    factor('confidence', 0, worst ? CONFIDENCE_WEIGHT[worst.confidence] : 0, worst ? `identity confidence of that finding: ${worst.confidence} (weights confirmed 1, likely 0.8, possible 0.5)` : 'no finding'),
    factor('knownExploited', ASSET_WEIGHTS.knownExploited, v.knownExploited, a.kevConfidence ? `${a.kevAdvisory ?? 'an advisory'} lists a known-exploited CVE (${a.kevConfidence})` : 'no known-exploited CVE among the open findings'),
    factor('findings', ASSET_WEIGHTS.findings, v.findings, `${a.findingCount} open finding(s); 5 or more give the full weight`),
    factor('publicAddress', ASSET_WEIGHTS.publicAddress, v.publicAddressValue, v.publicAddress ? `${a.ip} is a public address` : `${a.ip} is not publicly routable`),
    factor('unauthenticated', ASSET_WEIGHTS.unauthenticated, v.unauthenticated, a.unauthenticated.length ? `answers ${a.unauthenticated.join(', ')} (no authentication in the protocol)` : 'no protocol without authentication exposed'),
    factor('icsServices', ASSET_WEIGHTS.icsServices, v.icsServices, `${a.serviceCount} exposed ICS service(s); 3 or more give the full weight`),
  ];
  const score = total(factors);
  return { score, level: levelOf(score), factors };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const top = (xs: number[], n: number) => [...xs].sort((a, b) => b - a).slice(0, n);

/** Enterprise: its worst asset, the mean of its five worst, and warnings past their deadline. */
export function scoreEnterprise(assetScores: number[], overdueWarnings: number): RiskScore {
  const max = assetScores.length ? Math.max(...assetScores) : 0;
  const top5 = top(assetScores, 5);
  const factors = [
    factor('maxAsset', ENTERPRISE_WEIGHTS.maxAsset, max / 100, `worst asset scores ${max}`),
    factor('topAssets', ENTERPRISE_WEIGHTS.topAssets, mean(top5) / 100, `mean of the ${top5.length} worst asset(s): ${round1(mean(top5))}`),
    factor('overdue', ENTERPRISE_WEIGHTS.overdue, Math.min(1, overdueWarnings / 2), `${overdueWarnings} overdue warning(s); 2 or more give the full weight`),
  ];
  const score = total(factors);
  return { score, level: levelOf(score), factors };
}

/** Region: the mean of its ten worst assets, the share of assets at medium risk or above, overdue warnings. */
export function scoreRegion(assetScores: number[], assetCount: number, overdueWarnings: number): RiskScore {
  const top10 = top(assetScores, 10);
  const atRisk = assetScores.filter((s) => s >= 40).length;
  const share = assetCount ? atRisk / assetCount : 0;
  const factors = [
    factor('topAssets', REGION_WEIGHTS.topAssets, mean(top10) / 100, `mean of the ${top10.length} worst asset(s): ${round1(mean(top10))}`),
    factor('highShare', REGION_WEIGHTS.highShare, Math.min(1, share * 4), `${atRisk} of ${assetCount} asset(s) score 40 or more (${round1(share * 100)}%); 25% or more give the full weight`),
    factor('overdue', REGION_WEIGHTS.overdue, Math.min(1, overdueWarnings / 5), `${overdueWarnings} overdue warning(s); 5 or more give the full weight`),
  ];
  const score = total(factors);
  return { score, level: levelOf(score), factors };
}

/** Not private (RFC 1918, RFC 6598 shared, RFC 4193 unique local), loopback, link-local or unspecified. */
export function isPublicAddress(ip: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 10 || a === 127 || a === 0 || a >= 224) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 169 && b === 254) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    return true;
  }
  const s = ip.toLowerCase();
  if (!s.includes(':')) return false;
  if (s === '::' || s === '::1' || /^f[cd]/.test(s) || /^fe[89ab]/.test(s) || s.startsWith('ff')) return false;
  return true;
}

// ---- use-cases

export interface AssetRisk extends RiskScore {
  assetId: string;
  ip: string;
  enterpriseId: string | null;
  cityCode: string | null;
  countyCode: string | null;
  honeypot: boolean;
  openFindings: number;
}

export interface EnterpriseRisk extends RiskScore {
  enterpriseId: string;
  name: string;
  assets: number;
  overdueWarnings: number;
  worstAssets: AssetRisk[];
}

export interface RegionRisk extends RiskScore {
  code: string;
  name: string;
  regionLevel: string;
  assets: number;
  vulnerableAssets: number;
  overdueWarnings: number;
  worstAssets: AssetRisk[];
}

interface AssetRow {
  id: string;
  ip: string;
  enterpriseId: string | null;
  cityCode: string | null;
  countyCode: string | null;
  honeypot: number;
}

function assertCanRead(actor: Actor): void {
  if (!can(actor, 'read:findings') || !can(actor, 'read:assets')) throw appError('FORBIDDEN');
}

/** Scores a set of assets: their services and open findings are read in chunks. */
async function scoreRows(ctx: ServiceContext, rows: AssetRow[]): Promise<AssetRisk[]> {
  const services = new Map<string, { protocol: string; port: number }[]>();
  const findings = new Map<string, AssetRiskInput['findings']>();
  const size = chunkSize(ctx.store, 1);
  const ids = rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += size) {
    const chunk = ids.slice(i, i + size);
    for (const s of await ctx.store.db.selectFrom('services').select(['assetId', 'protocol', 'port']).where('assetId', 'in', chunk).execute()) {
      let l = services.get(s.assetId);
      if (!l) services.set(s.assetId, (l = []));
      l.push({ protocol: s.protocol, port: s.port });
    }
    const open = await ctx.store.db.selectFrom('findings').select(['assetId', 'advisoryId', 'cves', 'cvss', 'severity', 'confidence']).where('assetId', 'in', chunk).where('status', '=', 'open').execute();
    for (const f of open) {
      let l = findings.get(f.assetId);
      if (!l) findings.set(f.assetId, (l = []));
      // The finding's CVE list is read only when its advisory marks any CVE as exploited (few do).
      const kev = ctx.matcher.knownExploited(f.advisoryId);
      const knownExploited = kev.size > 0 && (JSON.parse(f.cves) as string[]).some((c) => kev.has(c));
      l.push({ advisoryId: f.advisoryId, cvss: f.cvss, severity: f.severity as Severity, confidence: f.confidence as Confidence, knownExploited });
    }
  }
  return rows.map((r) => {
    const open = findings.get(r.id) ?? [];
    const s = scoreAsset({ ip: r.ip, honeypot: r.honeypot === 1, services: services.get(r.id) ?? [], findings: open });
    return { assetId: r.id, ip: r.ip, enterpriseId: r.enterpriseId, cityCode: r.cityCode, countyCode: r.countyCode, honeypot: r.honeypot === 1, openFindings: open.length, ...s };
  });
}

const ASSET_COLUMNS = ['assets.id', 'assets.ip', 'assets.enterpriseId', 'assets.cityCode', 'assets.countyCode', 'assets.honeypot'] as const;

export async function assetRisk(ctx: ServiceContext, actor: Actor, id: string): Promise<AssetRisk> {
  assertCanRead(actor);
  const row = await ctx.store.db.selectFrom('assets').select(ASSET_COLUMNS).where('assets.id', '=', id).where(inScope(actor, { table: 'assets' })).executeTakeFirst();
  if (!row) throw appError('NOT_FOUND');
  return (await scoreRows(ctx, [row]))[0];
}

type PlaceColumn = 'provinceCode' | 'cityCode' | 'countyCode' | 'enterpriseId';
type Place = { column: PlaceColumn; value: string } | null;

/**
 * Scores of every asset of a place in the actor's scope, from per-asset aggregates computed by the
 * database (highest CVSS per confidence, counts), not from every finding row: a province's
 * half-million vulnerable assets come back as one row each. The same arithmetic as scoreAsset
 * (scoreSummary), so a listed asset scores what its own page says.
 */
async function scorePlace(ctx: ServiceContext, actor: Actor, place: Place, onlyVulnerable: boolean): Promise<{ row: AssetRow; score: number }[]> {
  const db = ctx.store.db;
  const effective = sql`coalesce(${sql.ref('findings.cvss')}, case ${sql.ref('findings.severity')} when 'critical' then 9.5 when 'high' then 8 when 'medium' then 5.5 when 'low' then 2.5 else 0 end)`;
  const best = (c: Confidence) => sql<number | null>`max(case when ${sql.ref('findings.confidence')} = ${c} then ${effective} end)`;
  const unauthenticated = sql<number>`max(case when ${sql.ref('services.protocol')} in (${sql.join([...UNAUTHENTICATED_PROTOCOLS])}) then 1 else 0 end)`;
  const findings = db
    .selectFrom('findings')
    .where('findings.status', '=', 'open')
    .select(['findings.assetId', (eb) => eb.fn.countAll<number>().as('n'), best('confirmed').as('c1'), best('likely').as('c2'), best('possible').as('c3')])
    .groupBy('findings.assetId')
    .as('f');
  const services = db.selectFrom('services').select(['services.assetId', (eb) => eb.fn.countAll<number>().as('services'), unauthenticated.as('unauth')]).groupBy('services.assetId').as('s');
  let q = (onlyVulnerable ? db.selectFrom('assets').innerJoin(findings, 'f.assetId', 'assets.id') : db.selectFrom('assets').leftJoin(findings, 'f.assetId', 'assets.id'))
    .leftJoin(services, 's.assetId', 'assets.id')
    .select([...ASSET_COLUMNS, 'f.n', 'f.c1', 'f.c2', 'f.c3', 's.services', 's.unauth'])
    .where(inScope(actor, { table: 'assets' }));
  if (place) q = q.where(`assets.${place.column}`, '=', place.value);
  const rows = await q.execute();
  if (rows.length === 0) return [];

  const kev = new Map<string, Confidence>();
  const exploited = ctx.matcher.exploitedAdvisories();
  const size = chunkSize(ctx.store, 1);
  for (let i = 0; i < exploited.length; i += size) {
    let k = db
      .selectFrom('findings')
      .innerJoin('assets', 'assets.id', 'findings.assetId')
      .where('findings.status', '=', 'open')
      .where('findings.advisoryId', 'in', exploited.slice(i, i + size))
      .where(inScope(actor, { table: 'assets' }))
      .select(['findings.assetId', 'findings.advisoryId', 'findings.cves', 'findings.confidence']);
    if (place) k = k.where(`assets.${place.column}`, '=', place.value);
    for (const f of await k.execute()) {
      const set = ctx.matcher.knownExploited(f.advisoryId);
      if (!(JSON.parse(f.cves) as string[]).some((c) => set.has(c))) continue;
      const prev = kev.get(f.assetId);
      const c = f.confidence as Confidence;
      if (!prev || CONFIDENCE_WEIGHT[c] > CONFIDENCE_WEIGHT[prev]) kev.set(f.assetId, c);
    }
  }
  const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));
  return rows.map((r) => {
    const row: AssetRow = { id: r.id, ip: r.ip, enterpriseId: r.enterpriseId, cityCode: r.cityCode, countyCode: r.countyCode, honeypot: r.honeypot };
    const summary: AssetRiskSummary = {
      ip: r.ip,
      honeypot: r.honeypot === 1,
      serviceCount: Number(r.services ?? 0),
      // only whether there is one counts for the number; the page of the asset names them
      unauthenticated: Number(r.unauth ?? 0) > 0 ? ['*'] : [],
      findingCount: Number(r.n ?? 0),
      best: { confirmed: num(r.c1), likely: num(r.c2), possible: num(r.c3) },
      kevConfidence: kev.get(r.id) ?? null,
    };
    return { row, score: assetScore(summary) };
  });
}

/** The n highest of scored rows, with their factors in full (named advisories). */
async function worstOf(ctx: ServiceContext, scored: { row: AssetRow; score: number }[], n: number): Promise<AssetRisk[]> {
  const top = [...scored].sort((a, b) => b.score - a.score || a.row.ip.localeCompare(b.row.ip)).slice(0, n);
  return worst(await scoreRows(ctx, top.map((x) => x.row)), n);
}

async function overdueCount(ctx: ServiceContext, where: { column: PlaceColumn; value: string }, actor: Actor): Promise<number> {
  const nowIso = ctx.now().toISOString();
  const r = await ctx.store.db
    .selectFrom('warnings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(where.column, '=', where.value)
    .where(inScope(actor, { table: 'warnings' }))
    .where('state', 'in', [...OPEN_STATES])
    .where((eb) => eb.or([eb('overdueAt', 'is not', null), eb('deadline', '<', nowIso)]))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function enterpriseRisk(ctx: ServiceContext, actor: Actor, id: string): Promise<EnterpriseRisk> {
  assertCanRead(actor);
  const e = await ctx.store.db.selectFrom('enterprises').select(['id', 'name']).where('id', '=', id).where(inScope(actor, { table: 'enterprises', enterpriseColumn: 'id' })).executeTakeFirst();
  if (!e) throw appError('NOT_FOUND');
  const scored = await scorePlace(ctx, actor, { column: 'enterpriseId', value: id }, false);
  const overdue = await overdueCount(ctx, { column: 'enterpriseId', value: id }, actor);
  const s = scoreEnterprise(scored.map((a) => a.score), overdue);
  return { enterpriseId: e.id, name: e.name, assets: scored.length, overdueWarnings: overdue, worstAssets: await worstOf(ctx, scored, 5), ...s };
}

/** A region the actor may see as a whole: within its province, city or county; never for an enterprise user. */
function regionVisible(ctx: ServiceContext, actor: Actor, code: string): boolean {
  const scope = actor.regionCode;
  switch (scopeKind(actor.role)) {
    case 'province':
    case 'city':
    case 'county':
      return !!scope && ctx.regions.isWithin(code, scope);
    default:
      return false;
  }
}

function columnOf(level: string): PlaceColumn {
  return level === 'province' ? 'provinceCode' : level === 'city' ? 'cityCode' : 'countyCode';
}

export async function regionRisk(ctx: ServiceContext, actor: Actor, code: string): Promise<RegionRisk> {
  assertCanRead(actor);
  const region = ctx.regions.get(code);
  if (!region || !regionVisible(ctx, actor, code)) throw appError('NOT_FOUND');
  const column = columnOf(region.level);
  const count = Number(
    (await ctx.store.db.selectFrom('assets').where(`assets.${column}`, '=', code).where(inScope(actor, { table: 'assets' })).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  );
  // Only assets with an open finding can reach the "at risk" band (exposure alone gives at most 25
  // points), so those are the ones scored.
  const scored = await scorePlace(ctx, actor, { column, value: code }, true);
  const overdue = await overdueCount(ctx, { column, value: code }, actor);
  const s = scoreRegion(scored.map((a) => a.score), count, overdue);
  return { code, name: region.name, regionLevel: region.level, assets: count, vulnerableAssets: scored.length, overdueWarnings: overdue, worstAssets: await worstOf(ctx, scored, 10), ...s };
}

export interface RiskTopQuery {
  limit?: number;
  region?: string;
}

/** The N assets with the highest scores in the actor's scope (optionally within one region). */
export async function topAssetRisks(ctx: ServiceContext, actor: Actor, q: RiskTopQuery): Promise<{ items: AssetRisk[]; total: number }> {
  assertCanRead(actor);
  const limit = Math.min(Math.max(q.limit ?? 10, 1), 100);
  let place: Place = null;
  if (q.region) {
    const region = ctx.regions.get(q.region);
    if (!region) return { items: [], total: 0 };
    place = { column: columnOf(region.level), value: q.region };
  }
  const scored = await scorePlace(ctx, actor, place, true);
  return { items: await worstOf(ctx, scored, limit), total: scored.length };
}

function worst(list: AssetRisk[], n: number): AssetRisk[] {
  return [...list].sort((a, b) => b.score - a.score || a.ip.localeCompare(b.ip)).slice(0, n);
}
