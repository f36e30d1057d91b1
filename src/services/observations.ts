// The spine: a batch of observations upserts assets and services, attributes each address to a
// region and an enterprise, records identities, matches changed identities against the advisories,
// writes findings and opens a draft warning per enterprise with new findings. One transaction per
// batch; the same batch sent twice leaves the same state.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { appError, type ErrorCode } from '../errors.ts';
import { IDENTITY_FIELDS, newId, type Actor, type DeviceIdentity, type Observation, type Severity } from '../model/index.ts';
import { ipKey, normalizeIp } from '../net/index.ts';
import { can } from '../access/index.ts';
import { chunkSize, type Database, type FindingTable } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import type { Placement } from './attribution.ts';
import { audit } from './audit.ts';
import { maxSeverity, warningDeadline } from './severity.ts';

export const MAX_BATCH = 10_000;

export interface Rejection {
  index: number;
  code: ErrorCode | 'OUT_OF_REGION';
  message: string;
}

export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
  assets: number;
  findings: number;
}

interface Valid {
  index: number;
  ip: string;
  port: number;
  transport: 'tcp' | 'udp';
  protocol: string;
  observedAt: string;
  source: string;
  via: string | null;
  identity: DeviceIdentity | null;
  place: Placement;
}

const PROTOCOL = /^[a-z0-9][a-z0-9._-]{0,31}$/;
const MAX_TEXT = 256;
const MAX_RAW_JSON = 16 * 1024;

/** Checks one item by hand so that one bad item is rejected alone, with its own code. */
function validate(ctx: ServiceContext, item: unknown, index: number): Valid | Rejection {
  const bad = (code: Rejection['code'], message: string): Rejection => ({ index, code, message });
  if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('VALIDATION_FAILED', 'an observation must be an object');
  const o = item as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['ip', 'port', 'transport', 'protocol', 'observedAt', 'source', 'identity', 'via'].includes(k)) return bad('VALIDATION_FAILED', `unknown field '${k}'`);
  }
  const ip = typeof o.ip === 'string' ? normalizeIp(o.ip) : null;
  if (!ip) return bad('INVALID_IP', `ip '${String(o.ip)}' is not an IPv4 or IPv6 address`);
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 0 || o.port > 65535) return bad('VALIDATION_FAILED', 'port must be an integer 0..65535');
  if (o.transport !== 'tcp' && o.transport !== 'udp') return bad('VALIDATION_FAILED', "transport must be 'tcp' or 'udp'");
  if (typeof o.protocol !== 'string' || !PROTOCOL.test(o.protocol)) return bad('VALIDATION_FAILED', 'protocol must be a short lower-case name such as modbus');
  if (typeof o.observedAt !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(o.observedAt)) return bad('VALIDATION_FAILED', 'observedAt must be an RFC 3339 date-time');
  const t = Date.parse(o.observedAt);
  if (Number.isNaN(t)) return bad('VALIDATION_FAILED', 'observedAt is not a real date');
  if (t > ctx.now().getTime() + 5 * 60_000) return bad('VALIDATION_FAILED', 'observedAt is in the future');
  if (typeof o.source !== 'string' || o.source.length === 0 || o.source.length > 64) return bad('VALIDATION_FAILED', 'source must be a string of 1..64 characters');
  let via: string | null = null;
  if (o.via !== undefined && o.via !== null) {
    via = typeof o.via === 'string' ? normalizeIp(o.via) : null;
    if (!via) return bad('INVALID_IP', "'via' is not an IP address");
  }
  let identity: DeviceIdentity | null = null;
  if (o.identity !== undefined && o.identity !== null) {
    if (typeof o.identity !== 'object' || Array.isArray(o.identity)) return bad('VALIDATION_FAILED', 'identity must be an object');
    const id = o.identity as Record<string, unknown>;
    const out: DeviceIdentity = {};
    for (const [k, v] of Object.entries(id)) {
      if (k === 'raw') {
        if (v === undefined || v === null) continue;
        if (typeof v !== 'object' || Array.isArray(v)) return bad('VALIDATION_FAILED', 'identity.raw must be an object');
        if (JSON.stringify(v).length > MAX_RAW_JSON) return bad('VALIDATION_FAILED', `identity.raw is larger than ${MAX_RAW_JSON} bytes`);
        out.raw = v as Record<string, unknown>;
      } else if ((IDENTITY_FIELDS as readonly string[]).includes(k)) {
        if (v === undefined || v === null || v === '') continue;
        if (typeof v !== 'string' || v.length > MAX_TEXT) return bad('VALIDATION_FAILED', `identity.${k} must be a string of at most ${MAX_TEXT} characters`);
        (out as Record<string, string>)[k] = v;
      } else {
        return bad('VALIDATION_FAILED', `unknown identity field '${k}'`);
      }
    }
    if (Object.keys(out).length) identity = out;
  }
  const place = ctx.attribution.place(ip);
  if (!place) return bad('OUT_OF_REGION', `${ip} is in none of the region's address ranges nor in a registered enterprise network`);
  return {
    index,
    ip,
    port: o.port,
    transport: o.transport,
    protocol: o.protocol,
    observedAt: new Date(t).toISOString(),
    source: o.source,
    via,
    identity,
    place,
  };
}

function identityDigest(id: DeviceIdentity | null): string {
  if (!id) return '';
  const parts = IDENTITY_FIELDS.map((f) => id[f] ?? '');
  return createHash('sha1').update(parts.join('\u0000')).digest('hex');
}

function observationId(v: Valid): string {
  return createHash('sha256')
    .update(JSON.stringify([v.ip, v.port, v.transport, v.protocol, v.observedAt, v.source, v.via, v.identity]))
    .digest('base64url')
    .slice(0, 32);
}


export async function ingestObservations(ctx: ServiceContext, actor: Actor, items: unknown[]): Promise<IngestResult> {
  if (!can(actor, 'ingest:observations')) throw appError('FORBIDDEN');
  if (items.length > MAX_BATCH) throw appError('BATCH_TOO_LARGE', `at most ${MAX_BATCH} observations per batch`);
  const rejected: Rejection[] = [];
  const valid: Valid[] = [];
  items.forEach((item, i) => {
    const r = validate(ctx, item, i);
    if ('code' in r) rejected.push(r);
    else valid.push(r);
  });
  if (!valid.length) return { accepted: 0, rejected, assets: 0, findings: 0 };

  const now = ctx.now();
  const nowIso = now.toISOString();
  const stats = await ctx.store.db.transaction().execute(async (trx) => {
    const assetIds = await upsertAssets(ctx, trx, valid);
    const serviceIds = await upsertServices(ctx, trx, valid, assetIds);
    const changed = await upsertIdentities(ctx, trx, valid, assetIds, serviceIds);
    await insertObservations(ctx, trx, valid, assetIds, nowIso);
    const findings = await matchChanged(ctx, trx, changed, nowIso);
    await audit(trx, actor, 'observations.ingest', 'observation-batch', null, { accepted: valid.length, rejected: rejected.length, newFindings: findings }, now);
    return { assets: assetIds.size, findings };
  });
  return { accepted: valid.length, rejected, ...stats };
}

/** Latest identity-bearing item per key (asset ip or service endpoint). */
function latestBy<K>(valid: Valid[], key: (v: Valid) => K): Map<K, Valid> {
  const out = new Map<K, Valid>();
  for (const v of valid) {
    const k = key(v);
    const prev = out.get(k);
    if (!prev || v.observedAt > prev.observedAt || (v.observedAt === prev.observedAt && v.identity && !prev.identity)) out.set(k, v);
  }
  return out;
}

async function upsertAssets(ctx: ServiceContext, trx: Transaction<Database>, valid: Valid[]): Promise<Map<string, string>> {
  const byIp = new Map<string, { first: string; last: string; v: Valid; id: Valid | null }>();
  for (const v of valid) {
    const e = byIp.get(v.ip);
    if (!e) byIp.set(v.ip, { first: v.observedAt, last: v.observedAt, v, id: v.identity ? v : null });
    else {
      if (v.observedAt < e.first) e.first = v.observedAt;
      if (v.observedAt > e.last) e.last = v.observedAt;
      if (v.identity && (!e.id || v.observedAt >= e.id.observedAt)) e.id = v;
    }
  }
  const rows = [...byIp.entries()].map(([ip, e]) => ({
    id: newId(),
    ip,
    ipKey: ipKey(ip)!,
    provinceCode: e.v.place.provinceCode,
    cityCode: e.v.place.cityCode,
    countyCode: e.v.place.countyCode,
    enterpriseId: e.v.place.enterpriseId,
    vendor: e.id?.identity?.vendor ?? null,
    product: e.id?.identity?.product ?? null,
    model: e.id?.identity?.model ?? null,
    firmware: e.id?.identity?.firmware ?? null,
    honeypot: 0,
    firstSeen: e.first,
    lastSeen: e.last,
  }));
  const ids = new Map<string, string>();
  const size = chunkSize(ctx.store, 15);
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const out = await trx
      .insertInto('assets')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('ip').doUpdateSet((eb) => ({
          provinceCode: eb.ref('excluded.provinceCode'),
          cityCode: eb.ref('excluded.cityCode'),
          countyCode: eb.ref('excluded.countyCode'),
          enterpriseId: eb.ref('excluded.enterpriseId'),
          // The identity summary follows the newest identified evidence, never older evidence.
          vendor: sql`CASE WHEN excluded.vendor IS NOT NULL AND excluded.last_seen >= assets.last_seen THEN excluded.vendor ELSE assets.vendor END`,
          product: sql`CASE WHEN excluded.vendor IS NOT NULL AND excluded.last_seen >= assets.last_seen THEN excluded.product ELSE assets.product END`,
          model: sql`CASE WHEN excluded.vendor IS NOT NULL AND excluded.last_seen >= assets.last_seen THEN excluded.model ELSE assets.model END`,
          firmware: sql`CASE WHEN excluded.vendor IS NOT NULL AND excluded.last_seen >= assets.last_seen THEN excluded.firmware ELSE assets.firmware END`,
          firstSeen: sql`CASE WHEN excluded.first_seen < assets.first_seen THEN excluded.first_seen ELSE assets.first_seen END`,
          lastSeen: sql`CASE WHEN excluded.last_seen > assets.last_seen THEN excluded.last_seen ELSE assets.last_seen END`,
        })),
      )
      .returning(['id', 'ip'])
      .execute();
    for (const r of out) ids.set(r.ip, r.id);
  }
  return ids;
}

const endpointKey = (assetId: string, port: number, transport: string) => `${assetId}|${port}|${transport}`;

async function upsertServices(ctx: ServiceContext, trx: Transaction<Database>, valid: Valid[], assetIds: Map<string, string>): Promise<Map<string, string>> {
  const byEndpoint = new Map<string, { first: string; last: string; v: Valid }>();
  for (const v of valid) {
    const k = endpointKey(assetIds.get(v.ip)!, v.port, v.transport);
    const e = byEndpoint.get(k);
    if (!e) byEndpoint.set(k, { first: v.observedAt, last: v.observedAt, v });
    else {
      if (v.observedAt < e.first) e.first = v.observedAt;
      if (v.observedAt >= e.last) {
        e.last = v.observedAt;
        e.v = v;
      }
    }
  }
  const rows = [...byEndpoint.values()].map((e) => ({
    id: newId(),
    assetId: assetIds.get(e.v.ip)!,
    port: e.v.port,
    transport: e.v.transport,
    protocol: e.v.protocol,
    firstSeen: e.first,
    lastSeen: e.last,
  }));
  const ids = new Map<string, string>();
  const size = chunkSize(ctx.store, 7);
  for (let i = 0; i < rows.length; i += size) {
    const out = await trx
      .insertInto('services')
      .values(rows.slice(i, i + size))
      .onConflict((oc) =>
        oc.columns(['assetId', 'port', 'transport']).doUpdateSet(() => ({
          protocol: sql`CASE WHEN excluded.last_seen >= services.last_seen THEN excluded.protocol ELSE services.protocol END`,
          firstSeen: sql`CASE WHEN excluded.first_seen < services.first_seen THEN excluded.first_seen ELSE services.first_seen END`,
          lastSeen: sql`CASE WHEN excluded.last_seen > services.last_seen THEN excluded.last_seen ELSE services.last_seen END`,
        })),
      )
      .returning(['id', 'assetId', 'port', 'transport'])
      .execute();
    for (const r of out) ids.set(endpointKey(r.assetId, r.port, r.transport), r.id);
  }
  return ids;
}

interface ChangedIdentity {
  serviceId: string;
  assetId: string;
  ip: string;
  port: number;
  place: Placement;
  identity: DeviceIdentity;
  previousDigest: string | null;
  observedAt: string;
}

async function upsertIdentities(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  valid: Valid[],
  assetIds: Map<string, string>,
  serviceIds: Map<string, string>,
): Promise<ChangedIdentity[]> {
  const latest = latestBy(
    valid.filter((v) => v.identity),
    (v) => serviceIds.get(endpointKey(assetIds.get(v.ip)!, v.port, v.transport))!,
  );
  if (!latest.size) return [];
  const existing = new Map<string, { digest: string; observedAt: string }>();
  const keys = [...latest.keys()];
  const size = chunkSize(ctx.store, 1);
  for (let i = 0; i < keys.length; i += size) {
    const rows = await trx.selectFrom('identities').select(['serviceId', 'digest', 'observedAt']).where('serviceId', 'in', keys.slice(i, i + size)).execute();
    for (const r of rows) existing.set(r.serviceId, r);
  }
  const changed: ChangedIdentity[] = [];
  const rows = [];
  for (const [serviceId, v] of latest) {
    const digest = identityDigest(v.identity);
    const prev = existing.get(serviceId);
    if (prev && (prev.observedAt > v.observedAt || prev.digest === digest)) {
      continue; // older evidence, or nothing new: the stored identity stands
    }
    const id = v.identity!;
    rows.push({
      serviceId,
      assetId: assetIds.get(v.ip)!,
      vendor: id.vendor ?? null,
      vendorKey: id.vendor ? ctx.matcher.vendorKey(id.vendor) : null,
      product: id.product ?? null,
      model: id.model ?? null,
      orderNumber: id.orderNumber ?? null,
      firmware: id.firmware ?? null,
      hardware: id.hardware ?? null,
      serial: id.serial ?? null,
      moduleName: id.moduleName ?? null,
      plantId: id.plantId ?? null,
      raw: JSON.stringify(id.raw ?? {}),
      digest,
      observedAt: v.observedAt,
    });
    changed.push({ serviceId, assetId: assetIds.get(v.ip)!, ip: v.ip, port: v.port, place: v.place, identity: id, previousDigest: prev?.digest ?? null, observedAt: v.observedAt });
  }
  const rowSize = chunkSize(ctx.store, 15);
  for (let i = 0; i < rows.length; i += rowSize) {
    await trx
      .insertInto('identities')
      .values(rows.slice(i, i + rowSize))
      .onConflict((oc) =>
        oc.column('serviceId').doUpdateSet((eb) => ({
          vendor: eb.ref('excluded.vendor'),
          vendorKey: eb.ref('excluded.vendorKey'),
          product: eb.ref('excluded.product'),
          model: eb.ref('excluded.model'),
          orderNumber: eb.ref('excluded.orderNumber'),
          firmware: eb.ref('excluded.firmware'),
          hardware: eb.ref('excluded.hardware'),
          serial: eb.ref('excluded.serial'),
          moduleName: eb.ref('excluded.moduleName'),
          plantId: eb.ref('excluded.plantId'),
          raw: eb.ref('excluded.raw'),
          digest: eb.ref('excluded.digest'),
          observedAt: eb.ref('excluded.observedAt'),
        })),
      )
      .execute();
  }
  return changed;
}

async function insertObservations(ctx: ServiceContext, trx: Transaction<Database>, valid: Valid[], assetIds: Map<string, string>, receivedAt: string): Promise<void> {
  const rows = valid.map((v) => ({
    id: observationId(v),
    assetId: assetIds.get(v.ip)!,
    ip: v.ip,
    port: v.port,
    transport: v.transport,
    protocol: v.protocol,
    source: v.source,
    via: v.via,
    observedAt: v.observedAt,
    receivedAt,
    identity: JSON.stringify(v.identity ?? {}),
  }));
  const size = chunkSize(ctx.store, 11);
  for (let i = 0; i < rows.length; i += size) {
    await trx.insertInto('observations').values(rows.slice(i, i + size)).onConflict((oc) => oc.column('id').doNothing()).execute();
  }
}

/**
 * Re-matches the services whose identity changed: new matches become findings, matches that no
 * longer hold are closed, and each enterprise with new findings gets them on its open draft warning.
 * Returns the number of new findings.
 */
export async function matchChanged(ctx: ServiceContext, trx: Transaction<Database>, changed: ChangedIdentity[], nowIso: string): Promise<number> {
  if (!changed.length) return 0;
  const serviceIds = changed.map((c) => c.serviceId);
  const existing = new Map<string, { id: string; status: string }>();
  const size = chunkSize(ctx.store, 1);
  for (let i = 0; i < serviceIds.length; i += size) {
    const rows = await trx.selectFrom('findings').select(['id', 'serviceId', 'advisoryId', 'status']).where('serviceId', 'in', serviceIds.slice(i, i + size)).execute();
    for (const r of rows) existing.set(`${r.serviceId}|${r.advisoryId}`, r);
  }
  const upserts: FindingTable[] = [];
  const stillMatching = new Set<string>();
  const newByEnterprise = new Map<string, { ids: string[]; severities: Severity[]; place: Placement }>();
  for (const c of changed) {
    for (const m of ctx.matcher.match(c.identity)) {
      const key = `${c.serviceId}|${m.advisoryId}`;
      stillMatching.add(key);
      const prev = existing.get(key);
      const id = prev?.id ?? newId();
      upserts.push({
        id,
        assetId: c.assetId,
        serviceId: c.serviceId,
        advisoryId: m.advisoryId,
        productId: m.productId,
        ip: c.ip,
        port: c.port,
        provinceCode: c.place.provinceCode,
        cityCode: c.place.cityCode,
        countyCode: c.place.countyCode,
        enterpriseId: c.place.enterpriseId,
        cves: JSON.stringify(m.cves),
        confidence: m.confidence,
        reason: m.reason,
        severity: m.severity,
        cvss: m.cvss,
        status: 'open',
        createdAt: nowIso,
        updatedAt: nowIso,
      });
      if ((!prev || prev.status !== 'open') && c.place.enterpriseId) {
        const e = newByEnterprise.get(c.place.enterpriseId) ?? { ids: [], severities: [], place: c.place };
        e.ids.push(id);
        e.severities.push(m.severity);
        newByEnterprise.set(c.place.enterpriseId, e);
      }
    }
  }
  const rowSize = chunkSize(ctx.store, 19);
  for (let i = 0; i < upserts.length; i += rowSize) {
    await trx
      .insertInto('findings')
      .values(upserts.slice(i, i + rowSize))
      .onConflict((oc) =>
        oc.columns(['serviceId', 'advisoryId']).doUpdateSet((eb) => ({
          productId: eb.ref('excluded.productId'),
          cves: eb.ref('excluded.cves'),
          confidence: eb.ref('excluded.confidence'),
          reason: eb.ref('excluded.reason'),
          severity: eb.ref('excluded.severity'),
          cvss: eb.ref('excluded.cvss'),
          status: eb.ref('excluded.status'),
          updatedAt: eb.ref('excluded.updatedAt'),
        })),
      )
      .execute();
  }
  // Findings whose identity moved out of the affected range are closed, not deleted: the history stays.
  const gone = [...existing.entries()].filter(([k, f]) => !stillMatching.has(k) && f.status === 'open').map(([, f]) => f.id);
  for (let i = 0; i < gone.length; i += size) {
    await trx.updateTable('findings').set({ status: 'fixed', updatedAt: nowIso }).where('id', 'in', gone.slice(i, i + size)).execute();
  }
  let created = 0;
  for (const [enterpriseId, e] of newByEnterprise) {
    created += e.ids.length;
    await attachToDraftWarning(ctx, trx, enterpriseId, e.place, e.ids, maxSeverity(e.severities), nowIso);
  }
  return created;
}

async function attachToDraftWarning(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  enterpriseId: string,
  place: Placement,
  findingIds: string[],
  severity: Severity,
  nowIso: string,
): Promise<void> {
  let warning = await trx
    .selectFrom('warnings')
    .select(['id', 'severity'])
    .where('enterpriseId', '=', enterpriseId)
    .where('state', '=', 'draft')
    .executeTakeFirst();
  if (!warning) {
    const enterprise = await trx.selectFrom('enterprises').select('name').where('id', '=', enterpriseId).executeTakeFirst();
    warning = { id: newId(), severity };
    await trx
      .insertInto('warnings')
      .values({
        id: warning.id,
        enterpriseId,
        provinceCode: place.provinceCode,
        cityCode: place.cityCode,
        countyCode: place.countyCode,
        title: `关于${enterprise?.name ?? enterpriseId}工业控制系统安全漏洞风险的预警`,
        severity,
        state: 'draft',
        deadline: warningDeadline(severity, new Date(nowIso)),
        createdAt: nowIso,
        updatedAt: nowIso,
      })
      .execute();
  } else {
    const sev = maxSeverity([warning.severity as Severity, severity]);
    await trx.updateTable('warnings').set({ severity: sev, deadline: warningDeadline(sev, new Date(nowIso)), updatedAt: nowIso }).where('id', '=', warning.id).execute();
  }
  const size = chunkSize(ctx.store, 2);
  const rows = findingIds.map((findingId) => ({ warningId: warning!.id, findingId }));
  for (let i = 0; i < rows.length; i += size) {
    await trx.insertInto('warningFindings').values(rows.slice(i, i + size)).onConflict((oc) => oc.columns(['warningId', 'findingId']).doNothing()).execute();
  }
}

