// Platform scans: the platform probes its own scope with the scanner library, in-process, one scan
// at a time from a queue. A request is checked before anything is queued (role, the actor's region,
// the configured scope allow-list; loopback is always allowed, for the twin), so a refused target
// never sees a packet. Observations go through ingestObservations as a sensor; every step is
// audited; a scan running when the process stopped resumes from its checkpoint file in the data
// dir; a finished scan settles misses (exposure.ts) and a scheduled one queues its next run.
import { randomInt } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appError, isAppError } from '../errors.ts';
import { newId, type Actor, type Observation } from '../model/index.ts';
import { intToIpv4, ipv4CidrRange } from '../net/index.ts';
import { can, inScope, objectInScope, scopeKind } from '../access/index.ts';
import { AddressSet, Checkpoint, Plan, checkScope, isScanError, parsePorts, readCidrFile, resolveTargets, scan, twinMapping, type TargetRange } from '../scanner/index.ts';
import type { Transaction } from 'kysely';
import type { Database, ScanTable } from '../storage/index.ts';
import type { ReprobeTarget, Reprober, ServiceContext } from './context.ts';
import { audit } from './audit.ts';
import { ingestObservations } from './observations.ts';
import { GONE_AFTER_MISSES, settleMisses } from './exposure.ts';
import { page, type Page, type PageQuery } from './paging.ts';

export type ScanState = ScanTable['state'];
export const SCAN_STATES: readonly ScanState[] = ['queued', 'running', 'finished', 'failed', 'cancelled'];

export interface ScanInput {
  targets: string[];
  ports?: string;
  /** New connections per second. */
  rate?: number;
  schedule?: { everyMinutes: number };
  /** Covering scans without an answer after which a service is gone (default GONE_AFTER_MISSES). */
  goneAfter?: number;
}

export interface ScanView {
  id: string;
  state: ScanState;
  targets: string[];
  ports: string | null;
  rate: number;
  schedule: { everyMinutes: number } | null;
  goneAfter: number;
  seriesId: string;
  createdBy: string | null;
  createdAt: string;
  notBefore: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Finished (address, port) pairs / all pairs, 0..1. */
  progress: number;
  pairs: number;
  finishedPairs: number;
  /** Pairs done before a restart, taken from the checkpoint. */
  resumedPairs: number;
  counts: { identified: number; observations: number; newAssets: number; errors: number; gone: number };
  error: string | null;
}

export interface ScanQuery extends PageQuery {
  state?: ScanState;
}

/** OT-safe default: new connections per second when the request names no rate. */
export const DEFAULT_SCAN_RATE = 1000;
export const SCAN_SOURCE = 'platform-scan';
/** Per connect and read: generous, as a slow PLC (or a busy host) answering late is still there. */
export const SCAN_TIMEOUT_MS = 3000;

/** The identity the platform's own scanner ingests under. */
const SCANNER: Actor = { userId: 'platform-scanner', username: 'platform-scanner', role: 'sensor', regionCode: null, enterpriseId: null };

const WRITERS = new Set<Actor['role']>(['province-admin', 'province-analyst', 'city-analyst', 'county-analyst']);

function assertCanRead(actor: Actor): void {
  if (!can(actor, 'read:stats') || actor.role === 'enterprise-user') throw appError('FORBIDDEN');
}

function view(r: ScanTable): ScanView {
  return {
    id: r.id,
    state: r.state,
    targets: JSON.parse(r.targets) as string[],
    ports: r.ports,
    rate: r.rate ?? 0,
    schedule: r.everyMinutes ? { everyMinutes: r.everyMinutes } : null,
    goneAfter: r.goneAfter ?? GONE_AFTER_MISSES,
    seriesId: r.seriesId,
    createdBy: r.createdByName,
    createdAt: r.createdAt,
    notBefore: r.notBefore,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    progress: r.pairs ? Math.min(1, r.finishedPairs / r.pairs) : r.state === 'finished' ? 1 : 0,
    pairs: r.pairs,
    finishedPairs: r.finishedPairs,
    resumedPairs: r.resumedPairs,
    counts: { identified: r.identified, observations: r.observations, newAssets: r.newAssets, errors: r.errors, gone: r.gone },
    error: r.error,
  };
}

/** A scanner refusal as an API error that keeps the scanner's stable code and the target it names. */
function refusal(e: unknown): never {
  if (isScanError(e)) throw appError(e.code === 'SCOPE_DENIED' ? 'FORBIDDEN' : 'VALIDATION_FAILED', `${e.code}: ${e.message}`);
  throw e;
}

/** The addresses a city or county analyst may scan: its region's IP ranges and its enterprises' networks. */
async function regionAddresses(ctx: ServiceContext, actor: Actor): Promise<AddressSet> {
  const kind = scopeKind(actor.role);
  const ranges: { start: number; end: number }[] = [];
  if (kind === 'city') for (const r of ctx.regions.ipRanges) if (r.cityCode === actor.regionCode) ranges.push(r);
  const networks = await ctx.store.db
    .selectFrom('enterpriseNetworks')
    .innerJoin('enterprises', 'enterprises.id', 'enterpriseNetworks.enterpriseId')
    .select('enterpriseNetworks.cidr')
    .where('enterpriseNetworks.family', '=', 4)
    .where(kind === 'city' ? 'enterprises.cityCode' : 'enterprises.countyCode', '=', actor.regionCode ?? '')
    .execute();
  for (const n of networks) {
    const r = ipv4CidrRange(n.cidr);
    if (r) ranges.push(r);
  }
  return new AddressSet(ranges);
}

const LOOPBACK = { start: 0x7f000000, end: 0x7fffffff };
/** Largest loopback range checked address by address (a twin of a city is far smaller). */
const MAX_TWIN_CHECK = 65_536;

/**
 * A loopback range is the twin's: each address stands for a public one (twinMapping), and is in the
 * actor's region when that public address is placed there. An address standing for none is not.
 */
function twinInRegion(ctx: ServiceContext, actor: Actor, r: TargetRange): boolean {
  if (r.start < LOOPBACK.start || r.end > LOOPBACK.end || r.end - r.start >= MAX_TWIN_CHECK) return false;
  for (let n = r.start; n <= r.end; n++) {
    const stands = twinMapping(intToIpv4(n));
    const place = stands ? ctx.attribution.place(stands) : null;
    if (!place || !objectInScope(actor, place)) return false;
  }
  return true;
}

export async function createScan(ctx: ServiceContext, actor: Actor, input: ScanInput): Promise<ScanView> {
  if (!WRITERS.has(actor.role)) throw appError('FORBIDDEN');
  if (!input.targets.length) throw appError('VALIDATION_FAILED', 'name at least one target');
  let ranges: TargetRange[];
  let pairs: number;
  const key = randomInt(1, 2 ** 31 - 1);
  try {
    ranges = await resolveTargets(input.targets, {
      regionPack: () => ctx.regions,
      enterpriseNetworks: async (id) => {
        const e = await ctx.store.db.selectFrom('enterprises').select(['id', 'provinceCode', 'cityCode', 'countyCode']).where('id', '=', id).executeTakeFirst();
        if (!e || !objectInScope(actor, { ...e, enterpriseId: e.id })) throw appError('VALIDATION_FAILED', `INVALID_TARGET: target enterprise:${id} is no enterprise in your scope`);
        const rows = await ctx.store.db.selectFrom('enterpriseNetworks').select('cidr').where('enterpriseId', '=', id).where('family', '=', 4).execute();
        return rows.map((r) => r.cidr);
      },
    });
    if (scopeKind(actor.role) !== 'province') {
      const mine = await regionAddresses(ctx, actor);
      const outside = ranges.find((r) => !mine.covers(r.start, r.end) && !twinInRegion(ctx, actor, r));
      if (outside) throw appError('FORBIDDEN', `REGION_DENIED: target ${outside.target} is outside region ${actor.regionCode}`);
    }
    // Read at each request: the operator may widen or narrow the scope file without a restart.
    checkScope(ranges, ctx.config.scanScope ? readCidrFile(ctx.config.scanScope) : null);
    pairs = new Plan(ranges, parsePorts(input.ports), key).size;
  } catch (e) {
    refusal(e);
  }
  if (!pairs) throw appError('VALIDATION_FAILED', 'the targets hold no address');
  const now = ctx.now();
  const nowIso = now.toISOString();
  const region = actor.regionCode ? ctx.regions.get(actor.regionCode) : null;
  const id = newId(now.getTime());
  const row: ScanTable = {
    id,
    state: 'queued',
    targets: JSON.stringify(input.targets),
    ranges: JSON.stringify(ranges.map((r) => ({ target: r.target, start: r.start, end: r.end }))),
    ports: input.ports?.trim() || null,
    rate: input.rate ?? DEFAULT_SCAN_RATE,
    everyMinutes: input.schedule?.everyMinutes ?? null,
    seriesId: id,
    key,
    provinceCode: region?.provinceCode ?? ctx.regions.province.code,
    cityCode: region?.cityCode ?? null,
    countyCode: region?.countyCode ?? null,
    enterpriseId: null,
    createdBy: actor.userId,
    createdByName: actor.username,
    pairs,
    finishedPairs: 0,
    resumedPairs: 0,
    identified: 0,
    observations: 0,
    newAssets: 0,
    errors: 0,
    gone: 0,
    goneAfter: input.goneAfter ?? null,
    error: null,
    notBefore: nowIso,
    createdAt: nowIso,
    startedAt: null,
    finishedAt: null,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.insertInto('scans').values(row).execute();
    await audit(trx, actor, 'scan.create', 'scan', id, { targets: input.targets, ports: row.ports, rate: row.rate, everyMinutes: row.everyMinutes, pairs }, now);
  });
  runners.get(ctx)?.kick();
  return view(row);
}

async function scopedScan(ctx: ServiceContext, actor: Actor, id: string): Promise<ScanTable> {
  const row = await ctx.store.db.selectFrom('scans').selectAll().where('id', '=', id).where(inScope(actor)).executeTakeFirst();
  if (!row) throw appError('NOT_FOUND');
  return row;
}

export async function getScan(ctx: ServiceContext, actor: Actor, id: string): Promise<ScanView> {
  assertCanRead(actor);
  return view(await scopedScan(ctx, actor, id));
}

export async function listScans(ctx: ServiceContext, actor: Actor, q: ScanQuery = {}): Promise<Page<ScanView>> {
  assertCanRead(actor);
  const { limit, offset } = page(q);
  let base = ctx.store.db.selectFrom('scans').where(inScope(actor));
  if (q.state) base = base.where('state', '=', q.state);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: Number(total.n) };
}

/** A queued scan is cancelled at once; a running one is stopped, and this waits for it to stop. */
export async function cancelScan(ctx: ServiceContext, actor: Actor, id: string): Promise<ScanView> {
  if (!WRITERS.has(actor.role)) throw appError('FORBIDDEN');
  const row = await scopedScan(ctx, actor, id);
  const now = ctx.now();
  if (row.state === 'queued' || (row.state === 'running' && !runners.get(ctx)?.runs(id))) {
    const done = await ctx.store.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('scans').set({ state: 'cancelled', finishedAt: now.toISOString() }).where('id', '=', id).where('state', '=', row.state).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await audit(trx, actor, 'scan.cancel', 'scan', id, { from: row.state }, now);
      return true;
    });
    if (done) {
      rmSync(resumeFile(ctx, id), { force: true });
      return getScan(ctx, actor, id);
    }
  } else if (row.state === 'running') {
    await ctx.store.db.transaction().execute((trx) => audit(trx, actor, 'scan.cancel', 'scan', id, { from: 'running' }, now));
    await runners.get(ctx)!.cancel(id);
    return getScan(ctx, actor, id);
  }
  throw appError('INVALID_TRANSITION', `the scan is ${(await scopedScan(ctx, actor, id)).state}; only a queued or running scan can be cancelled`);
}

function resumeFile(ctx: ServiceContext, id: string): string {
  return join(ctx.config.dataDir, 'scans', `${id}.resume`);
}

export interface ScanRunnerOptions {
  /** How often the queue is looked at for scheduled runs. */
  pollMs?: number;
  /** Probe timeout per connect and read. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface ScanRunner {
  /** Look at the queue now. */
  kick(): void;
  runs(id: string): boolean;
  /** Stops the running scan as cancelled and waits for it to be recorded. */
  cancel(id: string): Promise<void>;
  /** Stops the running scan for a restart (it stays running and resumes on the next start). */
  stop(): Promise<void>;
}

const runners = new WeakMap<ServiceContext, ScanRunner>();

/** Starts the in-process queue; a scan left running by an earlier process resumes first. */
export function startScanRunner(ctx: ServiceContext, opts: ScanRunnerOptions = {}): ScanRunner {
  const existing = runners.get(ctx);
  if (existing) return existing;
  const log = opts.log ?? (() => {});
  const pollMs = opts.pollMs ?? 1000;
  let stopped = false;
  let busy: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let current: { id: string; abort: AbortController; cancelled: boolean; done: Promise<void> } | null = null;

  const db = ctx.store.db;

  async function next(): Promise<ScanTable | undefined> {
    const running = await db.selectFrom('scans').selectAll().where('state', '=', 'running').orderBy('startedAt').limit(1).executeTakeFirst();
    if (running) return running;
    return db.selectFrom('scans').selectAll().where('state', '=', 'queued').where('notBefore', '<=', ctx.now().toISOString()).orderBy('notBefore').orderBy('id').limit(1).executeTakeFirst();
  }

  async function drain(): Promise<void> {
    for (let row = await next(); row && !stopped; row = await next()) {
      const abort = new AbortController();
      const entry = { id: row.id, abort, cancelled: false, done: Promise.resolve() };
      current = entry;
      entry.done = run(row, entry).catch((e) => log(`scan ${row!.id}: ${(e as Error).message}`));
      await entry.done;
      current = null;
    }
  }

  function kick(): void {
    if (stopped || busy) return;
    if (timer) clearTimeout(timer);
    busy = drain()
      .catch((e) => log(`scan queue: ${(e as Error).message}`))
      .finally(() => {
        busy = null;
        if (!stopped) {
          timer = setTimeout(kick, pollMs);
          timer.unref();
        }
      });
  }

  async function run(row: ScanTable, entry: { abort: AbortController; cancelled: boolean }): Promise<void> {
    const now = ctx.now();
    const resuming = row.state === 'running';
    if (!resuming) {
      // Claimed, not just read: a cancel (or another process on the same database) may have got there first.
      const claimed = await db.updateTable('scans').set({ state: 'running', startedAt: now.toISOString() }).where('id', '=', row.id).where('state', '=', 'queued').executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return;
      row = { ...row, startedAt: now.toISOString() };
    }
    const ranges = JSON.parse(row.ranges) as TargetRange[];
    const services = parsePorts(row.ports ?? undefined);
    const plan = new Plan(ranges, services, row.key);
    const totals = { identified: row.identified, observations: row.observations, newAssets: row.newAssets, errors: row.errors };
    let checkpoint: Checkpoint;
    try {
      mkdirSync(join(ctx.config.dataDir, 'scans'), { recursive: true });
      checkpoint = Checkpoint.open(resumeFile(ctx, row.id), plan.fingerprint, row.key, plan.size);
    } catch (e) {
      await fail(row, e as Error);
      return;
    }
    const startedAt = row.startedAt ?? now.toISOString();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('scans').set({ state: 'running', startedAt, resumedPairs: checkpoint.doneCount }).where('id', '=', row.id).execute();
      await audit(trx, SCANNER, resuming ? 'scan.resume' : 'scan.start', 'scan', row.id, { pairs: plan.size, done: checkpoint.doneCount }, now);
    });
    log(`scan ${row.id}: ${resuming ? 'resumed' : 'started'} over ${plan.size} pairs`);

    const pending: Observation[] = [];
    let lastProgress = 0;
    const flush = async () => {
      const batch = pending.splice(0, pending.length);
      if (batch.length) {
        const ips = [...new Set(batch.map((o) => o.ip))];
        const known = new Set<string>();
        for (let i = 0; i < ips.length; i += 500) for (const a of await db.selectFrom('assets').select('ip').where('ip', 'in', ips.slice(i, i + 500)).execute()) known.add(a.ip);
        let r;
        try {
          r = await ingestObservations(ctx, SCANNER, batch);
        } catch (e) {
          // Not ingested: the scanner keeps these positions open, so the scan (or its resumption) probes them again.
          pending.unshift(...batch);
          totals.errors++;
          log(`scan ${row.id}: ingest failed: ${(e as Error).message}`);
          throw e;
        }
        const rejected = new Set(r.rejected.map((x) => x.index));
        totals.observations += r.accepted;
        totals.errors += r.rejected.length;
        totals.identified += batch.filter((o, i) => o.identity && !rejected.has(i)).length;
        const fresh = new Set(batch.filter((o, i) => !rejected.has(i) && !known.has(o.ip)).map((o) => o.ip));
        totals.newAssets += fresh.size;
      }
      if (batch.length || Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        await db.updateTable('scans').set({ ...totals, finishedPairs: checkpoint.doneCount }).where('id', '=', row.id).execute();
      }
    };
    let flushed: Promise<void> = Promise.resolve();
    let stats;
    try {
      stats = await scan({
        plan,
        rate: row.rate ?? DEFAULT_SCAN_RATE,
        concurrency: 128,
        perDevice: 1,
        timeoutMs: opts.timeoutMs ?? SCAN_TIMEOUT_MS,
        retries: 1,
        checkpoint,
        source: SCAN_SOURCE,
        publicAddress: twinMapping,
        signal: entry.abort.signal,
        onObservation: (o) => void pending.push(o),
        // The scanner flushes on a timer without waiting for the previous flush: chained here, so
        // batches are ingested one after another and the last is in before the scan is settled.
        onFlush: () => {
          const next = flushed.then(flush);
          flushed = next.catch(() => {});
          return next;
        },
      });
    } catch (e) {
      checkpoint.close();
      await fail(row, e as Error);
      return;
    }
    await flushed;
    checkpoint.close();
    const end = ctx.now();
    const progress = { ...totals, errors: totals.errors + stats.errors, finishedPairs: checkpoint.doneCount };
    if (stats.aborted && !entry.cancelled) {
      // Stopped with the process: stays running, resumes from the checkpoint on the next start.
      await db.updateTable('scans').set({ ...totals, finishedPairs: checkpoint.doneCount }).where('id', '=', row.id).execute();
      log(`scan ${row.id}: interrupted at ${checkpoint.doneCount}/${plan.size}`);
      return;
    }
    if (stats.aborted) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('scans').set({ ...progress, state: 'cancelled', finishedAt: end.toISOString() }).where('id', '=', row.id).execute();
        await audit(trx, SCANNER, 'scan.cancelled', 'scan', row.id, { finishedPairs: progress.finishedPairs }, end);
      });
      rmSync(resumeFile(ctx, row.id), { force: true });
      return;
    }
    const gone = await settleMisses(ctx, {
      scanId: row.id,
      ranges,
      services,
      startedAt,
      publicAddress: twinMapping,
      goneAfter: row.goneAfter ?? GONE_AFTER_MISSES,
      source: SCAN_SOURCE,
    });
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('scans').set({ ...progress, finishedPairs: plan.size, gone, state: 'finished', finishedAt: end.toISOString() }).where('id', '=', row.id).execute();
      await audit(trx, SCANNER, 'scan.finish', 'scan', row.id, { ...progress, gone, elapsedMs: Math.round(stats.elapsedMs) }, end);
      await scheduleNext(trx, row, end);
    });
    rmSync(resumeFile(ctx, row.id), { force: true });
    log(`scan ${row.id}: finished, ${totals.identified} services identified, ${gone} gone`);
  }

  async function fail(row: ScanTable, e: Error): Promise<void> {
    const end = ctx.now();
    const message = isScanError(e) || isAppError(e) ? e.message : `${e.name}: ${e.message}`;
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('scans').set({ state: 'failed', error: message.slice(0, 500), finishedAt: end.toISOString() }).where('id', '=', row.id).execute();
      await audit(trx, SCANNER, 'scan.fail', 'scan', row.id, { error: message.slice(0, 500) }, end);
      await scheduleNext(trx, row, end);
    });
    rmSync(resumeFile(ctx, row.id), { force: true });
  }

  /** A scheduled scan queues its next run with its own end (one transaction); a cancelled run ends the schedule. */
  async function scheduleNext(trx: Transaction<Database>, row: ScanTable, end: Date): Promise<void> {
    if (!row.everyMinutes) return;
    const id = newId(end.getTime());
    const notBefore = new Date(end.getTime() + row.everyMinutes * 60_000).toISOString();
    await trx
      .insertInto('scans')
      .values({
        ...row,
        id,
        state: 'queued',
        // A fresh order each run, as every scan gets.
        key: randomInt(1, 2 ** 31 - 1),
        finishedPairs: 0,
        resumedPairs: 0,
        identified: 0,
        observations: 0,
        newAssets: 0,
        errors: 0,
        gone: 0,
        error: null,
        notBefore,
        createdAt: end.toISOString(),
        startedAt: null,
        finishedAt: null,
      })
      .execute();
    await audit(trx, SCANNER, 'scan.schedule', 'scan', id, { seriesId: row.seriesId, notBefore }, end);
  }

  const runner: ScanRunner = {
    kick,
    runs: (id) => current?.id === id,
    async cancel(id) {
      const c = current;
      if (!c || c.id !== id) return;
      c.cancelled = true;
      c.abort.abort();
      await c.done;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      current?.abort.abort();
      await busy;
      runners.delete(ctx);
    },
  };
  runners.set(ctx, runner);
  kick();
  return runner;
}

/**
 * Verification's re-probe (复核) through the platform's own scan queue: the warning's services are
 * scanned again on their ports, and the observations come back through ingest like any others.
 * A service that was observed through another address (a twin device's loopback address, the
 * observation's `via`) is probed there again; any other address must lie in the configured scan
 * scope, exactly as for a scan an analyst creates.
 */
export function scanReprober(ctx: ServiceContext): Reprober {
  const actor: Actor = { userId: 'verification', username: 'verification', role: 'province-admin', regionCode: ctx.regions.province.code, enterpriseId: null };
  return {
    async reprobe(services: ReprobeTarget[]) {
      if (!services.length) return;
      const ips = [...new Set(services.map((s) => s.ip))];
      const vias = await ctx.store.db.selectFrom('observations').select(['ip', 'via']).distinct().where('ip', 'in', ips).where('via', 'is not', null).execute();
      const probedAt = new Map(vias.map((v) => [v.ip, v.via!]));
      const targets = [...new Set(ips.map((ip) => probedAt.get(ip) ?? ip))];
      const ports = [...new Set(services.map((s) => `${s.protocol}:${s.port}/${s.transport}`))].join(',');
      await createScan(ctx, actor, { targets, ports });
    },
  };
}
