// The spine: a batch of observations upserts assets and services, attributes each address to a
// region and an enterprise, records identities, matches changed identities against the advisories,
// writes findings and opens a draft warning per enterprise with new findings. One transaction per
// batch, writers serialised (store.lockWriters), so the state read at the start of a batch is the
// state it changes; the same batch sent twice leaves the same state.
import * as crypto from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { appError, type ErrorCode } from '../errors.ts';
import { IDENTITY_FIELDS, findHostileText, newId, type Actor, type DeviceIdentity } from '../model/index.ts';
import { formatIp, ipKey, normalizeIp, parseIp } from '../net/index.ts';
import { can } from '../access/index.ts';
import { bulkSpec, bulkWrite, bulkWriteAll, chunkSize, textArray, type AssetTable, type BulkSpec, type Database, type IdentityTable, type ObservationTable, type ServiceTable } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import type { Placement } from './attribution.ts';
import { audit } from './audit.ts';
import { CounterDeltas } from './counters.ts';
import { matchChanged, type ChangedIdentity } from './matching.ts';
import { moveAssets, samePlace } from './placement.ts';
import { recordEvents, type NewEvent } from './events.ts';
import { exposureNewEvent } from './exposure.ts';
import { isHoneypotIdentity } from '../honeypot/index.ts';
import { verifyTouched } from './warning-verification.ts';

export const MAX_BATCH = 10_000;

export interface Rejection {
  index: number;
  code: ErrorCode;
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
  ipKey: string;
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
const FIELDS = new Set(['ip', 'port', 'transport', 'protocol', 'observedAt', 'source', 'identity', 'via']);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const IDENTITY_FIELD_SET: ReadonlySet<string> = new Set(IDENTITY_FIELDS);
/** The form toISOString gives: an observedAt already in it is kept as written, not rebuilt. */
const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Checks one item by hand so that one bad item is rejected alone, with its own code. */
function validate(ctx: ServiceContext, item: unknown, index: number, nowMs: number): Valid | Rejection {
  const bad = (code: Rejection['code'], message: string): Rejection => ({ index, code, message });
  if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('VALIDATION_FAILED', 'an observation must be an object');
  const o = item as Record<string, unknown>;
  for (const k in o) if (!FIELDS.has(k)) return bad('VALIDATION_FAILED', `unknown field '${k.slice(0, 64)}'`);
  const addr = typeof o.ip === 'string' ? parseIp(o.ip) : null;
  if (!addr) return bad('INVALID_IP', `ip '${String(o.ip).slice(0, 64)}' is not an IPv4 or IPv6 address`);
  const hostile = findHostileText(o, 'observation');
  if (hostile) return bad('VALIDATION_FAILED', `${hostile} contains a NUL character or an unpaired surrogate`);
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 0 || o.port > 65535) return bad('VALIDATION_FAILED', 'port must be an integer 0..65535');
  if (o.transport !== 'tcp' && o.transport !== 'udp') return bad('VALIDATION_FAILED', "transport must be 'tcp' or 'udp'");
  if (typeof o.protocol !== 'string' || !PROTOCOL.test(o.protocol)) return bad('VALIDATION_FAILED', 'protocol must be a short lower-case name such as modbus');
  if (typeof o.observedAt !== 'string' || !RFC3339.test(o.observedAt)) return bad('VALIDATION_FAILED', 'observedAt must be an RFC 3339 date-time');
  const t = Date.parse(o.observedAt);
  if (Number.isNaN(t) || !realCalendarDate(o.observedAt)) return bad('VALIDATION_FAILED', 'observedAt is not a real date');
  if (t > nowMs + 5 * 60_000) return bad('VALIDATION_FAILED', 'observedAt is in the future');
  if (typeof o.source !== 'string' || o.source.length === 0 || o.source.length > 64) return bad('VALIDATION_FAILED', 'source must be a string of 1..64 characters');
  let via: string | null = null;
  if (o.via !== undefined && o.via !== null) {
    via = typeof o.via === 'string' ? normalizeIp(o.via) : null;
    if (!via) return bad('INVALID_IP', "'via' is not an IP address");
  }
  let identity: DeviceIdentity | null = null;
  if (o.identity !== undefined && o.identity !== null) {
    if (typeof o.identity !== 'object' || Array.isArray(o.identity)) return bad('VALIDATION_FAILED', 'identity must be an object');
    const out: DeviceIdentity = {};
    const given = o.identity as Record<string, unknown>;
    for (const k of Object.keys(given)) {
      const v = given[k];
      if (k === 'raw') {
        if (v === undefined || v === null) continue;
        if (typeof v !== 'object' || Array.isArray(v)) return bad('VALIDATION_FAILED', 'identity.raw must be an object');
        if (JSON.stringify(v).length > MAX_RAW_JSON) return bad('VALIDATION_FAILED', `identity.raw is larger than ${MAX_RAW_JSON} bytes`);
        out.raw = v as Record<string, unknown>;
      } else if (IDENTITY_FIELD_SET.has(k)) {
        if (v === undefined || v === null || v === '') continue;
        if (typeof v !== 'string' || v.length > MAX_TEXT) return bad('VALIDATION_FAILED', `identity.${k} must be a string of at most ${MAX_TEXT} characters`);
        (out as Record<string, string>)[k] = v;
      } else {
        return bad('VALIDATION_FAILED', `unknown identity field '${k}'`);
      }
    }
    if (Object.keys(out).length) identity = out;
  }
  const ip = formatIp(addr);
  const place = ctx.attribution.place(ip, addr);
  if (!place) return bad('OUT_OF_REGION', `${ip} is in none of the region's address ranges nor in a registered enterprise network`);
  return { index, ip, ipKey: ipKey(addr), port: o.port, transport: o.transport, protocol: o.protocol, observedAt: CANONICAL_TIME.test(o.observedAt) ? o.observedAt : new Date(t).toISOString(), source: o.source, via, identity, place };
}

/** Date.parse rolls 30 February over to 2 March; the calendar fields must exist as written. */
function realCalendarDate(text: string): boolean {
  const [y, m, d] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  const [hh, mm, ss] = [Number(text.slice(11, 13)), Number(text.slice(14, 16)), Number(text.slice(17, 19))];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= days && hh <= 23 && mm <= 59 && ss <= 59;
}

// One-shot hashing (Node ≥ 20.12) skips a Hash object per call: every observation's id is hashed,
// and a changed identity's digest.
const digest: (algorithm: string, text: string, encoding: 'hex' | 'base64url') => string =
  typeof crypto.hash === 'function'
    ? (algorithm, text, encoding) => crypto.hash(algorithm, text, encoding)
    : (algorithm, text, encoding) => crypto.createHash(algorithm).update(text).digest(encoding);

function identityDigest(id: DeviceIdentity | null): string {
  if (!id) return '';
  let text = id[IDENTITY_FIELDS[0]] ?? '';
  for (let i = 1; i < IDENTITY_FIELDS.length; i++) text += '\u0000' + (id[IDENTITY_FIELDS[i]] ?? '');
  return digest('sha1', text, 'hex');
}

/**
 * The hash of JSON.stringify([ip, port, transport, protocol, observedAt, source, via, identity]),
 * written out so that the identity's JSON, which the row stores too, is built once.
 */
function observationId(v: Valid, identityJson: string | null): string {
  const S = JSON.stringify;
  const text = `[${S(v.ip)},${v.port},${S(v.transport)},${S(v.protocol)},${S(v.observedAt)},${S(v.source)},${S(v.via)},${identityJson ?? 'null'}]`;
  return digest('sha256', text, 'base64url').slice(0, 32);
}

export async function ingestObservations(ctx: ServiceContext, actor: Actor, items: unknown[]): Promise<IngestResult> {
  if (!can(actor, 'ingest:observations')) throw appError('FORBIDDEN');
  if (items.length > MAX_BATCH) throw appError('BATCH_TOO_LARGE', `at most ${MAX_BATCH} observations per batch`);
  const now = ctx.now();
  const rejected: Rejection[] = [];
  const valid: Valid[] = [];
  items.forEach((item, i) => {
    const r = validate(ctx, item, i, now.getTime());
    if ('code' in r) rejected.push(r);
    else valid.push(r);
  });
  if (!valid.length) return { accepted: 0, rejected, assets: 0, findings: 0 };

  const nowIso = now.toISOString();
  // What an observation row holds of its own (its id, its identity's JSON) depends on nothing
  // stored: built here, before the writer lock, while another batch may hold it.
  const evidence = valid.map((v) => {
    const identityJson = v.identity ? JSON.stringify(v.identity) : null;
    return { id: observationId(v, identityJson), identity: identityJson ?? '{}' };
  });
  const stats = await ctx.store.db.transaction().execute(async (trx) => {
    await ctx.store.lockWriters(trx);
    const counters = new CounterDeltas();
    const events: NewEvent[] = [];
    const created = new Set<string>();
    // Writes that no later read of the batch looks at (new rows, narrow updates): sent with the
    // observations on PostgreSQL, new rows by COPY and the rest in one statement (writeLater).
    const later: BulkSpec[] = [];
    const stored = await readStored(ctx, trx, valid);
    const assets = await writeAssets(ctx, trx, valid, stored, later, counters, created);
    const serviceIds = await writeServices(ctx, trx, valid, assets, stored, later, counters, events);
    const changed = await writeIdentities(ctx, trx, valid, assets, serviceIds, stored, later, events, created);
    await writeObservations(ctx, trx, valid, evidence, stored, assets, nowIso, later);
    const findings = await matchChanged(ctx, trx, changed, counters, nowIso);
    await recordEvents(ctx, trx, events, counters, nowIso);
    await counters.apply(ctx.store, trx);
    await audit(trx, actor, 'observations.ingest', 'observation-batch', null, { accepted: valid.length, rejected: rejected.length, newFindings: findings }, now);
    return { assets: assets.size, findings };
  });
  await verifyTouched(ctx, valid.map((v) => v.ip));
  return { accepted: valid.length, rejected, ...stats };
}

async function selectIn<T>(ctx: ServiceContext, keys: string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  const size = chunkSize(ctx.store, 1);
  for (let i = 0; i < keys.length; i += size) out.push(...(await query(keys.slice(i, i + size))));
  return out;
}

/** What a stored identity's read gives first: enough to tell whether the batch changes it. */
type IdentityKey = Pick<IdentityTable, 'serviceId' | 'digest' | 'observedAt'>;

/**
 * The stored rows a batch can meet: its addresses' assets and, where one read gives them, those
 * assets' services and the digests of the services' identities (null: writeServices and
 * writeIdentities read their own). On PostgreSQL one statement joins the three, keyed by one
 * array parameter: one round trip and one plan instead of three statements with 1,000 bound
 * keys each. SQLite, with no round trips and its statements cached, reads one table at a time.
 */
interface Stored {
  assets: Map<string, AssetTable>;
  services: ServiceTable[] | null;
  identities: Map<string, IdentityKey> | null;
}

/** A row of readStored's join as PostgreSQL names its columns. */
interface StoredRow {
  id: string;
  ip: string;
  ip_key: string;
  province_code: string | null;
  city_code: string | null;
  county_code: string | null;
  enterprise_id: string | null;
  vendor: string | null;
  product: string | null;
  model: string | null;
  firmware: string | null;
  honeypot: number;
  first_seen: string;
  last_seen: string;
  s_id: string | null;
  s_port: number;
  s_transport: string;
  s_protocol: string;
  s_first_seen: string;
  s_last_seen: string;
  i_service_id: string | null;
  i_digest: string;
  i_observed_at: string;
}

async function readStored(ctx: ServiceContext, trx: Transaction<Database>, valid: Valid[]): Promise<Stored> {
  const ips = [...new Set(valid.map((v) => v.ip))];
  if (ctx.store.dialect !== 'postgres') {
    const rows = await selectIn(ctx, ips, (chunk) => trx.selectFrom('assets').selectAll().where('ip', 'in', chunk).execute());
    return { assets: new Map(rows.map((a) => [a.ip, a])), services: null, identities: null };
  }
  const query = trx
    .selectFrom('assets as a')
    .leftJoin('services as s', 's.assetId', 'a.id')
    .leftJoin('identities as i', 'i.serviceId', 's.id')
    .selectAll('a')
    .select(['s.id as sId', 's.port as sPort', 's.transport as sTransport', 's.protocol as sProtocol', 's.firstSeen as sFirstSeen', 's.lastSeen as sLastSeen'])
    .select(['i.serviceId as iServiceId', 'i.digest as iDigest', 'i.observedAt as iObservedAt'])
    .where('a.ip', '=', sql<string>`any(${textArray(ips)}::text[])`);
  // Run without the camel-case plugin, whose per-row renaming of ~1,000 rows of 23 columns cost
  // more than the statement; the rows are renamed below, field by field (the types check that
  // every column of an asset is there).
  const { rows } = await trx.withoutPlugins().executeQuery<StoredRow>(query.compile());
  const assets = new Map<string, AssetTable>();
  const services: ServiceTable[] = [];
  const identities = new Map<string, IdentityKey>();
  for (const r of rows) {
    if (!assets.has(r.ip)) {
      assets.set(r.ip, {
        id: r.id,
        ip: r.ip,
        ipKey: r.ip_key,
        provinceCode: r.province_code,
        cityCode: r.city_code,
        countyCode: r.county_code,
        enterpriseId: r.enterprise_id,
        vendor: r.vendor,
        product: r.product,
        model: r.model,
        firmware: r.firmware,
        honeypot: r.honeypot,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      });
    }
    if (r.s_id === null) continue;
    services.push({ id: r.s_id, assetId: r.id, port: r.s_port, transport: r.s_transport, protocol: r.s_protocol, firstSeen: r.s_first_seen, lastSeen: r.s_last_seen });
    if (r.i_service_id !== null) identities.set(r.i_service_id, { serviceId: r.i_service_id, digest: r.i_digest, observedAt: r.i_observed_at });
  }
  return { assets, services, identities };
}

/** Final asset rows for the batch, computed from the stored rows and the evidence; returns them by ip. */
async function writeAssets(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  valid: Valid[],
  storedRows: Stored,
  later: BulkSpec[],
  counters: CounterDeltas,
  created: Set<string>,
): Promise<Map<string, AssetTable>> {
  const byIp = new Map<string, { first: string; last: string; v: Valid; identified: Valid | null; honeypot: boolean }>();
  for (const v of valid) {
    const e = byIp.get(v.ip);
    if (!e) byIp.set(v.ip, { first: v.observedAt, last: v.observedAt, v, identified: v.identity ? v : null, honeypot: isHoneypotIdentity(v.identity) });
    else {
      e.honeypot ||= isHoneypotIdentity(v.identity);
      if (v.observedAt < e.first) e.first = v.observedAt;
      if (v.observedAt > e.last) e.last = v.observedAt;
      if (v.identity && (!e.identified || v.observedAt >= e.identified.observedAt)) e.identified = v;
    }
  }
  const stored = storedRows.assets;
  const moved: { asset: AssetTable; to: Placement }[] = [];
  const rows: AssetTable[] = [];
  // Rows to write: new ones by plain INSERT (see below); re-indexed ones in full; the rest
  // (only last-seen and the like moved) by an UPDATE of unindexed columns, so no index entry is
  // rewritten; unchanged rows not at all.
  const inserts: AssetTable[] = [];
  const full: AssetTable[] = [];
  const narrow: AssetTable[] = [];
  for (const [ip, e] of byIp) {
    const old = stored.get(ip);
    const place = e.v.place;
    // The identity summary follows the newest identified evidence, never older evidence (but late
    // identified evidence still fills a summary that has none).
    const unsummarised = !old || (old.vendor === null && old.product === null && old.model === null && old.firmware === null);
    const fresh = e.identified && (unsummarised || e.identified.observedAt >= old!.lastSeen) ? e.identified.identity! : null;
    const row: AssetTable = {
      id: old?.id ?? newId(),
      ip,
      ipKey: e.v.ipKey,
      ...place,
      vendor: fresh ? (fresh.vendor ?? null) : (old?.vendor ?? null),
      product: fresh ? (fresh.product ?? null) : (old?.product ?? null),
      model: fresh ? (fresh.model ?? null) : (old?.model ?? null),
      firmware: fresh ? (fresh.firmware ?? null) : (old?.firmware ?? null),
      // Any service showing a public honeypot's default identity (Conpot's) marks the whole address.
      honeypot: e.honeypot || old?.honeypot === 1 ? 1 : 0,
      firstSeen: old && old.firstSeen < e.first ? old.firstSeen : e.first,
      lastSeen: old && old.lastSeen > e.last ? old.lastSeen : e.last,
    };
    rows.push(row);
    if (!old) {
      inserts.push(row);
      created.add(row.id);
      counters.add('assets', '', row, 1);
      if (row.vendor !== null) counters.add('vendor', row.vendor, row, 1);
      continue;
    }
    if (!samePlace(old, place)) moved.push({ asset: old, to: place });
    if (!samePlace(old, place) || old.vendor !== row.vendor) full.push(row);
    else if (!sameAsset(old, row)) narrow.push(row);
    if (old.vendor !== row.vendor) {
      if (old.vendor !== null) counters.add('vendor', old.vendor, place, -1);
      if (row.vendor !== null) counters.add('vendor', row.vendor, place, 1);
    }
  }
  // Counters of a moved asset follow it first, so the changes below count at its new place.
  await moveAssets(ctx, trx, moved, counters);
  // Rows read above under the writer lock are all the stored rows these keys can meet, so a row
  // that was not there cannot conflict: a plain INSERT, which on PostgreSQL skips an upsert's
  // speculative insertion (a second probe of the key and a confirmation WAL record per row). The
  // same holds for new services and identities below.
  await writeLater(ctx, trx, later, bulkSpec(inserts, (chunk) => trx.insertInto('assets').values(chunk)));
  await upsertPlacedAssets(ctx, trx, full);
  // Rows stored at the same address with only unindexed columns moved: an UPDATE by id of those
  // columns (on PostgreSQL one `update … from unnest(…)`: no speculative insertion, no tuple lock,
  // half the bytes), still heap-only where the page has room. Written with the observations on
  // PostgreSQL (writeLater).
  await writeLater(
    ctx,
    trx,
    later,
    bulkSpec(
      narrow.map((r) => ({ product: r.product, model: r.model, firmware: r.firmware, honeypot: r.honeypot, firstSeen: r.firstSeen, lastSeen: r.lastSeen, id: r.id })),
      ([{ id, ...set }]) => trx.updateTable('assets').set(set).where('id', '=', id),
    ),
  );
  return new Map(rows.map((r) => [r.ip, r]));
}

/** What a re-observed asset's row may change without touching an indexed column (written by the UPDATE above). */
const UNPLACED_ASSET_COLUMNS = ['product', 'model', 'firmware', 'honeypot', 'firstSeen', 'lastSeen'] as const;
/** What it changes when its place or vendor moved (those columns are indexed). */
const PLACED_ASSET_COLUMNS = ['provinceCode', 'cityCode', 'countyCode', 'enterpriseId', 'vendor', ...UNPLACED_ASSET_COLUMNS] as const;

/** Updates the place, vendor and unindexed columns of assets stored at the same address. */
async function upsertPlacedAssets(ctx: ServiceContext, trx: Transaction<Database>, rows: AssetTable[]): Promise<void> {
  await bulkWrite(ctx.store, trx, rows, (chunk) =>
    trx
      .insertInto('assets')
      .values(chunk)
      .onConflict((oc) => oc.column('ip').doUpdateSet((eb) => Object.fromEntries(PLACED_ASSET_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])))),
  );
}

/** Whether a new asset row says nothing the stored one does not (then it is not written). */
function sameAsset(a: AssetTable, b: AssetTable): boolean {
  return (
    a.product === b.product && a.model === b.model && a.firmware === b.firmware && a.honeypot === b.honeypot && a.firstSeen === b.firstSeen && a.lastSeen === b.lastSeen
  );
}

const endpointKey = (assetId: string, port: number, transport: string) => `${assetId}|${port}|${transport}`;

async function writeServices(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  valid: Valid[],
  assets: Map<string, AssetTable>,
  storedRows: Stored,
  later: BulkSpec[],
  counters: CounterDeltas,
  events: NewEvent[],
): Promise<Map<string, string>> {
  const byEndpoint = new Map<string, { first: string; last: string; v: Valid }>();
  for (const v of valid) {
    const k = endpointKey(assets.get(v.ip)!.id, v.port, v.transport);
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
  const assetIds = [...new Set([...assets.values()].map((a) => a.id))];
  const stored = new Map(
    (storedRows.services ?? (await selectIn(ctx, assetIds, (ids) => trx.selectFrom('services').selectAll().where('assetId', 'in', ids).execute()))).map((s) => [
      endpointKey(s.assetId, s.port, s.transport),
      s,
    ]),
  );
  const rows: ServiceTable[] = [];
  // Changed rows, as in writeAssets: new ones inserted, protocol changes in full, seen-times only narrowly.
  const inserts: ServiceTable[] = [];
  const full: ServiceTable[] = [];
  const narrow: ServiceTable[] = [];
  // Protocols each asset exposes, before and after the batch, for the per-protocol asset counts.
  const protocolsBefore = new Map<string, Set<string>>();
  const endpointProtocol = new Map<string, string>();
  for (const [k, s] of stored) {
    (protocolsBefore.get(s.assetId) ?? protocolsBefore.set(s.assetId, new Set()).get(s.assetId)!).add(s.protocol);
    endpointProtocol.set(k, s.protocol);
  }
  for (const [k, e] of byEndpoint) {
    const old = stored.get(k);
    const asset = assets.get(e.v.ip)!;
    const newer = !old || e.last >= old.lastSeen;
    const row: ServiceTable = {
      id: old?.id ?? newId(),
      assetId: asset.id,
      port: e.v.port,
      transport: e.v.transport,
      protocol: newer ? e.v.protocol : old.protocol,
      firstSeen: old && old.firstSeen < e.first ? old.firstSeen : e.first,
      lastSeen: old && old.lastSeen > e.last ? old.lastSeen : e.last,
    };
    endpointProtocol.set(k, row.protocol);
    if (!old) events.push(exposureNewEvent({ ip: e.v.ip, port: e.v.port, transport: e.v.transport, protocol: e.v.protocol, source: e.v.source, observedAt: e.first, place: e.v.place }, asset.id));
    if (!old) inserts.push(row);
    else if (old.protocol !== row.protocol) full.push(row);
    else if (old.firstSeen !== row.firstSeen || old.lastSeen !== row.lastSeen) narrow.push(row);
    else continue;
    rows.push(row);
  }
  const protocolsAfter = new Map<string, Set<string>>();
  for (const [k, protocol] of endpointProtocol) {
    const assetId = k.slice(0, k.indexOf('|'));
    (protocolsAfter.get(assetId) ?? protocolsAfter.set(assetId, new Set()).get(assetId)!).add(protocol);
  }
  for (const asset of assets.values()) {
    const before = protocolsBefore.get(asset.id) ?? new Set<string>();
    const after = protocolsAfter.get(asset.id) ?? new Set<string>();
    for (const p of after) if (!before.has(p)) counters.add('protocol', p, asset, 1);
    for (const p of before) if (!after.has(p)) counters.add('protocol', p, asset, -1);
  }
  await writeLater(ctx, trx, later, bulkSpec(inserts, (chunk) => trx.insertInto('services').values(chunk)));
  await bulkWrite(ctx.store, trx, full, (chunk) =>
    trx
      .insertInto('services')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['assetId', 'port', 'transport']).doUpdateSet((eb) => ({
          protocol: eb.ref('excluded.protocol'),
          firstSeen: eb.ref('excluded.firstSeen'),
          lastSeen: eb.ref('excluded.lastSeen'),
        })),
      ),
  );
  // Seen-times only: an UPDATE by id, as for assets, written with the observations on PostgreSQL.
  await writeLater(
    ctx,
    trx,
    later,
    bulkSpec(
      narrow.map((r) => ({ firstSeen: r.firstSeen, lastSeen: r.lastSeen, id: r.id })),
      ([{ id, ...set }]) => trx.updateTable('services').set(set).where('id', '=', id),
    ),
  );
  const ids = new Map<string, string>();
  for (const [k, s] of stored) ids.set(k, s.id);
  for (const r of rows) ids.set(endpointKey(r.assetId, r.port, r.transport), r.id);
  return ids;
}

async function writeIdentities(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  valid: Valid[],
  assets: Map<string, AssetTable>,
  serviceIds: Map<string, string>,
  storedRows: Stored,
  later: BulkSpec[],
  events: NewEvent[],
  createdAssets: Set<string>,
): Promise<ChangedIdentity[]> {
  const latest = new Map<string, Valid>();
  for (const v of valid) {
    if (!v.identity) continue;
    const serviceId = serviceIds.get(endpointKey(assets.get(v.ip)!.id, v.port, v.transport))!;
    const prev = latest.get(serviceId);
    if (!prev || v.observedAt > prev.observedAt) latest.set(serviceId, v);
  }
  if (!latest.size) return [];
  const digests = new Map<string, string>();
  for (const [serviceId, v] of latest) digests.set(serviceId, identityDigest(v.identity));
  // Stored identities in full: those the batch changes when readStored gave the digests (their
  // fields go into the change events), else all of the batch's.
  const keys = storedRows.identities;
  const full = keys
    ? [...latest.keys()].filter((id) => {
        const k = keys.get(id);
        return k !== undefined && k.observedAt <= latest.get(id)!.observedAt && k.digest !== digests.get(id);
      })
    : [...latest.keys()];
  const stored = new Map(
    (await selectIn(ctx, full, (ids) => trx.selectFrom('identities').select(['serviceId', 'digest', 'observedAt', ...IDENTITY_FIELDS]).where('serviceId', 'in', ids).execute())).map((r) => [r.serviceId, r]),
  );
  const changed: ChangedIdentity[] = [];
  // The identities of services that had none are inserted, the others upserted (see writeAssets).
  const inserts: IdentityTable[] = [];
  const rows: IdentityTable[] = [];
  for (const [serviceId, v] of latest) {
    const digest = digests.get(serviceId)!;
    const key = keys ? keys.get(serviceId) : stored.get(serviceId);
    if (key && (key.observedAt > v.observedAt || key.digest === digest)) continue; // older evidence, or nothing new
    const prev = key && stored.get(serviceId)!;
    const id = v.identity!;
    const asset = assets.get(v.ip)!;
    (prev ? rows : inserts).push({
      serviceId,
      assetId: asset.id,
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
    changed.push({ serviceId, assetId: asset.id, ip: v.ip, port: v.port, place: v.place, identity: id, newService: !prev, newAsset: createdAssets.has(asset.id) });
    if (prev) {
      const diffs = IDENTITY_FIELDS.filter((f) => (prev[f] ?? undefined) !== id[f]);
      if (diffs.length) {
        events.push({
          kind: 'identity-changed',
          severity: diffs.includes('firmware') ? 'medium' : 'low',
          assetId: asset.id,
          ip: v.ip,
          place: v.place,
          source: v.source,
          summary: `${v.ip}:${v.port} ${diffs.map((f) => `${f} ${prev[f] ?? '∅'} → ${id[f] ?? '∅'}`).join('; ')}`,
          detail: { port: v.port, protocol: v.protocol, before: Object.fromEntries(diffs.map((f) => [f, prev[f]])), after: Object.fromEntries(diffs.map((f) => [f, id[f] ?? null])) },
          occurredAt: v.observedAt,
        });
      }
    }
  }
  await writeLater(ctx, trx, later, bulkSpec(inserts, (chunk) => trx.insertInto('identities').values(chunk)));
  await bulkWrite(ctx.store, trx, rows, (chunk) =>
    trx
      .insertInto('identities')
      .values(chunk)
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
      ),
  );
  return changed;
}

/**
 * Queues a write to go with the observations on PostgreSQL (see writeObservations); on SQLite,
 * where a statement costs no round trip, writes it at once, where the batch decides it.
 */
async function writeLater(ctx: ServiceContext, trx: Transaction<Database>, later: BulkSpec[], write: BulkSpec): Promise<void> {
  if (ctx.store.dialect === 'postgres') later.push(write);
  else await bulkWrite(ctx.store, trx, write.rows, write.build);
}

/**
 * Writes the observations, and with them on PostgreSQL the writes in `later` (bulkWriteAll: new
 * rows by COPY, parents first, then the narrow UPDATEs and the upsert of observations in one statement).
 * An observation made after its asset's stored last-seen time, or of an asset new in this batch,
 * cannot be stored yet (every stored observation is at or before its asset's last-seen time, both
 * written in one transaction): those go in by plain INSERT, once each, skipping an upsert's
 * speculative insertion as new assets do; the others (a batch sent again, late evidence) by
 * INSERT … ON CONFLICT DO NOTHING.
 */
async function writeObservations(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  valid: Valid[],
  evidence: { id: string; identity: string }[],
  storedRows: Stored,
  assets: Map<string, AssetTable>,
  receivedAt: string,
  later: BulkSpec[],
): Promise<void> {
  const fresh: ObservationTable[] = [];
  const seen: ObservationTable[] = [];
  const ids = new Set<string>();
  valid.forEach((v, i) => {
    const row: ObservationTable = {
      id: evidence[i].id,
      assetId: assets.get(v.ip)!.id,
      ip: v.ip,
      port: v.port,
      transport: v.transport,
      protocol: v.protocol,
      source: v.source,
      via: v.via,
      observedAt: v.observedAt,
      receivedAt,
      identity: evidence[i].identity,
    };
    const old = storedRows.assets.get(v.ip);
    if (old && v.observedAt <= old.lastSeen) seen.push(row);
    // The id hashes the whole observation, address and time included: the same id twice in a batch is the same row.
    else if (!ids.has(row.id)) {
      ids.add(row.id);
      fresh.push(row);
    }
  });
  await bulkWriteAll(ctx.store, trx, [
    ...later,
    bulkSpec(fresh, (chunk) => trx.insertInto('observations').values(chunk)),
    bulkSpec(seen, (chunk) => trx.insertInto('observations').values(chunk).onConflict((oc) => oc.columns(['assetId', 'observedAt', 'id']).doNothing())),
  ]);
}
