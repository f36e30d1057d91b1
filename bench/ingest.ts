// npm run bench:ingest — observations per second through POST /api/v1/observations (batches of
// 1,000) into SQLite and PostgreSQL, then overview and filtered-asset-page latency with the
// assets loaded (asset pages walked by cursor as the dashboard does, and by page number for
// comparison). The peers in the same run are the database itself: the same observations
// bulk-inserted straight into a bare table (better-sqlite3 prepared statement / PostgreSQL COPY,
// the platform's own ways of writing new rows), so the ratio says what the platform's spine costs
// over raw storage; and the ceiling, the rows the platform wrote for its new devices written again
// into its own schema and indexes, which bounds the new-device rate (spineCeiling).
//
//   npm run bench:ingest -- [--assets 1000000] [--dialects sqlite,postgres] [--clients 2] [--keep | --reuse] [--cpu-prof DIR]
//
// --keep leaves the loaded store behind (PostgreSQL database otscope_bench_kept, SQLite under
// $TMPDIR/otscope-bench-kept-sqlite); --reuse starts the platform on that store and measures the
// queries only, so query work need not reload a million assets (migrations added since run at start).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadRegionPack } from '../src/regions/index.ts';
import { openStore } from '../src/storage/index.ts';

const { values: args } = parseArgs({
  options: {
    assets: { type: 'string', default: '1000000' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    clients: { type: 'string', default: '2' },
    port: { type: 'string', default: '18181' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const TOTAL = Number(args.assets);
const CLIENTS = Number(args.clients);
const BATCH = 1000;
/** New devices whose rows the ceiling peer writes again (all of their rows are held in memory). */
const CEILING_DEVICES = 100_000;
const PG_ADMIN_URL = process.env.OTSCOPE_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const PASSWORD = 'bench-admin-password';

const pack = loadRegionPack();
// Devices of the kinds the platform meets, some inside advisories' affected ranges.
const CATALOGUE = [
  { protocol: 's7comm', port: 102, identity: { vendor: 'Siemens', product: 'SIMATIC S7-1200', model: 'CPU 1214C DC/DC/DC', orderNumber: '6ES7 214-1AG40-0XB0', firmware: 'V4.2.1' } },
  { protocol: 's7comm', port: 102, identity: { vendor: 'Siemens', product: 'SIMATIC S7-200 SMART', model: 'CPU ST40', orderNumber: '6ES7 288-1ST40-0AA0', firmware: 'V2.3.0' } },
  { protocol: 'modbus', port: 502, identity: { vendor: 'Schneider Electric', product: 'Modicon M340', model: 'BMX P34 2020', firmware: 'v2.8' } },
  { protocol: 'enip', port: 44818, identity: { vendor: 'Rockwell Automation', product: 'MicroLogix 1400', model: '1766-L32BWA', firmware: '21.003' } },
  { protocol: 'bacnet', port: 47808, identity: { vendor: 'Johnson Controls', product: 'Metasys NAE55', firmware: '9.0.0' } },
  { protocol: 'modbus', port: 502, identity: { vendor: 'Moxa', product: 'MGate MB3170', firmware: '4.1' } },
  { protocol: 'opcua', port: 4840, identity: {} },
  { protocol: 'fox', port: 1911, identity: { vendor: 'Tridium', product: 'Niagara', firmware: '4.7.110.32' } },
];

function observation(i: number, pass = 0) {
  const d = CATALOGUE[i % CATALOGUE.length];
  return {
    ip: pack.publicAddress(i * 7),
    port: d.port,
    transport: d.protocol === 'bacnet' ? 'udp' : 'tcp',
    protocol: d.protocol,
    observedAt: new Date(Date.UTC(2026, 10, 1 + pass) + i).toISOString(),
    source: 'bench',
    identity: { ...d.identity, serial: `SN${i}` },
  };
}

function batchBody(from: number, pass: number, total: number): string {
  const items = [];
  for (let i = from; i < Math.min(from + BATCH, total); i++) items.push(observation(i, pass));
  return JSON.stringify({ observations: items });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  // Up to 5 minutes: a reused store runs the migrations added since it was loaded (index rebuilds over 1M rows).
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) throw new Error(`platform exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('platform did not start');
}

/**
 * CPU seconds the platform process has used (all its threads), from /proc: on a shared machine the
 * rates above swing with the load, the CPU spent per observation much less. null where /proc is absent.
 */
function cpuSeconds(pid: number | undefined): number | null {
  const stat = procStat(pid);
  return stat && (Number(stat.fields[11]) + Number(stat.fields[12])) / 100; // utime, stime (fields 14 and 15) in ticks of 1/100 s
}

/** /proc/PID/stat: the command name, and the fields after it (the state first); null if unreadable (gone). */
function procStat(pid: number | string | undefined): { command: string; fields: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const end = stat.lastIndexOf(') ');
    return { command: stat.slice(stat.indexOf('(') + 1, end), fields: stat.slice(end + 2).split(' ') };
  } catch {
    return null;
  }
}

/**
 * CPU seconds the local PostgreSQL server has used: every live process named postgres, plus what
 * the postmaster has collected from its children that exited (a backend whose connection closed
 * mid-run). The server is the platform's other half on this machine; null where /proc is absent.
 * Every database's backends count, so other work on the same server (tests) inflates it.
 */
function serverCpuSeconds(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      const stat = /^\d+$/.test(pid) ? procStat(pid) : null; // null too for one that exited meanwhile
      if (stat?.command !== 'postgres') continue;
      const { fields } = stat;
      ticks += Number(fields[11]) + Number(fields[12]);
      if (fields[1] === '1') ticks += Number(fields[13]) + Number(fields[14]); // the postmaster: its children's cutime, cstime
    }
    return ticks / 100;
  } catch {
    return null;
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function timeRequests(url: string, token: string, paths: () => string, n: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url + paths(), { headers: { authorization: `Bearer ${token}` } });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${paths()} → ${r.status}`);
    times.push(performance.now() - t);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

type Latency = { p50: number; p95: number; n: number };
const latency = (times: number[]): Latency => ({ p50: percentile(times, 50), p95: percentile(times, 95), n: times.length });

async function timedPage(url: string, token: string, path: string): Promise<{ ms: number; nextCursor: string | null }> {
  const t = performance.now();
  const r = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = (await r.json()) as { nextCursor?: string | null };
  if (!r.ok) throw new Error(`${path} → ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
  return { ms: performance.now() - t, nextCursor: body.nextCursor ?? null };
}

/**
 * Cursor walks as the dashboard makes them: each walk starts at the first page of a list and
 * follows nextCursor to a random depth of 1..maxDepth pages (or the list's end). Every page's
 * latency counts, and the deepest page of each walk is reported on its own.
 */
async function timeCursorWalks(url: string, token: string, list: () => string, walks: number, maxDepth: number): Promise<{ pages: Latency; deepest: Latency }> {
  const all: number[] = [];
  const deepest: number[] = [];
  for (let w = 0; w < walks; w++) {
    const path = list();
    const depth = 1 + Math.floor(Math.random() * maxDepth);
    let page = await timedPage(url, token, path);
    all.push(page.ms);
    for (let i = 1; i < depth && page.nextCursor; i++) {
      page = await timedPage(url, token, `${path}&cursor=${encodeURIComponent(page.nextCursor)}`);
      all.push(page.ms);
    }
    deepest.push(page.ms);
  }
  return { pages: latency(all), deepest: latency(deepest) };
}

/** One list walked by cursor from its first page to its last: per-page latency overall and over its last tenth. */
async function timeFullWalk(url: string, token: string, path: string): Promise<{ pages: Latency; lastTenth: Latency }> {
  const times: number[] = [];
  let page = await timedPage(url, token, path);
  times.push(page.ms);
  while (page.nextCursor) {
    page = await timedPage(url, token, `${path}&cursor=${encodeURIComponent(page.nextCursor)}`);
    times.push(page.ms);
  }
  return { pages: latency(times), lastTenth: latency(times.slice(Math.floor(times.length * 0.9))) };
}

/** Runs `statement` (COPY … FROM STDIN) with `lines`, rows in COPY's text form separated by newlines. */
async function copyIn(client: pg.Client, statement: string, lines: string): Promise<void> {
  await pipeline(Readable.from([lines + '\n']), client.query(copyFrom(statement)));
}

/** The peer: the same observation rows bulk-inserted into a bare table, no platform in between. */
async function rawInsertRate(dialect: string, dbUrl: string | null, n: number): Promise<number> {
  const rows = Array.from({ length: n }, (_, i) => observation(i));
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'otscope-bench-raw-'));
    const db = new BetterSqlite3(join(dir, 'raw.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE obs (ip TEXT, port INTEGER, transport TEXT, protocol TEXT, observed_at TEXT, source TEXT, identity TEXT)');
    const insert = db.prepare('INSERT INTO obs VALUES (?, ?, ?, ?, ?, ?, ?)');
    const t = performance.now();
    for (let i = 0; i < n; i += BATCH) {
      db.transaction(() => {
        for (const r of rows.slice(i, i + BATCH)) insert.run(r.ip, r.port, r.transport, r.protocol, r.observedAt, r.source, JSON.stringify(r.identity));
      })();
    }
    const rate = n / ((performance.now() - t) / 1000);
    db.close();
    rmSync(dir, { recursive: true, force: true });
    return rate;
  }
  const client = new pg.Client({ connectionString: dbUrl! });
  await client.connect();
  await client.query('CREATE TABLE obs (ip TEXT, port INTEGER, transport TEXT, protocol TEXT, observed_at TEXT, source TEXT, identity TEXT)');
  const t = performance.now();
  // COPY, as the platform writes new rows; one transaction per batch, as the platform commits one.
  for (let i = 0; i < n; i += BATCH) {
    const text = rows
      .slice(i, i + BATCH)
      .map((r) => [r.ip, r.port, r.transport, r.protocol, r.observedAt, r.source, JSON.stringify(r.identity).replace(/\\/g, '\\\\')].join('\t'))
      .join('\n');
    await client.query('BEGIN');
    await copyIn(client, 'COPY obs FROM STDIN', text);
    await client.query('COMMIT');
  }
  const rate = n / ((performance.now() - t) / 1000);
  await client.query('DROP TABLE obs');
  await client.end();
  return rate;
}

/** The spine's tables, parents first, each with the column naming the device (asset) a row belongs to. */
const SPINE: [table: string, assetColumn: string][] = [
  ['assets', 'id'],
  ['services', 'asset_id'],
  ['identities', 'asset_id'],
  ['observations', 'asset_id'],
  ['events', 'asset_id'],
  ['findings', 'asset_id'],
];

/** Rows the platform's spine tables hold after the first pass (each a row a new device cost), by table. */
async function rowsWritten(dialect: string, dataDir: string, dbUrl: string | null): Promise<Map<string, number>> {
  const tables = SPINE.map(([table]) => table);
  const counts = new Map<string, number>();
  if (dialect === 'sqlite') {
    const db = new BetterSqlite3(join(dataDir, 'otscope.sqlite'), { readonly: true });
    try {
      for (const t of tables) counts.set(t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
    } finally {
      db.close();
    }
    return counts;
  }
  const client = new pg.Client({ connectionString: dbUrl! });
  await client.connect();
  try {
    for (const t of tables) counts.set(t, Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0].n));
  } finally {
    await client.end();
  }
  return counts;
}


interface Ceiling {
  rate: number;
  /** PostgreSQL: the rate from one connection and from CLIENTS connections (rate is the higher). */
  rates: { connections: number; rate: number }[];
  serverCpuPerDevice: number | null;
  /** Each table's share of the time spent writing (commits apart), in SPINE's order. */
  shares: number[];
}

/**
 * The second peer, the ceiling: the spine's rows for the platform's first `devices` new devices
 * (SPINE: their assets, services, identities, observations, events and findings; not the batch's
 * counter updates or audit row) read back from its store and written again, batch by batch (1,000
 * devices' rows a transaction), into a fresh store with the platform's own schema and indexes, by
 * the fastest way each database offers: COPY on PostgreSQL, from one connection and from CLIENTS
 * connections at once (the higher counts; the platform's writers take turns, so it never writes
 * from two); prepared INSERTs on SQLite, whose one writer a second connection would only queue
 * behind. No reads, no matching, no HTTP, and the store small and fresh: what the database alone
 * costs for those rows, which the new-device rate cannot exceed on this machine.
 */
async function spineCeiling(dialect: string, dataDir: string, dbUrl: string | null, devices: number): Promise<Ceiling> {
  const batchOf = new Map<string, number>();
  const spent = SPINE.map(() => 0);
  const shares = () => spent.map((ms) => ms / spent.reduce((a, b) => a + b));
  // batches[batch][table]: the rows as value arrays (SQLite) or as COPY text lines (PostgreSQL).
  if (dialect === 'sqlite') {
    const source = new BetterSqlite3(join(dataDir, 'otscope.sqlite'), { readonly: true });
    const ids = source.prepare('SELECT id FROM assets ORDER BY id LIMIT ?').pluck().all(devices) as string[];
    ids.forEach((id, i) => batchOf.set(id, Math.floor(i / BATCH)));
    const batches = Array.from({ length: Math.ceil(ids.length / BATCH) }, () => SPINE.map(() => [] as unknown[][]));
    const widths: number[] = [];
    SPINE.forEach(([table, column], t) => {
      const read = source.prepare(`SELECT * FROM ${table} WHERE ${column} IN (SELECT id FROM assets ORDER BY id LIMIT ?)`).raw();
      const at = read.columns().findIndex((c) => c.name === column);
      widths.push(read.columns().length);
      for (const row of read.iterate(devices) as Iterable<unknown[]>) batches[batchOf.get(row[at] as string)!][t].push(row);
    });
    source.close();
    const dir = mkdtempSync(join(tmpdir(), 'otscope-bench-ceiling-'));
    const store = await openStore({ databaseUrl: null, dataDir: dir });
    try {
      const prepare = store.sqlite!.prepare;
      const inserts = SPINE.map(([table], t) => prepare(`INSERT INTO ${table} VALUES (${Array(widths[t]).fill('?').join(', ')})`));
      const [begin, commit] = [prepare('BEGIN'), prepare('COMMIT')];
      const t0 = performance.now();
      for (const batch of batches) {
        begin.run();
        batch.forEach((rows, t) => {
          const t1 = performance.now();
          for (const row of rows) inserts[t].run(row);
          spent[t] += performance.now() - t1;
        });
        commit.run();
      }
      const rate = ids.length / ((performance.now() - t0) / 1000);
      return { rate, rates: [{ connections: 1, rate }], serverCpuPerDevice: null, shares: shares() };
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const source = new pg.Client({ connectionString: dbUrl! });
  await source.connect();
  const schema = 'spine_ceiling';
  const clients: pg.Client[] = [];
  try {
    const ids = (await source.query<{ id: string }>('SELECT id FROM assets ORDER BY id LIMIT $1', [devices])).rows.map((r) => r.id);
    ids.forEach((id, i) => batchOf.set(id, Math.floor(i / BATCH)));
    const batches = Array.from({ length: Math.ceil(ids.length / BATCH) }, () => SPINE.map(() => [] as string[]));
    for (const [t, [table, column]] of SPINE.entries()) {
      const at = (await source.query(`SELECT * FROM ${table} LIMIT 0`)).fields.findIndex((f) => f.name === column);
      const chunks: Buffer[] = [];
      await pipeline(source.query(copyTo(`COPY (SELECT * FROM ${table} WHERE ${column} IN (SELECT id FROM assets ORDER BY id LIMIT ${devices})) TO STDOUT`)), async (rows: AsyncIterable<Buffer>) => {
        for await (const chunk of rows) chunks.push(chunk);
      });
      for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
        if (line) batches[batchOf.get(line.split('\t', at + 1)[at])!][t].push(line);
      }
    }
    const rates: { connections: number; rate: number; serverCpuPerDevice: number | null; shares: number[] }[] = [];
    for (const connections of [...new Set([1, CLIENTS])]) {
      // A fresh schema in the same database, made by the platform's migrations (one an interrupted
      // run left behind would hold its rows already).
      await source.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      const store = await openStore({ databaseUrl: dbUrl, dataDir: tmpdir(), pgSchema: schema });
      await store.close();
      for (let i = 0; i < connections; i++) {
        const client = new pg.Client({ connectionString: dbUrl!, options: `-c search_path=${schema}` });
        await client.connect();
        clients.push(client);
      }
      spent.fill(0);
      let next = 0;
      const server0 = serverCpuSeconds();
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (client) => {
          for (let b = next++; b < batches.length; b = next++) {
            await client.query('BEGIN');
            for (const [t, [table]] of SPINE.entries()) {
              const t1 = performance.now();
              if (batches[b][t].length) await copyIn(client, `COPY ${table} FROM STDIN`, batches[b][t].join('\n'));
              spent[t] += performance.now() - t1;
            }
            await client.query('COMMIT');
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const server1 = serverCpuSeconds();
      for (const client of clients.splice(0)) await client.end();
      rates.push({ connections, rate: ids.length / seconds, serverCpuPerDevice: server0 === null || server1 === null ? null : (server1 - server0) / ids.length, shares: shares() });
    }
    const best = rates.reduce((a, b) => (b.rate > a.rate ? b : a));
    return { rate: best.rate, rates: rates.map(({ connections, rate }) => ({ connections, rate })), serverCpuPerDevice: best.serverCpuPerDevice, shares: best.shares };
  } finally {
    for (const client of clients) await client.end();
    await source.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await source.end();
  }
}

/**
 * PostgreSQL: waits (up to three minutes) until the platform's maintenance has caught up with what
 * was written: no table of its schema past the thresholds at which it analyses or vacuums
 * (src/storage/db.ts) and none being analysed or vacuumed, twice in a row half a second apart. The
 * ceiling and the rescan then do not share the server with a VACUUM of a million rows, and the
 * queries meet the store as a user meets it after a load. Returns the seconds waited, or what was
 * still due or running when it gave up (what follows is measured anyway, and says so).
 */
async function atRest(dbUrl: string): Promise<number | string> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const t0 = performance.now();
  try {
    for (let quiet = 0; ; ) {
      const { rows } = await client.query<{ due: string[]; running: string[] }>(
        `SELECT ARRAY(SELECT relname::text FROM pg_stat_user_tables WHERE schemaname = current_schema()
                  AND (n_mod_since_analyze > 50 + 0.1 * n_live_tup OR n_dead_tup > 50 + 0.2 * n_live_tup OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup)) AS due,
                ARRAY(SELECT left(query, 60) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ~* '^\\s*(vacuum|analyze)') AS running`,
      );
      quiet = rows[0].due.length === 0 && rows[0].running.length === 0 ? quiet + 1 : 0;
      if (quiet === 2) return (performance.now() - t0) / 1000;
      if (performance.now() - t0 > 180_000) return [...rows[0].due.map((t) => `${t} due`), ...rows[0].running].join(', ');
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await client.end();
  }
}

async function runDialect(dialect: string): Promise<void> {
  const kept = args.keep || args.reuse;
  const dataDir = kept ? join(tmpdir(), `otscope-bench-kept-${dialect}`) : mkdtempSync(join(tmpdir(), 'otscope-bench-'));
  if (args.keep) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
  }
  let dbUrl: string | null = null;
  const dbName = kept ? 'otscope_bench_kept' : `otscope_bench_${process.pid}`;
  if (dialect === 'postgres' && args.reuse) {
    dbUrl = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  } else if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    dbUrl = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  }
  const url = `http://127.0.0.1:${args.port}`;
  // --cpu-prof DIR: the platform process writes a V8 CPU profile there when it exits.
  const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/otscope.js', 'serve'], {
    env: {
      ...process.env,
      OTSCOPE_PORT: args.port,
      OTSCOPE_DATA_DIR: dataDir,
      OTSCOPE_ADMIN_PASSWORD: PASSWORD,
      // The first-start demo would scan a twin into the store while we measure.
      OTSCOPE_DEMO: 'false',
      OTSCOPE_LOG_LEVEL: 'warn',
      ...(dbUrl ? { OTSCOPE_DATABASE_URL: dbUrl } : { OTSCOPE_DATABASE_URL: '' }),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitHealthy(url, child);
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };

    // Pass 0 loads TOTAL new assets (every identity new, every match computed); pass 1 re-observes
    // a slice of them a day later with unchanged identities: the steady state of repeated scans.
    const ingest = async (pass: number, total: number) => {
      let next = 0;
      // When the first CEILING_DEVICES observations were in (the ceiling writes those devices' rows).
      let done = 0;
      let firstSeconds = 0;
      const cpu0 = cpuSeconds(child.pid);
      const server0 = dbUrl ? serverCpuSeconds() : null;
      const t0 = performance.now();
      const worker = async () => {
        for (;;) {
          const from = next;
          if (from >= total) return;
          next += BATCH;
          const r = await fetch(`${url}/api/v1/observations`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: batchBody(from, pass, total) });
          const out = (await r.json()) as { accepted: number; rejected: unknown[] };
          if (!r.ok || out.rejected.length) throw new Error(`batch at ${from}: ${r.status} ${JSON.stringify(out).slice(0, 300)}`);
          done += out.accepted;
          if (!firstSeconds && done >= Math.min(total, CEILING_DEVICES)) firstSeconds = (performance.now() - t0) / 1000;
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, worker));
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = cpuSeconds(child.pid);
      const server1 = dbUrl ? serverCpuSeconds() : null;
      return {
        rate: total / seconds,
        seconds,
        firstRate: Math.min(total, CEILING_DEVICES) / firstSeconds,
        cpuPerObs: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / total,
        serverCpuPerObs: server0 === null || server1 === null ? null : (server1 - server0) / total,
      };
    };
    const rescanCount = Math.min(TOTAL, 100_000);
    const cold = args.reuse ? null : await ingest(0, TOTAL);
    const written = cold ? await rowsWritten(dialect, dataDir, dbUrl) : null;
    // Maintenance after each pass is waited for on PostgreSQL (atRest); undefined: nothing to wait for.
    const restAfterLoad = cold && dbUrl ? await atRest(dbUrl) : undefined;
    const ceiling = cold ? await spineCeiling(dialect, dataDir, dbUrl, Math.min(TOTAL, CEILING_DEVICES)) : null;
    const warm = args.reuse ? null : await ingest(1, rescanCount);
    const restAfterRescan = warm && dbUrl ? await atRest(dbUrl) : undefined;

    const cities = pack.children(pack.province.code).map((c) => c.code);
    const pages = Math.max(1, Math.floor(TOTAL / CATALOGUE.length / 11 / 50));
    const ov = await timeRequests(url, token, () => '/api/v1/stats/overview', 40);
    const city = () => cities[Math.floor(Math.random() * cities.length)];
    // Asset pages as the dashboard walks them (cursors), then the same lists by page number (OFFSET)
    // as before keyset paging, and one whole list walked to its end: 南昌市 (360100), the largest city.
    const regionWalks = await timeCursorWalks(url, token, () => `/api/v1/assets?region=${city()}&protocol=modbus&pageSize=50`, 40, pages);
    const vendorWalks = await timeCursorWalks(url, token, () => '/api/v1/assets?vendor=Siemens&pageSize=50', 40, pages);
    const fullWalk = await timeFullWalk(url, token, '/api/v1/assets?region=360100&protocol=modbus&pageSize=50');
    const deepPages = Math.ceil(fullWalk.pages.n * 0.9);
    const deepOffset = await timeRequests(url, token, () => `/api/v1/assets?region=360100&protocol=modbus&pageSize=50&page=${deepPages + Math.floor(Math.random() * (fullWalk.pages.n - deepPages + 1))}`, 10);
    const filtered = await timeRequests(url, token, () => `/api/v1/assets?region=${city()}&protocol=modbus&pageSize=50&page=${1 + Math.floor(Math.random() * pages)}`, 40);
    const vendorPage = await timeRequests(url, token, () => `/api/v1/assets?vendor=Siemens&pageSize=50&page=${1 + Math.floor(Math.random() * 20)}`, 40);
    const raw = cold && warm ? await rawInsertRate(dialect, dbUrl, Math.min(TOTAL, 200_000)) : null;

    console.log(`\n${dialect}: ${TOTAL.toLocaleString('en')} assets, batches of ${BATCH}, ${CLIENTS} clients${args.reuse ? ' (reused store: queries only)' : ''}`);
    if (cold && warm && raw) {
      const cpu = (c: { cpuPerObs: number | null; serverCpuPerObs: number | null }) =>
        (c.cpuPerObs === null ? '' : `; platform CPU ${(c.cpuPerObs * 1e6).toFixed(0)} µs/obs = ${Math.round(1 / c.cpuPerObs).toLocaleString('en')} obs per CPU-second`) +
        (c.serverCpuPerObs === null ? '' : `; database server CPU ${(c.serverCpuPerObs * 1e6).toFixed(0)} µs/obs`);
      console.log(`  ingest, new assets:     ${Math.round(cold.rate).toLocaleString('en')} obs/s  (${cold.seconds.toFixed(1)} s; target ≥ 20,000${cpu(cold)})`);
      console.log(`  ingest, re-observation: ${Math.round(warm.rate).toLocaleString('en')} obs/s  (${rescanCount.toLocaleString('en')} in ${warm.seconds.toFixed(1)} s${cpu(warm)})`);
      console.log(`  peer: raw bulk insert:  ${Math.round(raw).toLocaleString('en')} rows/s  → otscope/raw ratio ${(cold.rate / raw).toFixed(3)} (new), ${(warm.rate / raw).toFixed(3)} (re-observation)`);
      if (written) {
        const perDevice = [...written].reduce((n, [, rows]) => n + rows, 0) / TOTAL;
        const parts = [...written].map(([table, rows]) => `${table} ${(rows / TOTAL).toFixed(1)}`).join(', ');
        console.log(`  rows per new device:    ${perDevice.toFixed(1)} (${parts}); at the peer's raw rate that alone allows ${Math.round(raw / perDevice).toLocaleString('en')} new devices/s`);
      }
      if (ceiling) {
        const server = ceiling.serverCpuPerDevice === null ? '' : `; database server CPU ${(ceiling.serverCpuPerDevice * 1e6).toFixed(0)} µs/device`;
        const how = dialect === 'sqlite' ? 'prepared INSERTs' : `COPY, ${ceiling.rates.map((r) => `${Math.round(r.rate).toLocaleString('en')}/s from ${r.connections} connection${r.connections > 1 ? 's' : ''}`).join(', ')}`;
        const first = Math.min(TOTAL, CEILING_DEVICES);
        console.log(`  peer: the spine's rows alone: ${Math.round(ceiling.rate).toLocaleString('en')} new devices/s  (the rows of the first ${first.toLocaleString('en')} new devices into a fresh store with the platform's schema and indexes, by ${how}${server})`);
        console.log(`    platform over the same first ${first.toLocaleString('en')}: ${Math.round(cold.firstRate).toLocaleString('en')} new devices/s → otscope/ceiling ratio ${(cold.firstRate / ceiling.rate).toFixed(2)}`);
        console.log(`    time by table:        ${SPINE.map(([table], t) => `${table} ${Math.round(ceiling.shares[t] * 100)}%`).join(', ')}`);
      }
    }
    const rest = (after: string, waited: number | string | undefined) =>
      waited === undefined ? [] : [typeof waited === 'string' ? `not caught up 3 minutes after the ${after} (${waited})` : `caught up ${waited.toFixed(0)} s after the ${after}`];
    const waits = [...rest('load', restAfterLoad), ...rest('rescan', restAfterRescan)];
    if (waits.length) console.log(`  maintenance (VACUUM, ANALYZE), waited for before what follows each pass: ${waits.join('; ')}`);
    console.log(`  overview:               p50 ${ov.p50.toFixed(1)} ms  p95 ${ov.p95.toFixed(1)} ms  (target p95 ≤ 100 ms)`);
    const ms = (l: { p50: number; p95: number }) => `p50 ${l.p50.toFixed(1)} ms  p95 ${l.p95.toFixed(1)} ms`;
    console.log(`  assets region+protocol, cursor walks to page 1..${pages}: ${ms(regionWalks.pages)} over ${regionWalks.pages.n} pages; deepest page of each walk ${ms(regionWalks.deepest)}  (target p95 ≤ 200 ms)`);
    console.log(`  assets vendor, cursor walks to page 1..${pages}:          ${ms(vendorWalks.pages)} over ${vendorWalks.pages.n} pages; deepest page of each walk ${ms(vendorWalks.deepest)}`);
    console.log(`  assets 360100+modbus walked to the end:  ${ms(fullWalk.pages)} over ${fullWalk.pages.n} pages; last tenth ${ms(fullWalk.lastTenth)}`);
    console.log(`  the same last tenth by page number:      ${ms(deepOffset)}  (OFFSET, 10 pages)`);
    console.log(`  assets region+protocol by page number:   ${ms(filtered)}  (OFFSET, random page 1..${pages})`);
    console.log(`  assets vendor by page number:            ${ms(vendorPage)}  (OFFSET, random page 1..20)`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (!kept) rmSync(dataDir, { recursive: true, force: true });
    if (dialect === 'postgres' && !kept) {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await admin.end();
    }
  }
}

for (const d of args.dialects!.split(',')) await runDialect(d.trim());
