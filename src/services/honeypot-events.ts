// Threat trapping on the platform: sensors post their interaction events; each becomes a platform
// event (kind 'honeypot') at the attacker's place, is counted per hour, protocol and operation,
// and updates the attacker's indicator (first/last seen, protocols, operations, classification).
// Readers see events, top sources, activity over time and everything else a source did.
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { appError, type ErrorCode } from '../errors.ts';
import { findHostileText, type Actor, type Severity } from '../model/index.ts';
import { normalizeIp } from '../net/index.ts';
import { can, inScope } from '../access/index.ts';
import { classify, MANIPULATING, OPERATIONS, worse, type Classification, type HoneypotEvent, type Operation } from '../honeypot/index.ts';
import { bulkWrite, chunkSize, type Database } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import type { Placement } from './attribution.ts';
import { audit } from './audit.ts';
import { CounterDeltas } from './counters.ts';
import { page, type Page, type PageQuery } from './paging.ts';

export const MAX_HONEYPOT_BATCH = 5_000;
export const HONEYPOT_EVENT_KIND = 'honeypot';

const NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const HEX = /^(?:[0-9a-f]{2}){0,256}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const FIELDS = new Set(['sensor', 'persona', 'session', 'seq', 'at', 'elapsedMs', 'src', 'dst', 'protocol', 'transport', 'operation', 'detail', 'length', 'raw', 'anomalies']);
const OPERATION_SET: ReadonlySet<string> = new Set(OPERATIONS);

/** Confidence (0–100) that a source is hostile, by its classification. */
const CONFIDENCE: Record<Classification, number> = { scan: 30, reconnaissance: 50, 'denial-of-service': 70, manipulation: 85, 'exploit-attempt': 90 };

export interface HoneypotRejection {
  index: number;
  code: ErrorCode;
  message: string;
}

export interface HoneypotIngestResult {
  accepted: number;
  /** Events already stored (the same sensor, session and sequence sent again). */
  duplicates: number;
  rejected: HoneypotRejection[];
  sources: number;
}

/** A sensor's event (the wire record the sensor logs and posts), checked and placed. */
interface ValidEvent extends Omit<HoneypotEvent, 'protocol'> {
  id: string;
  protocol: string;
  place: Placement;
}

function endpoint(v: unknown): { ip: string; port: number } | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const ip = typeof o.ip === 'string' ? normalizeIp(o.ip) : null;
  if (!ip || typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 0 || o.port > 65535) return null;
  return { ip, port: o.port };
}

function validate(ctx: ServiceContext, item: unknown, index: number, nowMs: number): ValidEvent | HoneypotRejection {
  const bad = (code: ErrorCode, message: string): HoneypotRejection => ({ index, code, message });
  if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('VALIDATION_FAILED', 'an event must be an object');
  const o = item as Record<string, unknown>;
  for (const k in o) if (!FIELDS.has(k)) return bad('VALIDATION_FAILED', `unknown field '${k.slice(0, 64)}'`);
  const hostile = findHostileText(o, 'event');
  if (hostile) return bad('VALIDATION_FAILED', `${hostile} contains a NUL character or an unpaired surrogate`);
  for (const k of ['sensor', 'session'] as const) if (typeof o[k] !== 'string' || !ID.test(o[k] as string)) return bad('VALIDATION_FAILED', `${k} must be an id of 1..64 letters, digits, . _ : -`);
  if (typeof o.persona !== 'string' || o.persona.length > 64) return bad('VALIDATION_FAILED', 'persona must be a string of at most 64 characters');
  if (typeof o.seq !== 'number' || !Number.isInteger(o.seq) || o.seq < 0 || o.seq > 1e9) return bad('VALIDATION_FAILED', 'seq must be a non-negative integer');
  if (typeof o.at !== 'string' || !RFC3339.test(o.at) || Number.isNaN(Date.parse(o.at))) return bad('VALIDATION_FAILED', 'at must be an RFC 3339 date-time');
  const t = Date.parse(o.at);
  if (t > nowMs + 5 * 60_000) return bad('VALIDATION_FAILED', 'at is in the future');
  if (typeof o.elapsedMs !== 'number' || !(o.elapsedMs >= 0) || o.elapsedMs > 1e10) return bad('VALIDATION_FAILED', 'elapsedMs must be a non-negative number');
  const src = endpoint(o.src);
  if (!src) return bad('INVALID_IP', 'src must be {ip, port} with a valid address');
  const dst = endpoint(o.dst);
  if (!dst) return bad('INVALID_IP', 'dst must be {ip, port} with a valid address');
  if (typeof o.protocol !== 'string' || !NAME.test(o.protocol)) return bad('VALIDATION_FAILED', 'protocol must be a short lower-case name such as modbus');
  if (o.transport !== 'tcp' && o.transport !== 'udp') return bad('VALIDATION_FAILED', "transport must be 'tcp' or 'udp'");
  if (typeof o.operation !== 'string' || !OPERATION_SET.has(o.operation)) return bad('VALIDATION_FAILED', `operation must be one of ${OPERATIONS.join(', ')}`);
  if (typeof o.detail !== 'string' || o.detail.length > 200) return bad('VALIDATION_FAILED', 'detail must be a string of at most 200 characters');
  if (typeof o.length !== 'number' || !Number.isInteger(o.length) || o.length < 0 || o.length > 1 << 24) return bad('VALIDATION_FAILED', 'length must be a non-negative integer');
  if (typeof o.raw !== 'string' || !HEX.test(o.raw)) return bad('VALIDATION_FAILED', 'raw must be lower-case hex of at most 256 octets');
  const anomalies = o.anomalies ?? [];
  if (!Array.isArray(anomalies) || anomalies.length > 8 || anomalies.some((a) => typeof a !== 'string' || a.length > 64)) return bad('VALIDATION_FAILED', 'anomalies must be at most 8 short strings');
  // An attacker outside the region is still the province's business: such events sit at province level.
  const place = ctx.attribution.place(src.ip) ?? { provinceCode: ctx.regions.province.code, cityCode: null, countyCode: null, enterpriseId: null };
  const sensor = o.sensor as string;
  const session = o.session as string;
  const id = createHash('sha256').update(`${sensor}\u0000${session}\u0000${o.seq}`).digest('base64url').slice(0, 26);
  return {
    id, sensor, persona: o.persona, session, seq: o.seq, at: new Date(t).toISOString(), elapsedMs: o.elapsedMs, src, dst,
    protocol: o.protocol, transport: o.transport, operation: o.operation as Operation, detail: o.detail, length: o.length, raw: o.raw,
    anomalies: anomalies as string[], place,
  };
}

function severityOf(e: ValidEvent): Severity {
  if (e.operation === 'malformed' || e.anomalies.length > 0) return 'high';
  if (e.operation === 'stop' || e.operation === 'start' || e.operation === 'restart' || e.operation === 'program-download') return 'high';
  if (MANIPULATING.has(e.operation)) return 'medium';
  if (e.operation === 'connect' || e.operation === 'session' || e.operation === 'other') return 'none';
  return 'low';
}

interface IndicatorDetail {
  classification: Classification;
  protocols: string[];
  operations: Record<string, number>;
  events: number;
  sensors: string[];
}

const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;

async function selectIn<T>(ctx: ServiceContext, keys: string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  const size = chunkSize(ctx.store, 1);
  for (let i = 0; i < keys.length; i += size) out.push(...(await query(keys.slice(i, i + size))));
  return out;
}

/** Stores a sensor's batch. Each event is accepted or rejected on its own; resending a batch stores nothing twice. */
export async function ingestHoneypotEvents(ctx: ServiceContext, actor: Actor, items: unknown[]): Promise<HoneypotIngestResult> {
  // Sensors carry only the ingest permission; honeypot events are ingest like observations.
  if (!can(actor, 'ingest:observations')) throw appError('FORBIDDEN');
  if (items.length > MAX_HONEYPOT_BATCH) throw appError('BATCH_TOO_LARGE', `at most ${MAX_HONEYPOT_BATCH} events per batch`);
  const now = ctx.now();
  const nowIso = now.toISOString();
  const rejected: HoneypotRejection[] = [];
  const valid: ValidEvent[] = [];
  items.forEach((item, i) => {
    const r = validate(ctx, item, i, now.getTime());
    if ('code' in r) rejected.push(r);
    else valid.push(r);
  });
  if (!valid.length) return { accepted: 0, duplicates: 0, rejected, sources: 0 };
  return ctx.store.db.transaction().execute(async (trx) => {
    await ctx.store.lockWriters(trx);
    const existing = new Set(
      (await selectIn(ctx, [...new Set(valid.map((v) => v.id))], (ids) => trx.selectFrom('events').select('id').where('id', 'in', ids).execute())).map((r) => r.id),
    );
    const fresh: ValidEvent[] = [];
    for (const v of valid) {
      if (existing.has(v.id)) continue;
      existing.add(v.id);
      fresh.push(v);
    }
    const ips = [...new Set(fresh.map((v) => v.src.ip))];
    const assets = new Map(
      (await selectIn(ctx, ips, (chunk) => trx.selectFrom('assets').select(['id', 'ip']).where('ip', 'in', chunk).execute())).map((a) => [a.ip, a.id]),
    );
    const counters = new CounterDeltas();
    const rows = fresh.map((v) => {
      counters.add('events', '', v.place, 1);
      return {
        id: v.id,
        kind: HONEYPOT_EVENT_KIND,
        severity: severityOf(v),
        assetId: assets.get(v.src.ip) ?? null,
        ip: v.src.ip,
        provinceCode: v.place.provinceCode,
        cityCode: v.place.cityCode,
        countyCode: v.place.countyCode,
        enterpriseId: v.place.enterpriseId,
        source: `honeypot:${v.sensor}`,
        // "protocol operation: detail" — listHoneypotEvents filters on this prefix.
        summary: `${v.protocol} ${v.operation}: ${v.detail}`.slice(0, 256),
        detail: JSON.stringify({
          sensor: v.sensor, persona: v.persona, session: v.session, seq: v.seq, elapsedMs: v.elapsedMs, src: v.src, dst: v.dst,
          protocol: v.protocol, transport: v.transport, operation: v.operation, detail: v.detail, length: v.length, raw: v.raw, anomalies: v.anomalies,
        }),
        occurredAt: v.at,
        createdAt: nowIso,
      };
    });
    await bulkWrite(ctx.store, trx, rows, (chunk) => trx.insertInto('events').values(chunk));
    await writeActivity(ctx, trx, fresh);
    await writeIndicators(ctx, trx, fresh);
    await counters.apply(ctx.store, trx);
    await audit(trx, actor, 'honeypot.ingest', 'honeypot-batch', null, { accepted: fresh.length, duplicates: valid.length - fresh.length, rejected: rejected.length }, now);
    return { accepted: fresh.length, duplicates: valid.length - fresh.length, rejected, sources: ips.length };
  });
}

async function writeActivity(ctx: ServiceContext, trx: Transaction<Database>, events: ValidEvent[]): Promise<void> {
  const byKey = new Map<string, Database['honeypotActivity']>();
  for (const e of events) {
    const hour = hourOf(e.at);
    const p = e.place;
    const key = [hour, e.protocol, e.operation, p.provinceCode, p.cityCode ?? '', p.countyCode ?? '', p.enterpriseId ?? ''].join('|');
    const row = byKey.get(key);
    if (row) row.count++;
    else byKey.set(key, { key, hour, protocol: e.protocol, operation: e.operation, ...p, count: 1 });
  }
  await bulkWrite(ctx.store, trx, [...byKey.values()], (chunk) =>
    trx
      .insertInto('honeypotActivity')
      .values(chunk)
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ count: eb('honeypotActivity.count', '+', eb.ref('excluded.count')) }))),
  );
}

async function writeIndicators(ctx: ServiceContext, trx: Transaction<Database>, events: ValidEvent[]): Promise<void> {
  const bySource = new Map<string, ValidEvent[]>();
  for (const e of events) {
    const list = bySource.get(e.src.ip);
    if (list) list.push(e);
    else bySource.set(e.src.ip, [e]);
  }
  const stored = new Map(
    (await selectIn(ctx, [...bySource.keys()], (ips) => trx.selectFrom('indicators').selectAll().where('type', '=', 'ip').where('value', 'in', ips).execute())).map((r) => [r.value, r]),
  );
  const rows: Database['indicators'][] = [];
  for (const [ip, list] of bySource) {
    const old = stored.get(ip);
    const before: IndicatorDetail = old ? (JSON.parse(old.detail) as IndicatorDetail) : { classification: 'scan', protocols: [], operations: {}, events: 0, sensors: [] };
    const classification = worse(before.classification, classify(list));
    const operations = { ...before.operations };
    for (const e of list) operations[e.operation] = (operations[e.operation] ?? 0) + 1;
    const detail: IndicatorDetail = {
      classification,
      protocols: [...new Set([...before.protocols, ...list.map((e) => e.protocol)])].sort().slice(0, 32),
      operations,
      events: before.events + list.length,
      sensors: [...new Set([...before.sensors, ...list.map((e) => e.sensor)])].slice(0, 16),
    };
    const times = list.map((e) => e.at).sort();
    rows.push({
      id: old?.id ?? createHash('sha256').update(`ip\u0000${ip}`).digest('base64url').slice(0, 26),
      type: 'ip',
      value: ip,
      source: 'honeypot',
      firstSeen: old && old.firstSeen < times[0] ? old.firstSeen : times[0],
      lastSeen: old && old.lastSeen > times[times.length - 1] ? old.lastSeen : times[times.length - 1],
      confidence: CONFIDENCE[classification],
      detail: JSON.stringify(detail),
    });
  }
  await bulkWrite(ctx.store, trx, rows, (chunk) =>
    trx
      .insertInto('indicators')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['type', 'value']).doUpdateSet((eb) => ({
          firstSeen: eb.ref('excluded.firstSeen'),
          lastSeen: eb.ref('excluded.lastSeen'),
          confidence: eb.ref('excluded.confidence'),
          detail: eb.ref('excluded.detail'),
        })),
      ),
  );
}

export interface HoneypotEventView {
  id: string;
  ip: string | null;
  severity: string;
  summary: string;
  occurredAt: string;
  detail: Record<string, unknown>;
}

export interface HoneypotEventQuery extends PageQuery {
  ip?: string;
  protocol?: string;
  operation?: string;
}

function canRead(actor: Actor): void {
  if (!can(actor, 'read:events')) throw appError('FORBIDDEN');
}

export async function listHoneypotEvents(ctx: ServiceContext, actor: Actor, q: HoneypotEventQuery): Promise<Page<HoneypotEventView>> {
  canRead(actor);
  if (q.protocol !== undefined && !NAME.test(q.protocol)) throw appError('VALIDATION_FAILED', 'protocol must be a short lower-case name');
  if (q.operation !== undefined && !OPERATION_SET.has(q.operation)) throw appError('VALIDATION_FAILED', `operation must be one of ${OPERATIONS.join(', ')}`);
  let query = ctx.store.db.selectFrom('events').where(inScope(actor)).where('kind', '=', HONEYPOT_EVENT_KIND);
  if (q.ip) {
    const ip = normalizeIp(q.ip);
    if (!ip) throw appError('INVALID_IP');
    query = query.where('ip', '=', ip);
  }
  if (q.protocol || q.operation) query = query.where('summary', 'like', `${q.protocol ?? '%'} ${q.operation ?? '%'}:%`);
  const { limit, offset } = page(q);
  const [rows, count] = await Promise.all([
    query.select(['id', 'ip', 'severity', 'summary', 'occurredAt', 'detail']).orderBy('occurredAt', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> })), total: Number(count.n) };
}

export interface HoneypotSource {
  ip: string;
  events: number;
  firstSeen: string;
  lastSeen: string;
  classification: Classification | null;
  confidence: number | null;
  protocols: string[];
  operations: Record<string, number>;
}

/** The sources with the most honeypot events since `since` (default: the last 30 days). */
export async function topHoneypotSources(ctx: ServiceContext, actor: Actor, q: { since?: string; limit?: number }): Promise<HoneypotSource[]> {
  canRead(actor);
  const since = sinceOf(ctx, q.since, 30);
  const limit = Math.min(Math.max(1, q.limit ?? 10), 100);
  const rows = await ctx.store.db
    .selectFrom('events')
    .where(inScope(actor))
    .where('kind', '=', HONEYPOT_EVENT_KIND)
    .where('occurredAt', '>=', since)
    .where('ip', 'is not', null)
    .select((eb) => ['ip', eb.fn.countAll<number>().as('n'), eb.fn.min('occurredAt').as('first'), eb.fn.max('occurredAt').as('last')])
    .groupBy('ip')
    .orderBy('n', 'desc')
    .orderBy('ip')
    .limit(limit)
    .execute();
  const ips = rows.map((r) => r.ip as string);
  const indicators = new Map(
    ips.length
      ? (await ctx.store.db.selectFrom('indicators').selectAll().where('type', '=', 'ip').where('value', 'in', ips).execute()).map((r) => [r.value, r])
      : [],
  );
  return rows.map((r) => {
    const ind = indicators.get(r.ip as string);
    const d = ind ? (JSON.parse(ind.detail) as IndicatorDetail) : null;
    return {
      ip: r.ip as string,
      events: Number(r.n),
      firstSeen: String(r.first),
      lastSeen: String(r.last),
      classification: d?.classification ?? null,
      confidence: ind?.confidence ?? null,
      protocols: d?.protocols ?? [],
      operations: d?.operations ?? {},
    };
  });
}

function sinceOf(ctx: ServiceContext, since: string | undefined, days: number): string {
  if (since === undefined) return new Date(ctx.now().getTime() - days * 86_400_000).toISOString();
  const t = Date.parse(since);
  if (!RFC3339.test(since) || Number.isNaN(t)) throw appError('VALIDATION_FAILED', 'since must be an RFC 3339 date-time');
  return new Date(t).toISOString();
}

export interface ActivityPoint {
  /** Start of the bucket (UTC). */
  at: string;
  protocol: string;
  operation: string;
  count: number;
}

/** Operations per protocol over time, in hour or day buckets, from the hourly roll-up. */
export async function honeypotActivity(ctx: ServiceContext, actor: Actor, q: { since?: string; bucket?: 'hour' | 'day' }): Promise<ActivityPoint[]> {
  canRead(actor);
  const bucket = q.bucket ?? 'hour';
  if (bucket !== 'hour' && bucket !== 'day') throw appError('VALIDATION_FAILED', "bucket must be 'hour' or 'day'");
  const since = hourOf(sinceOf(ctx, q.since, bucket === 'hour' ? 2 : 30));
  const rows = await ctx.store.db
    .selectFrom('honeypotActivity')
    .where(inScope(actor))
    .where('hour', '>=', since)
    .select((eb) => ['hour', 'protocol', 'operation', eb.fn.sum<number>('count').as('n')])
    .groupBy(['hour', 'protocol', 'operation'])
    .execute();
  const points = new Map<string, ActivityPoint>();
  for (const r of rows) {
    const at = bucket === 'day' ? `${r.hour.slice(0, 10)}T00:00:00.000Z` : r.hour;
    const key = `${at}|${r.protocol}|${r.operation}`;
    const p = points.get(key);
    if (p) p.count += Number(r.n);
    else points.set(key, { at, protocol: r.protocol, operation: r.operation, count: Number(r.n) });
  }
  return [...points.values()].sort((a, b) => a.at.localeCompare(b.at) || a.protocol.localeCompare(b.protocol) || a.operation.localeCompare(b.operation));
}

export interface SourceProfile {
  ip: string;
  indicator: { firstSeen: string; lastSeen: string; confidence: number; detail: Record<string, unknown> } | null;
  honeypotEvents: HoneypotEventView[];
  /** Everything else the platform holds about the address: other events, and assets with their services. */
  otherEvents: { id: string; kind: string; severity: string; summary: string; occurredAt: string }[];
  assets: { id: string; vendor: string | null; product: string | null; honeypot: boolean; lastSeen: string; services: { port: number; transport: string; protocol: string; lastSeen: string }[] }[];
  observations: number;
}

/** One source, linked to everything else it did that the actor may see; missing and out of scope look the same. */
export async function honeypotSource(ctx: ServiceContext, actor: Actor, ipText: string): Promise<SourceProfile> {
  canRead(actor);
  const ip = normalizeIp(ipText);
  if (!ip) throw appError('INVALID_IP');
  const db = ctx.store.db;
  const [honeypotEvents, otherEvents, assets] = await Promise.all([
    db.selectFrom('events').where(inScope(actor)).where('kind', '=', HONEYPOT_EVENT_KIND).where('ip', '=', ip)
      .select(['id', 'ip', 'severity', 'summary', 'occurredAt', 'detail']).orderBy('occurredAt', 'desc').orderBy('id', 'desc').limit(50).execute(),
    db.selectFrom('events').where(inScope(actor)).where('kind', '!=', HONEYPOT_EVENT_KIND).where('ip', '=', ip)
      .select(['id', 'kind', 'severity', 'summary', 'occurredAt']).orderBy('occurredAt', 'desc').limit(50).execute(),
    db.selectFrom('assets').where(inScope(actor)).where('ip', '=', ip).selectAll().execute(),
  ]);
  if (!honeypotEvents.length && !otherEvents.length && !assets.length) throw appError('NOT_FOUND');
  const ids = assets.map((a) => a.id);
  const services = ids.length ? await db.selectFrom('services').where('assetId', 'in', ids).selectAll().orderBy('port').execute() : [];
  const observations = ids.length
    ? Number((await db.selectFrom('observations').where('assetId', 'in', ids).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    : 0;
  // The indicator is shown only next to evidence the actor may see (it is derived from it).
  const ind = honeypotEvents.length ? await db.selectFrom('indicators').selectAll().where('type', '=', 'ip').where('value', '=', ip).executeTakeFirst() : undefined;
  return {
    ip,
    indicator: ind ? { firstSeen: ind.firstSeen, lastSeen: ind.lastSeen, confidence: ind.confidence, detail: JSON.parse(ind.detail) as Record<string, unknown> } : null,
    honeypotEvents: honeypotEvents.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> })),
    otherEvents,
    assets: assets.map((a) => ({
      id: a.id, vendor: a.vendor, product: a.product, honeypot: a.honeypot === 1, lastSeen: a.lastSeen,
      services: services.filter((s) => s.assetId === a.id).map((s) => ({ port: s.port, transport: s.transport, protocol: s.protocol, lastSeen: s.lastSeen })),
    })),
    observations,
  };
}
