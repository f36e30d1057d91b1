// Advisories: CSAF 2.0, CVE JSON 5 and CNVD XML import (API and the bundled set on first start),
// lookup, and the incremental re-match an imported advisory triggers. The stored `document` is
// the record's own source (the CSAF or CVE object, or one CNVD <vulnerability> as a JSON string),
// so its shape tells the format again when the matcher is loaded at start.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { appError } from '../errors.ts';
import type { Actor, DeviceIdentity, Severity } from '../model/index.ts';
import { can } from '../access/index.ts';
import { buildIndex, detectFormat, importDocument, prepareMatch, type AdvisoryFormat, type ImportedRecord, type NormalizedAdvisory, type PreparedMatch } from '../vulns/index.ts';
import { chunkSize } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import { audit } from './audit.ts';
import { matchChanged } from './matching.ts';
import { CounterDeltas } from './counters.ts';

export interface AdvisoryView {
  id: string;
  format: AdvisoryFormat;
  title: string;
  publisher: string | null;
  initialRelease: string | null;
  currentRelease: string | null;
  severity: Severity;
  maxCvss: number | null;
  cves: unknown[];
  products: unknown[];
  problems: unknown[];
  importedAt: string;
}

export interface ImportOutcome {
  format: AdvisoryFormat;
  advisory: AdvisoryView;
  created: boolean;
  rematched: number;
  newFindings: number;
}

/** A file of several records (a CNVD week): each stored on its own; refused records are listed, not thrown. */
export interface BatchOutcome {
  format: AdvisoryFormat;
  items: ImportOutcome[];
  refused: { index: number; reason: string }[];
}

async function store(ctx: ServiceContext, actor: Actor | null, record: ImportedRecord): Promise<{ advisory: NormalizedAdvisory; created: boolean; view: AdvisoryView }> {
  const result = record.result;
  if (!result.ok) throw appError('INVALID_ADVISORY', result.reason);
  const doc = record.source;
  const a = result.advisory;
  const now = ctx.now().toISOString();
  const row = {
    id: a.id,
    title: a.title,
    publisher: a.publisher ?? null,
    initialRelease: a.initialRelease ?? null,
    currentRelease: a.currentRelease ?? null,
    severity: a.severity,
    maxCvss: a.maxCvss ?? null,
    cves: JSON.stringify(a.cves),
    products: JSON.stringify(a.products),
    problems: JSON.stringify(result.problems),
    document: JSON.stringify(doc),
    importedAt: now,
  };
  let created = false;
  await ctx.store.db.transaction().execute(async (trx) => {
    const prev = await trx.selectFrom('advisories').select(['id', 'document']).where('id', '=', a.id).executeTakeFirst();
    if (prev && prev.document === row.document) return; // idempotent: the same document again changes nothing
    created = !prev;
    await trx
      .insertInto('advisories')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
        title: eb.ref('excluded.title'),
        publisher: eb.ref('excluded.publisher'),
        initialRelease: eb.ref('excluded.initialRelease'),
        currentRelease: eb.ref('excluded.currentRelease'),
        severity: eb.ref('excluded.severity'),
        maxCvss: eb.ref('excluded.maxCvss'),
        cves: eb.ref('excluded.cves'),
        products: eb.ref('excluded.products'),
        problems: eb.ref('excluded.problems'),
        document: eb.ref('excluded.document'),
        importedAt: eb.ref('excluded.importedAt'),
      })))
      .execute();
    if (actor) await audit(trx, actor, prev ? 'advisory.update' : 'advisory.import', 'advisory', a.id, { format: record.format, problems: result.problems.length });
  });
  return { advisory: a, created, view: toView(row) };
}

/** Imports one CSAF document or CVE record (the format is told by its shape). */
export async function importAdvisory(ctx: ServiceContext, actor: Actor, doc: unknown): Promise<ImportOutcome> {
  if (!can(actor, 'write:advisories')) throw appError('FORBIDDEN');
  const parsed = importDocument(doc);
  if (!parsed.ok) throw appError('INVALID_ADVISORY', parsed.reason);
  if (parsed.records.length !== 1) throw appError('INVALID_ADVISORY', `${parsed.records.length} records in one document; send them as a batch`);
  return importRecord(ctx, actor, parsed.records[0]);
}

/** Imports every record of a document that may hold several (CNVD XML); one bad record does not stop the rest. */
export async function importAdvisories(ctx: ServiceContext, actor: Actor, doc: unknown): Promise<BatchOutcome> {
  if (!can(actor, 'write:advisories')) throw appError('FORBIDDEN');
  const parsed = importDocument(doc);
  if (!parsed.ok) throw appError('INVALID_ADVISORY', parsed.reason);
  const items: ImportOutcome[] = [];
  const refused: BatchOutcome['refused'] = [];
  for (const [index, record] of parsed.records.entries()) {
    if (!record.result.ok) refused.push({ index, reason: record.result.reason });
    else items.push(await importRecord(ctx, actor, record));
  }
  if (items.length === 0) throw appError('INVALID_ADVISORY', `no record could be imported: ${refused.map((r) => r.reason).join('; ').slice(0, 500)}`);
  return { format: parsed.format, items, refused };
}

async function importRecord(ctx: ServiceContext, actor: Actor, record: ImportedRecord): Promise<ImportOutcome> {
  const { advisory, created, view } = await store(ctx, actor, record);
  ctx.matcher.add(advisory);
  const { rematched, newFindings } = await rematchVendors(ctx, advisory);
  return { format: record.format, advisory: view, created, rematched, newFindings };
}

/**
 * Re-matches only what one advisory can change: among the identities of the vendors it names,
 * those it affects (its products resolved once per product, then firmware compared: prepareMatch)
 * and those that already have a finding from it (a revision may no longer cover them).
 */
async function rematchVendors(ctx: ServiceContext, advisory: NormalizedAdvisory): Promise<{ rematched: number; newFindings: number }> {
  const vendors = [...new Set(advisory.products.map((p) => p.vendorKey))];
  const rows = await ctx.store.db
    .selectFrom('identities')
    .innerJoin('services', 'services.id', 'identities.serviceId')
    .innerJoin('assets', 'assets.id', 'identities.assetId')
    .select([
      'identities.serviceId',
      'identities.assetId',
      'identities.vendor',
      'identities.product',
      'identities.model',
      'identities.orderNumber',
      'identities.firmware',
      'identities.hardware',
      'identities.serial',
      'identities.moduleName',
      'identities.plantId',
      'services.port',
      'assets.ip',
      'assets.provinceCode',
      'assets.cityCode',
      'assets.countyCode',
      'assets.enterpriseId',
    ])
    .where('identities.vendorKey', 'in', vendors.length ? vendors : [''])
    .execute();
  const alone = buildIndex([advisory]);
  const prepared = new Map<string, PreparedMatch | null>();
  const before = new Set((await ctx.store.db.selectFrom('findings').select('serviceId').where('advisoryId', '=', advisory.id).execute()).map((r) => r.serviceId));
  const touched = rows.filter((r) => {
    if (before.has(r.serviceId)) return true;
    const key = [r.vendor, r.product, r.model, r.orderNumber, r.moduleName].map((x) => x ?? '').join('\u0001');
    let p = prepared.get(key);
    if (p === undefined) prepared.set(key, (p = prepareMatch(alone, identityOf(r))));
    return p !== null && p.affects(r.firmware, r.serial);
  });
  if (!touched.length) return { rematched: 0, newFindings: 0 };
  const now = ctx.now().toISOString();
  let newFindings = 0;
  const size = chunkSize(ctx.store, 20);
  for (let i = 0; i < touched.length; i += size) {
    newFindings += await ctx.store.db.transaction().execute(async (trx) => {
      await ctx.store.lockWriters(trx);
      const counters = new CounterDeltas();
      const opened = await matchChanged(
        ctx,
        trx,
        touched.slice(i, i + size).map((r) => ({
          serviceId: r.serviceId,
          assetId: r.assetId,
          ip: r.ip,
          port: r.port,
          place: { provinceCode: r.provinceCode ?? ctx.regions.province.code, cityCode: r.cityCode, countyCode: r.countyCode, enterpriseId: r.enterpriseId },
          identity: identityOf(r),
        })),
        counters,
        now,
      );
      await counters.apply(ctx.store, trx);
      return opened;
    });
  }
  return { rematched: touched.length, newFindings };
}

function identityOf(r: Record<string, unknown>): DeviceIdentity {
  const out: DeviceIdentity = {};
  for (const f of ['vendor', 'product', 'model', 'orderNumber', 'firmware', 'hardware', 'serial', 'moduleName', 'plantId'] as const) {
    if (typeof r[f] === 'string') out[f] = r[f] as string;
  }
  return out;
}

export async function getAdvisory(ctx: ServiceContext, actor: Actor, id: string): Promise<AdvisoryView> {
  if (!can(actor, 'read:advisories')) throw appError('FORBIDDEN');
  const row = await ctx.store.db.selectFrom('advisories').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw appError('NOT_FOUND');
  return toView(row);
}

function toView(r: { id: string; title: string; publisher: string | null; initialRelease: string | null; currentRelease: string | null; severity: string; maxCvss: number | null; cves: string; products: string; problems: string; document: string; importedAt: string }): AdvisoryView {
  return {
    id: r.id,
    format: detectFormat(JSON.parse(r.document)) ?? 'csaf',
    title: r.title,
    publisher: r.publisher,
    initialRelease: r.initialRelease,
    currentRelease: r.currentRelease,
    severity: r.severity as Severity,
    maxCvss: r.maxCvss,
    cves: JSON.parse(r.cves),
    products: JSON.parse(r.products),
    problems: JSON.parse(r.problems),
    importedAt: r.importedAt,
  };
}

/** Loads every stored advisory into the matcher (at start). */
export async function loadMatcher(ctx: ServiceContext): Promise<number> {
  const rows = await ctx.store.db.selectFrom('advisories').select('document').execute();
  const list: NormalizedAdvisory[] = [];
  for (const r of rows) {
    const parsed = importDocument(JSON.parse(r.document));
    const res = parsed.ok ? parsed.records[0]?.result : undefined;
    if (res?.ok) list.push(res.advisory);
  }
  ctx.matcher.load(list);
  return list.length;
}

/** First start: import the bundled CISA advisories. Returns counts of imported and refused files. */
export async function importBundled(ctx: ServiceContext, dir: string): Promise<{ imported: number; refused: { file: string; reason: string }[] }> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^icsa-.*\.json$/i.test(name)) files.push(p);
    }
  };
  walk(dir);
  let imported = 0;
  const refused: { file: string; reason: string }[] = [];
  for (const f of files) {
    try {
      const parsed = importDocument(JSON.parse(readFileSync(f, 'utf8')));
      if (!parsed.ok) throw appError('INVALID_ADVISORY', parsed.reason);
      for (const record of parsed.records) await store(ctx, null, record);
      imported++;
    } catch (e) {
      refused.push({ file: f, reason: (e as Error).message });
    }
  }
  return { imported, refused };
}
